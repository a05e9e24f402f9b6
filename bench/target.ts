// One benchmarked server: a checkout of this project started as `npm start` starts it, on a fresh
// PostgreSQL database, seeded with the bench's clients, user, session and resource, and the
// scenarios that drive it. `npm run bench` (run.ts) measures one target against the floor;
// `npm run bench:compare` (compare.ts) measures two checkouts side by side, interleaved.
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { hash } from '@node-rs/argon2';
import { encode } from 'next-auth/jwt';

export type Opts = autocannon.Options;

export interface Scenario {
  name: string;
  unit: string;
  /** Requests per operation (the code round trip is two). */
  perIteration: number;
  opts: Opts;
  /** Run before each measured run (warm-up included): e.g. topping up the refresh tokens in-flight requests lost. */
  before?: () => Promise<void>;
}

/** One measured run of a scenario at one concurrency. */
export interface Result {
  scenario: string;
  concurrency: number;
  /** Operations per second (requests / perIteration). */
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  unit: string;
  ratioToFloor?: number;
  /** The server's CPU time per operation (µs): serverCpuMs over the measured run / operations. */
  serverCpuUs: number;
  /** PostgreSQL's CPU time per operation (µs), all its processes (postgresCpuMs). */
  dbCpuUs: number;
}

export interface Target {
  /** The checkout it runs from. */
  dir: string;
  base: string;
  server: ChildProcess;
  databaseUrl: string;
  /** The client_credentials client's id and secret (the floor authenticates it too). */
  ccSecret: string;
  scenarios: Scenario[];
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const s256 = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');
const randomId = (n: number) => crypto.randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

/** Runs `npx next build` in `dir` unless it has a build (or `force`). */
export function buildIfNeeded(dir: string, force = false) {
  const distDir = process.env.NEXT_DIST_DIR || '.next';
  if (fs.existsSync(path.join(dir, distDir, 'BUILD_ID')) && !force) return;
  console.log(`Building ${dir} (next build)…`);
  execSync('npx next build', { cwd: dir, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
}

/** Polls `url` every 250 ms until it answers below 500; throws if `proc` exits or after 60 s. */
export async function waitFor(url: string, proc: ChildProcess, what: string) {
  for (let i = 0; i < 240; i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
  throw new Error(`${what} did not start`);
}

/** The server's process and its workers (WEB_CONCURRENCY). */
function serverPids(pid: number): number[] {
  const pids = [pid];
  try {
    const kids = execSync(`pgrep -P ${pid} || true`).toString().trim().split('\n').filter(Boolean).map(Number);
    pids.push(...kids);
  } catch {
    /* no children */
  }
  return pids;
}

/** utime + stime of the processes `pids` (/proc/<pid>/stat, clock ticks of 10 ms), in ms; gone ones count 0. */
function cpuMsOf(pids: Array<number | string>): number {
  let ticks = 0;
  for (const p of pids) {
    try {
      // The fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10;
}

/**
 * CPU time (user + system) the server's processes have used so far, in ms. Per operation it shows
 * the server's own cost, which other load on the machine moves far less than throughput.
 */
export function serverCpuMs(pid: number): number {
  return cpuMsOf(serverPids(pid));
}

/**
 * CPU time (user + system, ms) every PostgreSQL process on this machine has used so far: its
 * backends (the server's pool), WAL writer, checkpointer and autovacuum. Per operation it is the
 * database's share of an operation's cost, which the server's CPU alone does not show; the bench
 * assumes the cluster is otherwise idle. 0 where the database is not local.
 */
export function postgresCpuMs(): number {
  try {
    return cpuMsOf(execSync('pgrep -x postgres || true').toString().trim().split('\n').filter(Boolean));
  } catch {
    return 0;
  }
}

/** Peak resident memory (VmHWM) of a process and its workers, in MB. */
export function peakRssMb(pid: number): number {
  let total = 0;
  for (const p of serverPids(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return Math.round(total / 1024);
}

/** Resident memory (VmRSS) of one process, in MB. */
export function currentRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function cannon(opts: Opts, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ ...opts, duration: seconds, pipelining: 1 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * Drives `s` at `connections` for `warmupSeconds` (not measured), then `seconds`, and measures
 * throughput, latency and the CPU per operation of the process `pid` (the server) and of PostgreSQL.
 */
export async function measure(s: Scenario, connections: number, seconds: number, warmupSeconds: number, pid: number): Promise<Result> {
  await s.before?.();
  if (warmupSeconds > 0) await cannon({ ...s.opts, connections }, warmupSeconds);
  const cpuBefore = serverCpuMs(pid);
  const dbBefore = postgresCpuMs();
  const r = await cannon({ ...s.opts, connections }, seconds);
  const cpuMs = serverCpuMs(pid) - cpuBefore;
  const dbMs = postgresCpuMs() - dbBefore;
  const ops = Math.max(1, r.requests.total / s.perIteration);
  return {
    scenario: s.name,
    concurrency: connections,
    rps: Math.round(r.requests.average / s.perIteration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    // The code round trip's first request is a redirect, by design.
    errors: r.errors + r.timeouts + r.non2xx - (s.name === 'code_pkce_round_trip' ? r['3xx'] : 0),
    unit: s.unit,
    serverCpuUs: Math.round((cpuMs * 1000) / ops),
    dbCpuUs: Math.round((dbMs * 1000) / ops),
  };
}

/**
 * Starts the checkout `dir` (built) as `npm start` does, with BENCH_NODE_ARGS, on port `port` and a
 * new database on `adminUrl`'s server; seeds it and returns its scenarios. A scenario that needs
 * what this checkout's schema lacks (the `resources` table, issue 16) is left out.
 */
export async function startTarget(dir: string, port: number, adminUrl: string): Promise<Target> {
  const base = `http://127.0.0.1:${port}`;
  const authSecret = crypto.randomBytes(33).toString('base64url');
  const workers = process.env.WEB_CONCURRENCY ?? '1';
  const dbName = `oauth_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const u = new URL(adminUrl);
  u.pathname = '/' + dbName;
  const databaseUrl = u.toString();
  let server: ChildProcess | null = null;
  let db: postgres.Sql | null = null;
  const stop = async () => {
    await db?.end().catch(() => {});
    server?.kill('SIGTERM');
    await sleep(500);
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  };
  try {
    console.log(`${dir}: database ${dbName}; starting the production server on :${port} (WEB_CONCURRENCY=${workers})…`);
    // The same node flags as `npm start` (heap limits keep RSS in check), plus BENCH_NODE_ARGS,
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server.
    const startScript: string = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts.start;
    const nodeArgs = [...(startScript.match(/--max-[a-z-]+=\d+/g) ?? []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    server = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server.ts'], {
      cwd: dir,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        AUTH_SECRET: authSecret,
        ISSUER: base,
        WEB_CONCURRENCY: workers,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitFor(`${base}/accounts/login/`, server, 'server');

    // --- seed ----------------------------------------------------------------------------
    db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    const [user] = await db`INSERT INTO users (username, username_canonical, email, password_hash) VALUES ('bench', 'bench', 'bench@example.com', ${await hash('bench-password')}) RETURNING id`;
    const ccId = randomId(40);
    const ccSecret = randomId(128);
    await db`INSERT INTO applications (client_id, client_secret, secret_hashed, name, client_type, grant_types, redirect_uris)
      VALUES (${ccId}, ${await hash(ccSecret)}, true, 'bench service', 'confidential', ${['client_credentials']}, ${[]})`;
    const codeId = randomId(40);
    const codeSecret = randomId(128);
    const redirect = 'https://www.getpostman.com/oauth2/callback';
    const [codeApp] = await db`INSERT INTO applications (client_id, client_secret, secret_hashed, name, client_type, grant_types, redirect_uris)
      VALUES (${codeId}, ${await hash(codeSecret)}, true, 'bench web app', 'confidential', ${['authorization_code', 'refresh_token']}, ${[redirect]}) RETURNING id`;
    await db`INSERT INTO consents (user_id, application_id, scope) VALUES (${user.id}, ${codeApp.id}, 'read write')`;
    // A resource that asks for RFC 9068 JWT access tokens (issue 16): client credentials for it sign a JWT.
    const jwtResource = 'https://bench-jwt.example/api';
    const [{ has_resources: hasResources }] = await db`SELECT to_regclass('resources') IS NOT NULL AS has_resources`;
    if (hasResources) {
      await db`INSERT INTO resources (identifier, name, scopes, access_token_format)
        VALUES (${jwtResource}, 'bench JWT API', ${db.json([{ name: 'bench:read', description: 'Read bench data' }])}, 'jwt')`;
      await db.notify('oauth_resources_changed', '1'); // lib/oauth/resources.ts: drop a cached list
    }
    const cookieName = 'authjs.session-token';
    // A server-side session row, as a login makes it (lib/auth/index.ts): the cookie names it by its sid.
    const sid = crypto.randomBytes(32).toString('base64url');
    await db`INSERT INTO sessions (sid_hash, user_id, expires_at) VALUES (${s256(sid)}, ${user.id}, now() + interval '1 hour')`;
    const session = await encode({ token: { sub: user.id, name: 'bench', authTime: Math.floor(Date.now() / 1000), sid }, secret: authSecret, salt: cookieName, maxAge: 3600 });
    const cookie = `${cookieName}=${session}`;
    const ccAuth = 'Basic ' + b64(`${ccId}:${ccSecret}`);
    const codeAuth = 'Basic ' + b64(`${codeId}:${codeSecret}`);
    const verifier = randomId(64);
    const authorizeUrl = `/o/authorize/?response_type=code&client_id=${codeId}&redirect_uri=${encodeURIComponent(redirect)}&scope=read&code_challenge=${s256(verifier)}&code_challenge_method=S256&state=bench`;
    const form = 'application/x-www-form-urlencoded';

    async function codeFlow(): Promise<{ access_token: string; refresh_token: string }> {
      const r = await fetch(base + authorizeUrl, { headers: { cookie }, redirect: 'manual' });
      const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
      const t = await fetch(`${base}/o/token/`, {
        method: 'POST',
        headers: { authorization: codeAuth, 'content-type': form },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }),
      });
      if (t.status !== 200) throw new Error(`seed code flow: ${t.status} ${await t.text()}`);
      return t.json();
    }
    const userToken = (await codeFlow()).access_token;
    const refreshPool: string[] = [];
    for (let i = 0; i < 64; i++) refreshPool.push((await codeFlow()).refresh_token);
    const ccBody = 'grant_type=client_credentials&scope=read';
    const ccFirst = await fetch(`${base}/o/token/`, { method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccBody });
    if (ccFirst.status !== 200) throw new Error(`seed client_credentials: ${ccFirst.status} ${await ccFirst.text()}`);
    const ccJwtBody = `grant_type=client_credentials&resource=${encodeURIComponent(jwtResource)}`;
    if (hasResources) {
      const ccJwtFirst = await fetch(`${base}/o/token/`, { method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccJwtBody });
      if (ccJwtFirst.status !== 200) throw new Error(`seed client_credentials_jwt: ${ccJwtFirst.status} ${await ccJwtFirst.text()}`);
    }

    // --- scenarios -----------------------------------------------------------------------
    const scenarios: Scenario[] = [
      {
        name: 'client_credentials',
        unit: 'token/s',
        perIteration: 1,
        opts: { url: `${base}/o/token/`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccBody },
      },
      ...(hasResources
        ? [
            {
              name: 'client_credentials_jwt',
              unit: 'token/s',
              perIteration: 1,
              opts: { url: `${base}/o/token/`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccJwtBody } as Opts,
            },
          ]
        : []),
      {
        name: 'code_pkce_round_trip',
        unit: 'round trips/s',
        perIteration: 2,
        opts: {
          url: base,
          requests: [
            {
              method: 'GET',
              path: authorizeUrl,
              headers: { cookie },
              onResponse: (status: number, _body: string, context: Record<string, string>, headers?: Record<string, string>) => {
                if (status === 302 && headers?.location) context.code = new URL(headers.location).searchParams.get('code') ?? '';
              },
            },
            {
              method: 'POST',
              path: '/o/token/',
              headers: { authorization: codeAuth, 'content-type': form },
              setupRequest: (req: Record<string, unknown>, context: Record<string, string>) => ({
                ...req,
                body: `grant_type=authorization_code&code=${context.code}&redirect_uri=${encodeURIComponent(redirect)}&code_verifier=${verifier}`,
              }),
            },
          ],
        } as unknown as Opts,
      },
      {
        name: 'refresh_rotation',
        unit: 'refresh/s',
        perIteration: 1,
        // A run's end drops the answers in flight, and with them the rotated tokens they carried.
        before: async () => {
          while (refreshPool.length < 64) refreshPool.push((await codeFlow()).refresh_token);
        },
        opts: {
          url: base,
          requests: [
            {
              method: 'POST',
              path: '/o/token/',
              headers: { authorization: codeAuth, 'content-type': form },
              setupRequest: (req: Record<string, unknown>) => ({ ...req, body: `grant_type=refresh_token&refresh_token=${refreshPool.shift()}` }),
              onResponse: (status: number, body: string) => {
                if (status === 200) refreshPool.push(JSON.parse(body).refresh_token);
              },
            },
          ],
        } as unknown as Opts,
      },
      {
        name: 'introspection',
        unit: 'req/s',
        perIteration: 1,
        opts: { url: `${base}/o/introspect/`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: `token=${userToken}` },
      },
      {
        name: 'api_hello_bearer',
        unit: 'req/s',
        perIteration: 1,
        opts: { url: `${base}/api/hello`, method: 'GET', headers: { authorization: `Bearer ${userToken}` } },
      },
      {
        name: 'discovery',
        unit: 'req/s',
        perIteration: 1,
        opts: { url: `${base}/.well-known/openid-configuration`, method: 'GET' },
      },
    ];
    return { dir, base, server, databaseUrl, ccSecret, scenarios, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
