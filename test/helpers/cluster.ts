// N production instances (`npm start`'s server.ts, NODE_ENV=production, after `next build`) on one
// fresh PostgreSQL database, behind nginx as a round-robin reverse proxy: the deployment the README's
// "Deploying" section describes, for the scale-out tests (test/features/scale-out/) and the soak
// (bench/soak.ts). Every instance shares ISSUER (the proxy's URL) and AUTH_SECRET and trusts one
// proxy hop (TRUST_PROXY=1), as in production.
import { execSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPostgresDatabase } from './db';

/**
 * The path polled to decide that an instance is ready: it answers once the process has opened and
 * migrated the database and Next.js has loaded its build (its first render also warms the pages).
 * Switch to '/readyz' (issue 15 item 1) once it exists on main.
 */
export const READY_PATH = '/accounts/login/';

/** Response header nginx adds (in the tests only): the instance that answered, `127.0.0.1:<port>`. */
export const UPSTREAM_HEADER = 'x-upstream';

const NGINX = '/usr/sbin/nginx';

export interface ClusterOptions {
  /** nginx listens here; instance i (0-based) on basePort + 1 + i. */
  basePort: number;
  /** How many instances (default 2). */
  instances?: number;
  /** More settings for every instance, by the README's variable names (e.g. RATE_LIMIT_MAX_FAILURES). */
  env?: Record<string, string>;
  /** Where instance output goes: kept in memory (default, read with output()) or also echoed. */
  echo?: boolean;
}

export interface Instance {
  /** 0-based. */
  index: number;
  /** The instance itself, around the proxy: `http://127.0.0.1:<port>`. */
  url: string;
  /** What nginx's UPSTREAM_HEADER says when this instance answered. */
  upstream: string;
  /** The node process (the cluster primary when WEB_CONCURRENCY > 1); null while stopped. */
  pid: () => number | null;
  /** Resident memory of the process and its workers in KiB (/proc VmRSS); 0 while stopped. */
  rssKb: () => number;
  /** Everything it printed, across restarts. */
  output: () => string;
  /** Sends `signal` (default SIGTERM) and waits for the exit (SIGKILL after `graceMs`, default 15 s). Resolves to the exit code. */
  stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<number | null>;
  /** Starts it again on the same port and database; resolves when READY_PATH answers. */
  start: () => Promise<void>;
}

export interface Cluster {
  /** The proxy's URL, which is also every instance's ISSUER: `http://localhost:<basePort>`. */
  url: string;
  instances: Instance[];
  /** The settings every instance runs with (DATABASE_URL, AUTH_SECRET, ISSUER, TRUST_PROXY, …): also what a test process installs to work on the same database. */
  env: Record<string, string>;
  /** The nginx configuration in use (text). */
  nginxConf: string;
  /** Stops nginx and every instance, drops the database and removes the temp directory. */
  dispose: () => Promise<void>;
}

/**
 * The nginx configuration the tests use, as the README's "Deploying" section shows it: one
 * round-robin upstream of the instances, Host preserved (server actions compare it with ISSUER),
 * X-Forwarded-For appended (the instances trust one hop: TRUST_PROXY=1), nothing cached. `dir`
 * holds nginx's pid file, logs and temp files, so that it runs unprivileged.
 */
export function nginxConfig(o: { listen: number; upstreams: string[]; dir: string }): string {
  const d = o.dir;
  return `daemon off;
master_process off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  upstream oauth {
${o.upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${o.listen};
    location / {
      proxy_pass http://oauth;
${PROXY_LOCATION}
      # Tests only: which instance answered.
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/**
 * The proxy settings of the `location` (the README's "Deploying" section shows these lines; a
 * scale-out test checks they agree).
 */
export const PROXY_LOCATION = `      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_cache off;
      client_max_body_size 2m;`;

/** Runs `next build` unless a build is there (NEXT_DIST_DIR or .next). */
export function ensureBuild(): void {
  const dist = process.env.NEXT_DIST_DIR || '.next';
  if (fs.existsSync(path.join(dist, 'BUILD_ID'))) return;
  console.log('No production build: running next build…');
  execSync('npx next build', { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
}

/** Resident memory (VmRSS, KiB) of `pid` and its direct children (the cluster's workers). */
export function treeRssKb(pid: number): number {
  let kids: number[] = [];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* gone */
  }
  let kb = 0;
  for (const p of [pid, ...kids]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return kb;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers below 500 (at most `ms`); throws with `what()` if `alive()` turns false. */
async function waitReady(url: string, ms: number, alive: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!alive()) throw new Error(`exited while starting:\n${what()}`);
    const ok = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${ms / 1000} s:\n${what()}`);
    await sleep(250);
  }
}

/**
 * Starts `instances` production instances on a new database on TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and nginx in front of them; resolves when all are
 * ready. Builds first if there is no build (~3 min). Throws if nginx is not installed (`.ci/run`
 * installs it). Call dispose() at the end, also after a failure.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install -y nginx (.ci/run does)`);
  ensureBuild();
  const n = opts.instances ?? 2;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-cluster-'));
  const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await createPostgresDatabase(adminUrl, 'oauth_cluster');

  const url = `http://localhost:${opts.basePort}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    AUTH_SECRET: crypto.randomBytes(33).toString('base64url'),
    ISSUER: url,
    TRUST_PROXY: '1',
    HOST: '127.0.0.1',
    DATA_DIR: path.join(dir, 'data'),
    ...opts.env,
  };
  // The same node flags as `npm start` (heap limits).
  const startScript: string = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.start;
  const nodeArgs = [...(startScript.match(/--max-[a-z-]+=\d+/g) ?? []), '--import', 'tsx', 'server.ts'];

  const instances: Instance[] = [];
  for (let i = 0; i < n; i++) {
    const port = opts.basePort + 1 + i;
    let child: ChildProcess | null = null;
    let out = '';
    let exited: Promise<number | null> = Promise.resolve(null);
    const inst: Instance = {
      index: i,
      url: `http://127.0.0.1:${port}`,
      upstream: `127.0.0.1:${port}`,
      pid: () => child?.pid ?? null,
      rssKb: () => (child?.pid ? treeRssKb(child.pid) : 0),
      output: () => out,
      start: async () => {
        if (out) out += `--- started again ---\n`;
        const c = spawn(process.execPath, nodeArgs, {
          env: { ...process.env, ...env, NODE_ENV: 'production', PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = c;
        const onData = (b: Buffer) => {
          out += b.toString('utf8');
          if (opts.echo) process.stdout.write(`[instance ${i}] ${b.toString('utf8')}`);
        };
        c.stdout!.on('data', onData);
        c.stderr!.on('data', onData);
        exited = new Promise((r) => c.once('exit', (code) => r(code)));
        await waitReady(`${inst.url}${READY_PATH}`, 120_000, () => c.exitCode === null && c.signalCode === null, () => out);
      },
      stop: async (signal = 'SIGTERM', graceMs = 15_000) => {
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
        c.kill(signal);
        const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
        if (!done) c.kill('SIGKILL');
        const code = await exited;
        child = null;
        return code;
      },
    };
    instances.push(inst);
  }

  const conf = nginxConfig({ listen: opts.basePort, upstreams: instances.map((x) => x.upstream), dir });
  const confPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(confPath, conf);
  let nginx: ChildProcess | null = null;
  const dispose = async () => {
    nginx?.kill('SIGQUIT');
    await Promise.all(instances.map((x) => x.stop('SIGTERM', 10_000)));
    await db.drop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const check = spawnSync(NGINX, ['-t', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', confPath], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    // All at once: the migrations run under an advisory lock (lib/db/index.ts).
    await Promise.all(instances.map((x) => x.start()));
    const ng = spawn(NGINX, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx = ng;
    let ngErr = '';
    ng.stderr!.on('data', (b: Buffer) => (ngErr += b.toString('utf8')));
    await waitReady(`${url}${READY_PATH}`, 10_000, () => ng.exitCode === null, () => ngErr + safeRead(path.join(dir, 'error.log')));
  } catch (err) {
    await dispose();
    throw err;
  }
  return { url, instances, env, nginxConf: conf, dispose };
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
