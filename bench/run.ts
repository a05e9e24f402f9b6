// npm run bench [-- --smoke] [-- --only=name,name]
// Builds if needed, starts the production server on a fresh PostgreSQL database, seeds clients,
// and drives each scenario with autocannon from this (separate) process: 2 s warm-up, then 10 s,
// at concurrency 1 and 16. The floor (bench/floor.ts) runs in the same session; every scenario is
// reported as a ratio to it. Results go to bench/results/latest.json.
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { hash } from '@node-rs/argon2';
import { encode } from 'next-auth/jwt';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke');
const ONLY = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const WARMUP = SMOKE ? 0.5 : 2;
const DURATION = SMOKE ? 1 : 10;
const CONCURRENCY = [1, 16];
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_PORT ?? 8700);
const FLOOR_PORT = PORT + 1;
const BASE = `http://127.0.0.1:${PORT}`;
const AUTH_SECRET = crypto.randomBytes(33).toString('base64url');
const WORKERS = process.env.WEB_CONCURRENCY ?? '1';
const distDir = process.env.NEXT_DIST_DIR || '.next';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const s256 = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');
const randomId = (n: number) => crypto.randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

function buildIfNeeded() {
  if (fs.existsSync(path.join(distDir, 'BUILD_ID')) && !args.includes('--build')) return;
  console.log('Building (next build)…');
  execSync('npx next build', { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
}

async function waitFor(url: string, proc: ChildProcess, what: string) {
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

/** Peak resident memory of a process and its children (workers), from /proc. */
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

/**
 * CPU time (user + system) the server's processes have used so far, in ms (/proc/<pid>/stat
 * utime and stime, in clock ticks of 10 ms). Per operation it shows the server's own cost, which
 * other load on the machine barely moves, unlike throughput.
 */
function serverCpuMs(pid: number): number {
  let ticks = 0;
  for (const p of serverPids(pid)) {
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

function peakRssMb(pid: number): number {
  const pids = serverPids(pid);
  let total = 0;
  for (const p of pids) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return Math.round(total / 1024);
}

function currentRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

type Opts = autocannon.Options;
interface Result {
  scenario: string;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  unit: string;
  ratioToFloor?: number;
  /** The server's CPU time per operation (µs): serverCpuMs over the measured run / operations. */
  serverCpuUs: number;
}

async function cannon(opts: Opts, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ ...opts, duration, pipelining: 1 }, (err, res) => (err ? reject(err) : resolve(res)));
    void inst;
  });
}

async function main() {
  buildIfNeeded();
  const dbName = `oauth_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = '/' + dbName;
  const DATABASE_URL = u.toString();
  const procs: ChildProcess[] = [];
  const cleanup = async () => {
    for (const p of procs) p.kill('SIGTERM');
    await sleep(500);
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  };

  try {
    console.log(`Database ${dbName}; starting the production server on :${PORT} (WEB_CONCURRENCY=${WORKERS})…`);
    // The same node flags as `npm start` (heap limits keep RSS in check), plus BENCH_NODE_ARGS,
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the server.
    const startScript: string = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.start;
    const nodeArgs = [...(startScript.match(/--max-[a-z-]+=\d+/g) ?? []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const server = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(PORT),
        HOST: '127.0.0.1',
        DATABASE_URL,
        AUTH_SECRET,
        ISSUER: BASE,
        WEB_CONCURRENCY: WORKERS,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    procs.push(server);
    await waitFor(`${BASE}/accounts/login/`, server, 'server');

    // --- seed ----------------------------------------------------------------------------
    const db = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
    const [user] = await db`INSERT INTO users (username, username_canonical, email, password_hash) VALUES ('bench', 'bench', 'bench@example.com', ${await hash('bench-password')}) RETURNING id`;
    const ccId = randomId(40);
    const ccSecret = randomId(128);
    const [cc] = await db`INSERT INTO applications (client_id, client_secret, secret_hashed, name, client_type, grant_types, redirect_uris)
      VALUES (${ccId}, ${await hash(ccSecret)}, true, 'bench service', 'confidential', ${['client_credentials']}, ${[]}) RETURNING id`;
    const codeId = randomId(40);
    const codeSecret = randomId(128);
    const redirect = 'https://www.getpostman.com/oauth2/callback';
    const [codeApp] = await db`INSERT INTO applications (client_id, client_secret, secret_hashed, name, client_type, grant_types, redirect_uris)
      VALUES (${codeId}, ${await hash(codeSecret)}, true, 'bench web app', 'confidential', ${['authorization_code', 'refresh_token']}, ${[redirect]}) RETURNING id`;
    await db`INSERT INTO consents (user_id, application_id, scope) VALUES (${user.id}, ${codeApp.id}, 'read write')`;
    void cc;
    // A resource that asks for RFC 9068 JWT access tokens (issue 16): client credentials for it sign a JWT.
    const jwtResource = 'https://bench-jwt.example/api';
    await db`INSERT INTO resources (identifier, name, scopes, access_token_format)
      VALUES (${jwtResource}, 'bench JWT API', ${db.json([{ name: 'bench:read', description: 'Read bench data' }])}, 'jwt')`;
    await db.notify('oauth_resources_changed', '1'); // lib/oauth/resources.ts: drop a cached list
    const cookieName = 'authjs.session-token';
    // A server-side session row, as a login makes it (lib/auth/index.ts): the cookie names it by its sid.
    const sid = crypto.randomBytes(32).toString('base64url');
    await db`INSERT INTO sessions (sid_hash, user_id, expires_at) VALUES (${s256(sid)}, ${user.id}, now() + interval '1 hour')`;
    const session = await encode({ token: { sub: user.id, name: 'bench', authTime: Math.floor(Date.now() / 1000), sid }, secret: AUTH_SECRET, salt: cookieName, maxAge: 3600 });
    const cookie = `${cookieName}=${session}`;
    const ccAuth = 'Basic ' + b64(`${ccId}:${ccSecret}`);
    const codeAuth = 'Basic ' + b64(`${codeId}:${codeSecret}`);
    const verifier = randomId(64);
    const authorizeUrl = `/o/authorize/?response_type=code&client_id=${codeId}&redirect_uri=${encodeURIComponent(redirect)}&scope=read&code_challenge=${s256(verifier)}&code_challenge_method=S256&state=bench`;
    const form = 'application/x-www-form-urlencoded';

    async function codeFlow(): Promise<{ access_token: string; refresh_token: string }> {
      const r = await fetch(BASE + authorizeUrl, { headers: { cookie }, redirect: 'manual' });
      const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
      const t = await fetch(`${BASE}/o/token/`, {
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
    const ccFirst = await fetch(`${BASE}/o/token/`, { method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: 'grant_type=client_credentials&scope=read' });
    if (ccFirst.status !== 200) throw new Error(`seed client_credentials: ${ccFirst.status} ${await ccFirst.text()}`);

    // The floor, on the same database.
    const floor = spawn(process.execPath, ['--import', 'tsx', 'bench/floor.ts'], {
      env: { ...process.env, DATABASE_URL, PORT: String(FLOOR_PORT), BENCH_FLOOR_SECRET: ccSecret },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    procs.push(floor);
    await waitFor(`http://127.0.0.1:${FLOOR_PORT}/`, floor, 'floor');

    // --- scenarios -----------------------------------------------------------------------
    const ccBody = 'grant_type=client_credentials&scope=read';
    const ccJwtBody = `grant_type=client_credentials&resource=${encodeURIComponent(jwtResource)}`;
    const ccJwtFirst = await fetch(`${BASE}/o/token/`, { method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccJwtBody });
    if (ccJwtFirst.status !== 200) throw new Error(`seed client_credentials_jwt: ${ccJwtFirst.status} ${await ccJwtFirst.text()}`);
    const scenarios: Array<{ name: string; unit: string; perIteration: number; opts: Opts }> = [
      {
        name: 'floor',
        unit: 'token/s',
        perIteration: 1,
        opts: { url: `http://127.0.0.1:${FLOOR_PORT}/token`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccBody },
      },
      {
        name: 'client_credentials',
        unit: 'token/s',
        perIteration: 1,
        opts: { url: `${BASE}/o/token/`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccBody },
      },
      {
        name: 'client_credentials_jwt',
        unit: 'token/s',
        perIteration: 1,
        opts: { url: `${BASE}/o/token/`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: ccJwtBody },
      },
      {
        name: 'code_pkce_round_trip',
        unit: 'round trips/s',
        perIteration: 2,
        opts: {
          url: BASE,
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
        opts: {
          url: BASE,
          requests: [
            {
              method: 'POST',
              path: '/o/token/',
              headers: { authorization: codeAuth, 'content-type': form },
              setupRequest: (req: Record<string, unknown>, context: Record<string, string>) => {
                const rt = refreshPool.shift();
                context.rt = rt ?? '';
                return { ...req, body: `grant_type=refresh_token&refresh_token=${rt}` };
              },
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
        opts: { url: `${BASE}/o/introspect/`, method: 'POST', headers: { authorization: ccAuth, 'content-type': form }, body: `token=${userToken}` },
      },
      {
        name: 'api_hello_bearer',
        unit: 'req/s',
        perIteration: 1,
        opts: { url: `${BASE}/api/hello`, method: 'GET', headers: { authorization: `Bearer ${userToken}` } },
      },
      {
        name: 'discovery',
        unit: 'req/s',
        perIteration: 1,
        opts: { url: `${BASE}/.well-known/openid-configuration`, method: 'GET' },
      },
    ];

    const results: Result[] = [];
    const floorRps = new Map<number, number>();
    for (const s of scenarios) {
      if (ONLY && s.name !== 'floor' && !ONLY.includes(s.name)) continue;
      for (const c of CONCURRENCY) {
        if (WARMUP > 0) await cannon({ ...s.opts, connections: c }, WARMUP);
        // The floor's CPU is the floor process's; every other scenario's is the server's.
        const measured = s.name === 'floor' ? floor.pid! : server.pid!;
        const cpuBefore = serverCpuMs(measured);
        const r = await cannon({ ...s.opts, connections: c }, DURATION);
        const cpuMs = serverCpuMs(measured) - cpuBefore;
        const rps = r.requests.average / s.perIteration;
        const errors = r.errors + r.timeouts + r.non2xx - (s.name === 'code_pkce_round_trip' ? r['3xx'] : 0);
        if (s.name === 'floor') floorRps.set(c, rps);
        const floorValue = floorRps.get(c);
        const row: Result = {
          scenario: s.name,
          concurrency: c,
          rps: Math.round(rps),
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors,
          unit: s.unit,
          ratioToFloor: floorValue ? Math.round((rps / floorValue) * 1000) / 10 : undefined,
          serverCpuUs: Math.round((cpuMs * 1000) / Math.max(1, r.requests.total / s.perIteration)),
        };
        results.push(row);
        console.log(
          `${s.name.padEnd(22)} c=${String(c).padEnd(3)} ${String(row.rps).padStart(6)} ${s.unit.padEnd(14)} p50 ${String(row.p50).padStart(3)} ms  p99 ${String(row.p99).padStart(4)} ms  cpu ${String(row.serverCpuUs).padStart(5)} µs  errors ${errors}` +
            (s.name !== 'floor' && row.ratioToFloor !== undefined ? `  ${row.ratioToFloor}% of floor` : ''),
        );
      }
    }
    const peak = peakRssMb(server.pid!);
    const rssAfter = currentRssMb(server.pid!);
    console.log(`\nServer memory: peak RSS ${peak} MB, RSS after the bench ${rssAfter} MB (WEB_CONCURRENCY=${WORKERS}; with workers the peak sums all processes)`);
    const out = {
      at: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      mode: SMOKE ? 'smoke' : 'full',
      warmupSeconds: WARMUP,
      durationSeconds: DURATION,
      webConcurrency: Number(WORKERS),
      serverPeakRssMb: peak,
      serverRssAfterMb: rssAfter,
      results,
    };
    fs.mkdirSync('bench/results', { recursive: true });
    fs.writeFileSync('bench/results/latest.json', JSON.stringify(out, null, 2) + '\n');
    console.log('Wrote bench/results/latest.json');
    const bad = results.filter((r) => r.errors > 0);
    await db.end();
    await cleanup();
    if (bad.length) {
      console.error(`Errors in: ${bad.map((r) => `${r.scenario} c=${r.concurrency}`).join(', ')}`);
      process.exit(1);
    }
  } catch (e) {
    console.error('bench failed:', e instanceof Error ? e.message : e);
    await cleanup();
    process.exit(1);
  }
}

void main();
