// npm run soak [-- --smoke] [-- --restart-db] [-- --seconds=N]
// Issue 15 item 5. Two production instances on one fresh PostgreSQL database behind nginx
// (test/helpers/cluster.ts), driven for 5 minutes at concurrency 16 with mixed traffic (client
// credentials, the code flow with refresh, introspection, revocation). In the middle one instance
// is SIGTERMed and started again, and PostgreSQL is restarted once. Then it proves from the
// database that nothing was lost or doubled, and that no answer was a 5xx other than a 503 inside
// an outage window; and that the servers' memory was flat over the last 3 minutes.
// Prints a summary and writes bench/results/soak.json (soak-smoke.json with --smoke).
//
// --smoke: 20 s, for CI; PostgreSQL is NOT restarted (CI and other processes share it) unless
// --restart-db is given. The instance is still SIGTERMed and restarted.
// SOAK_PORT (default 8630): nginx's port; the instances use the next two.
import { exec } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { startCluster, UPSTREAM_HEADER, type Cluster } from '../test/helpers/cluster';
import { useTestSettings } from '../test/helpers/settings';
import { basic, form, loginSession, makeApp, makeUser, POSTMAN_CALLBACK } from '../test/helpers/fixtures';
import { newVerifier } from '../test/helpers/codeflow';
import { s256 } from '../lib/oauth/pkce';
import { sha256b64url } from '../lib/oauth/random';
import { closeDb } from '../lib/db';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke');
const RESTART_DB = !SMOKE || args.includes('--restart-db');
const SECONDS = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? (SMOKE ? 20 : 300));
const CONCURRENCY = 16;
const PORT = Number(process.env.SOAK_PORT ?? 8630);
/** A request with no answer after this long counts as a hang (a failure). */
const REQUEST_TIMEOUT_MS = 15_000;
/** After an outage ends (instance ready again, PostgreSQL accepting), 503s are still allowed this long: pools reconnect. */
const RECOVERY_MS = 5_000;
/** The memory check looks at the last 3 minutes (less in short runs: reported, not enforced). */
const RSS_WINDOW_S = 180;
const RSS_MAX_GROWTH = 0.1;
const SAMPLE_MS = 5_000;

/** The cluster's control command (Debian's postgresql-common), async: the traffic goes on meanwhile. */
const PG_CTL = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main';
const sh = promisify(exec);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Op = 'client_credentials' | 'authorize' | 'code_exchange' | 'refresh' | 'introspect' | 'revoke';
interface Answer {
  op: Op;
  /** ms since the start of the traffic, when the request was sent and when its answer (or failure) came. */
  start: number;
  end: number;
  /** HTTP status, or 0: no answer (connection failed, or REQUEST_TIMEOUT_MS passed). */
  status: number;
  upstream: string | null;
  error?: string;
  /** For a 503: whether it said when to retry (Retry-After) and, on the OAuth endpoints, `temporarily_unavailable`. */
  proper503?: boolean;
}
interface Issued {
  kind: 'access' | 'refresh';
  token: string;
  clientId: string;
  userId: string | null;
  scope: string;
}
interface Window {
  what: string;
  start: number;
  end: number;
}

async function main() {
  const t0 = Date.now();
  console.log(`Soak: ${SECONDS} s at concurrency ${CONCURRENCY}, 2 instances behind nginx on :${PORT}; PostgreSQL restart: ${RESTART_DB ? 'yes' : 'no (smoke; --restart-db to add it)'}`);
  const cluster = await startCluster({ basePort: PORT });
  let pgDown = false;
  try {
    await run(cluster, () => (pgDown = true));
  } finally {
    if (pgDown) await ensurePostgresUp();
    await closeDb().catch(() => {});
    await cluster.dispose();
    console.log(`Done in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}

async function run(cluster: Cluster, markPgTouched: () => void) {
  const { DATABASE_URL, AUTH_SECRET, ISSUER, TRUST_PROXY, DATA_DIR } = cluster.env;
  useTestSettings({ DATABASE_URL, AUTH_SECRET, ISSUER, TRUST_PROXY, DATA_DIR });

  // --- seed: applications, users and their sessions (fixtures: the real schema and cookie) ---------
  const service = await makeApp({ name: 'soak service', grantTypes: ['client_credentials'], redirectUris: [] });
  const web = await makeApp({ name: 'soak web app', skipAuthorization: true });
  const people = await Promise.all([0, 1, 2, 3].map(() => makeUser()));
  const cookies = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => loginSession(people[i % people.length]).then((l) => l.cookie)));
  await closeDb(); // from here on only the instances (and the verification's own client) use the database

  const answers: Answer[] = [];
  const issued: Issued[] = [];
  const windows: Window[] = [];
  const rss: { t: number; kb: number[] }[] = [];
  const start = Date.now();
  const now = () => Date.now() - start;
  const deadline = start + SECONDS * 1000;

  async function call(op: Op, url: string, init: RequestInit): Promise<Response | null> {
    const a: Answer = { op, start: now(), end: 0, status: 0, upstream: null };
    answers.push(a);
    try {
      const r = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      a.status = r.status;
      a.upstream = r.headers.get(UPSTREAM_HEADER);
      if (r.status === 503) {
        const body = await r.clone().text();
        a.proper503 = Number(r.headers.get('retry-after')) > 0 && (op === 'authorize' || /"error":"temporarily_unavailable"/.test(body));
      }
      a.end = now();
      return r;
    } catch (e) {
      a.end = now();
      a.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return null;
    }
  }
  const post = (op: Op, path: string, auth: string, body: Record<string, string>) =>
    call(op, `${cluster.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: form(body) });
  const serviceAuth = basic(service.clientId, service.secret);
  const webAuth = basic(web.clientId, web.secret);

  /** Keeps the tokens of a 200 token answer for the verification. */
  async function keep(r: Response | null, clientId: string, userId: string | null, scope: string) {
    if (r?.status !== 200) {
      await r?.arrayBuffer(); // frees the connection
      return null;
    }
    const body = (await r.json()) as { access_token: string; refresh_token?: string; scope: string };
    if (body.scope !== scope) throw new Error(`scope ${body.scope} answered for ${scope}`);
    issued.push({ kind: 'access', token: body.access_token, clientId, userId, scope });
    if (body.refresh_token) issued.push({ kind: 'refresh', token: body.refresh_token, clientId, userId, scope });
    return body;
  }

  async function worker(w: number) {
    const user = people[w % people.length];
    const cookie = cookies[w];
    let family: { access: string; refresh: string } | null = null;
    while (Date.now() < deadline) {
      const dice = Math.random();
      if (dice < 0.25) {
        const r = await post('client_credentials', '/o/token/', serviceAuth, { grant_type: 'client_credentials', scope: 'read' });
        await keep(r, service.clientId, null, 'read');
      } else if (!family || dice < 0.4) {
        const verifier = newVerifier();
        const q = form({ response_type: 'code', client_id: web.clientId, redirect_uri: POSTMAN_CALLBACK, scope: 'read', code_challenge: s256(verifier), code_challenge_method: 'S256', state: 's' });
        const r = await call('authorize', `${cluster.url}/o/authorize/?${q}`, { headers: { cookie } });
        const code = r?.status === 302 ? new URL(r.headers.get('location')!).searchParams.get('code') : null;
        await r?.arrayBuffer();
        if (!code) continue;
        const t = await post('code_exchange', '/o/token/', webAuth, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier });
        const body = await keep(t, web.clientId, user.id, 'read');
        if (body) family = { access: body.access_token, refresh: body.refresh_token! };
      } else if (dice < 0.65) {
        const r = await post('refresh', '/o/token/', webAuth, { grant_type: 'refresh_token', refresh_token: family.refresh });
        const body = await keep(r, web.clientId, user.id, 'read');
        // No answer, or a refusal: the family's state is unknown or ended; start a new one.
        family = body ? { access: body.access_token, refresh: body.refresh_token! } : null;
      } else if (dice < 0.9) {
        const r = await post('introspect', '/o/introspect/', webAuth, { token: family.access });
        if (r) await r.arrayBuffer();
      } else {
        const r = await post('revoke', '/o/revoke_token/', webAuth, { token: family.refresh, token_type_hint: 'refresh_token' });
        if (r) await r.arrayBuffer();
        family = null;
      }
    }
  }

  // --- disturbances, in the middle -------------------------------------------------------------------
  async function disturb() {
    await sleep(SECONDS * 250); // a quarter in: one instance SIGTERMed and started again
    const victim = cluster.instances[1];
    const w: Window = { what: `instance ${victim.upstream} SIGTERM and restart`, start: now(), end: 0 };
    windows.push(w);
    const code = await victim.stop('SIGTERM');
    console.log(`  ${(now() / 1000).toFixed(1)} s: instance ${victim.upstream} exited with ${code} after SIGTERM; starting it again`);
    await victim.start();
    w.end = now() + RECOVERY_MS;
    console.log(`  ${(now() / 1000).toFixed(1)} s: instance ${victim.upstream} ready again`);
    if (!RESTART_DB) return;
    await sleep(Math.max(0, start + SECONDS * 400 - Date.now())); // 40 % in
    const pw: Window = { what: 'PostgreSQL restart', start: now(), end: 0 };
    windows.push(pw);
    markPgTouched();
    try {
      console.log(`  ${(now() / 1000).toFixed(1)} s: restarting PostgreSQL`);
      await sh(`${PG_CTL} restart`);
    } finally {
      await ensurePostgresUp();
      pw.end = now() + RECOVERY_MS;
      console.log(`  ${(now() / 1000).toFixed(1)} s: PostgreSQL accepting connections again`);
    }
  }

  const sampler = setInterval(() => rss.push({ t: now(), kb: cluster.instances.map((i) => i.rssKb()) }), SAMPLE_MS);
  rss.push({ t: 0, kb: cluster.instances.map((i) => i.rssKb()) });
  const disturbing = disturb();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const trafficEnd = now();
  await disturbing;
  clearInterval(sampler);
  rss.push({ t: now(), kb: cluster.instances.map((i) => i.rssKb()) });
  const elapsed = now();

  // --- verification ----------------------------------------------------------------------------------
  const failures: string[] = [];
  const db = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    // Every token answered 200 exists, by its hash, with the right client, user and scope.
    for (const kind of ['access', 'refresh'] as const) {
      const mine = issued.filter((i) => i.kind === kind);
      const rows = await db.unsafe<{ token_hash: string; client_id: string; user_id: string | null; scope: string }[]>(
        `SELECT t.token_hash, a.client_id, t.user_id, t.scope FROM ${kind}_tokens t JOIN applications a ON a.id = t.application_id WHERE t.token_hash = ANY($1)`,
        [mine.map((i) => sha256b64url(i.token))],
      );
      const byHash = new Map(rows.map((r) => [r.token_hash, r]));
      let missing = 0;
      let wrong = 0;
      for (const i of mine) {
        const row = byHash.get(sha256b64url(i.token));
        if (!row) missing++;
        else if (row.client_id !== i.clientId || row.user_id !== i.userId || row.scope !== i.scope) wrong++;
      }
      if (missing) failures.push(`${missing} ${kind} tokens answered 200 are not in the database`);
      if (wrong) failures.push(`${wrong} ${kind} tokens are stored with another client, user or scope than answered`);
    }
    // No refresh family has two live tokens.
    const doubled = await db`SELECT family_id, count(*)::int AS n FROM refresh_tokens WHERE revoked_at IS NULL AND rotated_at IS NULL GROUP BY family_id HAVING count(*) > 1`;
    if (doubled.length) failures.push(`${doubled.length} refresh families with more than one live token`);
    // No code redeemed twice: one family per code, and every code that started one is consumed.
    const twice = await db`SELECT authorization_code_id FROM refresh_tokens WHERE authorization_code_id IS NOT NULL GROUP BY 1 HAVING count(DISTINCT family_id) > 1`;
    if (twice.length) failures.push(`${twice.length} authorization codes redeemed more than once`);
    const unconsumed = await db`SELECT count(*)::int AS n FROM refresh_tokens r JOIN authorization_codes c ON c.id = r.authorization_code_id WHERE c.consumed_at IS NULL`;
    if (unconsumed[0].n > 0) failures.push(`${unconsumed[0].n} tokens from codes that are not marked consumed`);
  } finally {
    await db.end();
  }

  // No 5xx other than 503 inside an outage window; no request without an answer.
  const inWindow = (a: Answer) => windows.some((w) => a.end >= w.start && a.start <= w.end);
  const bad5xx = answers.filter((a) => a.status >= 500 && !(a.status === 503 && inWindow(a)));
  const unanswered = answers.filter((a) => a.status === 0);
  if (bad5xx.length) failures.push(`${bad5xx.length} answers were a 5xx other than 503 inside an outage window: ${summarise(bad5xx)}`);
  const improper = answers.filter((a) => a.proper503 === false);
  if (improper.length) failures.push(`${improper.length} 503 answers without Retry-After or (OAuth endpoints) temporarily_unavailable: ${summarise(improper)}`);
  if (unanswered.length) failures.push(`${unanswered.length} requests got no answer: ${[...new Set(unanswered.map((a) => a.error))].slice(0, 3).join('; ')}`);

  // Memory: flat over the last 3 minutes, per instance (the restarted one only if it ran all along).
  const from = elapsed - RSS_WINDOW_S * 1000;
  const memory = cluster.instances.map((inst, i) => {
    const window = rss.filter((s) => s.t >= from && s.kb[i] > 0);
    const first = window[0]?.kb[i] ?? 0;
    const last = window.at(-1)?.kb[i] ?? 0;
    const growth = first ? (last - first) / first : 0;
    const restartedInside = windows.some((w) => w.what.includes(inst.upstream) && w.start >= from);
    const enforced = from >= 0 && !restartedInside;
    if (enforced && growth >= RSS_MAX_GROWTH) failures.push(`instance ${inst.upstream}: RSS grew ${(growth * 100).toFixed(1)} % over the last ${RSS_WINDOW_S} s`);
    return { instance: inst.upstream, rssFirstMb: Math.round(first / 1024), rssLastMb: Math.round(last / 1024), growthPercent: Math.round(growth * 1000) / 10, checked: enforced };
  });

  // --- summary ---------------------------------------------------------------------------------------
  const byStatus: Record<string, number> = {};
  const byOp: Record<string, Record<string, number>> = {};
  for (const a of answers) {
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    (byOp[a.op] ??= {})[a.status] = (byOp[a.op][a.status] ?? 0) + 1;
  }
  const byUpstream: Record<string, number> = {};
  for (const a of answers) if (a.upstream) byUpstream[a.upstream] = (byUpstream[a.upstream] ?? 0) + 1;
  const bucketS = SMOKE ? 2 : 10;
  const throughput: { fromS: number; requests: number; ok: number; rps: number }[] = [];
  for (let b = 0; b * bucketS * 1000 < trafficEnd; b++) {
    const inB = answers.filter((a) => a.end >= b * bucketS * 1000 && a.end < (b + 1) * bucketS * 1000);
    throughput.push({ fromS: b * bucketS, requests: inB.length, ok: inB.filter((a) => a.status > 0 && a.status < 500).length, rps: Math.round(inB.length / bucketS) });
  }
  const result = {
    at: new Date().toISOString(),
    mode: SMOKE ? 'smoke' : 'full',
    machine: { cpus: os.cpus().length, node: process.version },
    seconds: Math.round(trafficEnd / 1000),
    concurrency: CONCURRENCY,
    instances: cluster.instances.length,
    postgresRestarted: RESTART_DB,
    requests: answers.length,
    tokensIssued: { access: issued.filter((i) => i.kind === 'access').length, refresh: issued.filter((i) => i.kind === 'refresh').length },
    answersByStatus: byStatus,
    answersByOperation: byOp,
    answersByInstance: byUpstream,
    outageWindows: windows.map((w) => ({ what: w.what, fromS: w.start / 1000, toS: w.end / 1000, answers: summariseStatuses(answers.filter((a) => a.end >= w.start && a.start <= w.end)) })),
    throughput,
    memory,
    failures,
    passed: failures.length === 0,
  };
  console.log(`\n${answers.length} requests in ${result.seconds} s; by status ${JSON.stringify(byStatus)}; by instance ${JSON.stringify(byUpstream)}`);
  console.log(`Tokens issued: ${result.tokensIssued.access} access, ${result.tokensIssued.refresh} refresh`);
  for (const [op, s] of Object.entries(byOp)) console.log(`  ${op.padEnd(19)} ${JSON.stringify(s)}`);
  for (const w of result.outageWindows) console.log(`Outage window ${w.fromS.toFixed(1)}–${w.toS.toFixed(1)} s (${w.what}): ${JSON.stringify(w.answers)}`);
  console.log(`Throughput (req/s per ${bucketS} s): ${throughput.map((b) => b.rps).join(' ')}`);
  for (const m of memory) console.log(`Memory ${m.instance}: ${m.rssFirstMb} → ${m.rssLastMb} MB (${m.growthPercent} %)${m.checked ? '' : ' (not checked: run shorter than the window, or restarted in it)'}`);
  const file = SMOKE ? 'bench/results/soak-smoke.json' : 'bench/results/soak.json';
  fs.mkdirSync('bench/results', { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`Wrote ${file}`);
  if (failures.length) {
    // What the instances logged beyond info: the first place to look.
    for (const inst of cluster.instances) {
      const errors = inst.output().split('\n').filter((l) => / (WARN|ERROR|FATAL) |"level":"(warn|error|fatal)"/.test(l) && !l.includes('setup.token'));
      if (errors.length) console.error(`\nWarnings and errors logged by ${inst.upstream} (${errors.length}, first 20):\n${errors.slice(0, 20).join('\n')}`);
    }
    console.error(`\nSOAK FAILED:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else console.log('\nSoak passed: nothing lost or doubled, no unexpected 5xx.');
}

function summariseStatuses(as: Answer[]): Record<string, number> {
  const s: Record<string, number> = {};
  for (const a of as) s[a.status] = (s[a.status] ?? 0) + 1;
  return s;
}

function summarise(as: Answer[]): string {
  return as
    .slice(0, 5)
    .map((a) => `${a.op} ${a.status} at ${(a.start / 1000).toFixed(1)} s via ${a.upstream ?? '?'}`)
    .join(', ');
}

/** Starts PostgreSQL if it does not accept connections (after a restart that failed half-way). */
async function ensurePostgresUp() {
  const ready = () => sh('pg_isready -h 127.0.0.1 -p 5432 -q').then(() => true, () => false);
  if (await ready()) return;
  await sh(`${PG_CTL} start`).catch((e) => console.error(`pg_ctlcluster start: ${e instanceof Error ? e.message : e}`));
  for (let i = 0; i < 60 && !(await ready()); i++) await sleep(500);
}

main().catch((e) => {
  console.error('soak failed:', e instanceof Error ? e.stack : e);
  process.exit(1);
});
