// npm run bench:charts [-- --db=pglite|postgres] [-- --events=1000000] [-- --requests=20]
// The usage charts' render time (issue 17: under 200 ms with 1,000,000 audit events). Fills a fresh
// database (PostgreSQL on BENCH_DATABASE_URL, the default, or an embedded PGlite in a temp
// directory) with `events` audit events over 90 days across 50 applications and 5,000 users
// (generate_series in SQL), rebuilds the rollups (npm run rollups -- --rebuild, as an operator
// would), then starts the production server (needs `next build`) and requests, as a staff user,
// an application's page and /admin/ with ?days=90 (the longest period): a few warm-ups, then
// `requests` sequential requests each, and prints the median and p95 of the full response time
// against the 200 ms target. A measurement to read, not a test: it never fails on time.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { encode } from 'next-auth/jwt';

const args = new Map(process.argv.slice(2).map((a) => [a.replace(/^--/, '').split('=')[0], a.split('=')[1] ?? 'true']));
const DB = args.get('db') === 'pglite' ? 'pglite' : 'postgres';
const EVENTS = Number(args.get('events') ?? 1_000_000);
const REQUESTS = Number(args.get('requests') ?? 20);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_PORT ?? 8700);
const BASE = `http://127.0.0.1:${PORT}`;
const AUTH_SECRET = crypto.randomBytes(33).toString('base64url');
const TARGET_MS = 200;
const APPS = 50;
const USERS = 5000;
const ROOT = path.resolve(import.meta.dirname, '..');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s256 = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');

/** The events, in one statement: a mix of the charted types, spread uniformly over the last 90 days. */
const SEED_EVENTS = `
  WITH a AS (SELECT array_agg(id ORDER BY id) AS ids FROM applications),
       u AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE NOT is_staff),
       g AS (SELECT n, ((n::bigint * 7919) % 100)::int AS bucket FROM generate_series(1, $1::int) n)
  INSERT INTO audit_events (at, type, actor_user_id, application_id, ip, detail)
  SELECT now() - random() * interval '90 days', t.type,
         CASE WHEN t.type IN ('token.issued', 'login.success', 'consent.granted') AND g.n % 4 <> 0 THEN u.ids[1 + g.n % array_length(u.ids, 1)] END,
         CASE WHEN t.type IN ('login.success', 'login.failure', 'login.throttled') THEN NULL ELSE a.ids[1 + (g.n * 31) % array_length(a.ids, 1)] END,
         '127.0.0.1',
         CASE t.type WHEN 'token.issued' THEN jsonb_build_object('grant_type', (ARRAY['authorization_code', 'refresh_token', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'])[1 + g.n % 5])
                     WHEN 'rate_limit.refused' THEN jsonb_build_object('limit', (ARRAY['login', 'client'])[1 + g.n % 2]) END
  FROM g, a, u, LATERAL (SELECT CASE WHEN g.bucket < 60 THEN 'token.issued' WHEN g.bucket < 65 THEN 'client.auth_failed' WHEN g.bucket < 80 THEN 'login.success'
                                     WHEN g.bucket < 85 THEN 'login.failure' WHEN g.bucket < 90 THEN 'consent.granted' WHEN g.bucket < 95 THEN 'token.revoked'
                                     WHEN g.bucket < 97 THEN 'login.throttled' ELSE 'rate_limit.refused' END AS type) t`;

interface Target {
  env: Record<string, string>;
  /** Runs statements on the database (before the server holds it: PGlite allows one process). */
  run: (fn: (exec: (q: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<void>) => Promise<void>;
  drop: () => Promise<void>;
}

async function target(): Promise<Target> {
  if (DB === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-charts-'));
    const env = { DATA_DIR: dir };
    return {
      env,
      run: async (fn) => {
        // The schema first: the same migrations the server runs (lib/db), in this process.
        Object.assign(process.env, env, { AUTH_SECRET });
        const { installSettings, settingsFromEnvironment } = await import('../lib/env');
        installSettings(settingsFromEnvironment());
        const { getHandle, closeDb, query } = await import('../lib/db');
        const { sql } = await import('drizzle-orm');
        await getHandle();
        // Inline the parameters (numbers, or quoted strings): this bench's own values only.
        await fn(async (q, params = []) => query(sql.raw(params.reduce<string>((s, p, i) => s.replaceAll(`$${i + 1}`, typeof p === 'number' ? String(p) : `'${String(p).replace(/'/g, "''")}'`), q))));
        await closeDb();
      },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `bench_charts_${crypto.randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(ADMIN_URL);
  u.pathname = '/' + name;
  const env = { DATABASE_URL: u.toString(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-charts-')) };
  return {
    env,
    run: async (fn) => {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: ROOT, env: { ...process.env, ...env, AUTH_SECRET }, stdio: 'inherit' });
      const db = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
      await fn(async (q, params = []) => db.unsafe(q, params as never[]) as unknown as Promise<Array<Record<string, unknown>>>);
      await db.end();
    },
    drop: async () => {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
    },
  };
}

async function waitFor(url: string, proc: ChildProcess) {
  for (let i = 0; i < 480; i++) {
    if (proc.exitCode !== null) throw new Error(`the server exited with ${proc.exitCode}`);
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await sleep(250);
  }
  throw new Error('the server did not start');
}

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

async function measure(label: string, url: string, cookie: string, expectText: string) {
  const once = async () => {
    const t0 = performance.now();
    const r = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    const body = await r.text();
    const ms = performance.now() - t0;
    if (r.status !== 200 || !body.includes(expectText)) throw new Error(`${label}: ${r.status}, expected text missing`);
    return ms;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push(await once());
  const { median, p95 } = stats(times);
  const verdict = p95 <= TARGET_MS ? 'within' : median <= TARGET_MS ? 'median within, p95 over' : 'OVER';
  console.log(`${label.padEnd(34)} median ${median.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   (${verdict} the ${TARGET_MS} ms target; ${REQUESTS} requests)`);
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID'))) throw new Error('Run `npx next build` first.');
  const t = await target();
  let server: ChildProcess | null = null;
  try {
    const sid = crypto.randomBytes(32).toString('base64url');
    let staffId = '';
    let appId = 0;
    await t.run(async (exec) => {
      const t0 = performance.now();
      const [staff] = await exec(`INSERT INTO users (username, username_canonical, email, password_hash, is_staff) VALUES ('bench_staff', 'bench_staff', 'staff@example.com', 'x', true) RETURNING id`);
      staffId = String(staff.id);
      await exec(`INSERT INTO users (username, username_canonical, email, password_hash) SELECT 'user' || n, 'user' || n, '', 'x' FROM generate_series(1, ${USERS}) n`);
      await exec(
        `INSERT INTO applications (client_id, client_secret, secret_hashed, name, client_type, grant_types, redirect_uris, user_id)
         SELECT 'bench-client-' || n, 'x', true, 'Bench app ' || n, 'confidential', ARRAY['authorization_code', 'refresh_token', 'client_credentials'], ARRAY['https://app.example/cb'], $1::uuid
         FROM generate_series(1, ${APPS}) n`,
        [staffId],
      );
      const [app] = await exec(`SELECT id FROM applications ORDER BY id LIMIT 1`);
      appId = Number(app.id);
      await exec(`INSERT INTO sessions (sid_hash, user_id, expires_at) VALUES ($1, $2::uuid, now() + interval '1 hour')`, [s256(sid), staffId]);
      await exec(SEED_EVENTS, [EVENTS]);
      const [n] = await exec(`SELECT count(*)::int AS n FROM audit_events`);
      console.log(`${DB}: ${Number(n.n).toLocaleString('en-US')} audit events over 90 days, ${APPS} applications, ${USERS} users, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
    const t1 = performance.now();
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/rollups.ts', '--rebuild'], { cwd: ROOT, env: { ...process.env, ...t.env, AUTH_SECRET }, stdio: 'inherit' });
    console.log(`Rollups rebuilt in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

    server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...t.env, AUTH_SECRET, NODE_ENV: 'production', PORT: String(PORT), HOST: '127.0.0.1', ISSUER: BASE, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(`${BASE}/accounts/login/`, server);
    const cookieName = 'authjs.session-token';
    const session = await encode({ token: { sub: staffId, name: 'bench_staff', authTime: Math.floor(Date.now() / 1000), sid }, secret: AUTH_SECRET, salt: cookieName, maxAge: 3600 });
    const cookie = `${cookieName}=${session}`;
    await measure("an application's page, 90 days", `${BASE}/o/applications/${appId}/?days=90`, cookie, 'Tokens issued per day');
    await measure('/admin/, 90 days', `${BASE}/admin/?days=90`, cookie, 'Top applications by tokens issued');
    await measure("an application's page, 30 days", `${BASE}/o/applications/${appId}/`, cookie, 'Tokens issued per day');
    await measure('/admin/, 30 days', `${BASE}/admin/`, cookie, 'Top applications by tokens issued');
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await t.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
