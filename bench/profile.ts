// npm run bench:profile -- <checkout dir> <tag> <scenario> <requests> <port>
// Where one scenario's time goes, per request, for one checkout: starts it (bench/target.ts) with
// --cpu-prof (or, with STRACE=1, under `strace -c`), warms up 3 s, sends exactly <requests> requests
// at concurrency 1, and prints the CPU of each kind of PostgreSQL process per request. Writes
// /tmp/prof/<tag>/: the server's .cpuprofile and window.json {t0, t1, amount} (monotonic µs), so
// that only the samples of the measured requests are read. Run it for two checkouts to compare.
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { startTarget, sleep } from './target';
const [dir, tag, scenario, amountArg, port] = process.argv.slice(2);
const amount = Number(amountArg);
const out = `/tmp/prof/${tag}`;
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
if (!process.env.STRACE && process.env.PERF !== 'db') process.env.BENCH_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${out}`;
function pgSnapshot(): Map<string, number> {
  const m = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (!cmd.startsWith('postgres')) continue;
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      const key = `${pid} ${cmd.replace(/127\.0\.0\.1\(\d+\)/, '').replace(/ (idle|active|INSERT|SELECT|UPDATE|idle in transaction).*$/, '')}`;
      m.set(key, (Number(f[11]) + Number(f[12])) * 10);
    } catch {}
  }
  return m;
}
const run = (opts: autocannon.Options, extra: Partial<autocannon.Options>) =>
  new Promise<autocannon.Result>((res, rej) => autocannon({ ...opts, pipelining: 1, connections: 1, ...extra }, (e, r) => (e ? rej(e) : res(r))));
const t = await startTarget(dir, Number(port), process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
try {
  const s = t.scenarios.find((x) => x.name === scenario);
  if (!s) throw new Error(`no scenario ${scenario}: one of ${t.scenarios.map((x) => x.name).join(', ')}`);
  await s.before?.();
  await run(s.opts, { duration: 3 });
  const st = process.env.STRACE ? spawn('strace', ['-c', '-f', '-p', String(t.server.pid), '-o', `${out}/strace.txt`]) : null;
  // With STRACE=db: the database's backends instead (their system calls per request).
  const dbName = new URL(t.databaseUrl).pathname.slice(1);
  const backends = process.env.STRACE === 'db'
    ? execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-At', '-c', `SELECT pid FROM pg_stat_activity WHERE datname = '${dbName}'`]).toString().trim().split('\n').filter(Boolean)
    : [];
  const stDb = backends.length ? spawn('strace', ['-c', ...backends.flatMap((p) => ['-p', p]), '-o', `${out}/strace-db.txt`]) : null;
  // With PERF=db: `perf record` of the database's backends (perf report -i <out>/perf.data).
  const perfBackends = process.env.PERF === 'db'
    ? execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-At', '-c', `SELECT pid FROM pg_stat_activity WHERE datname = '${dbName}'`]).toString().trim().split('\n').filter(Boolean)
    : [];
  const perf = perfBackends.length ? spawn('perf', ['record', '-F', '2000', '-o', `${out}/perf.data`, '-p', perfBackends.join(',')], { stdio: 'ignore' }) : null;
  if (stDb) st?.kill('SIGINT');
  if (st) await sleep(1500);
  const pg0 = pgSnapshot();
  const t0 = Number(process.hrtime.bigint() / 1000n);
  const r = await run(s.opts, { amount });
  const t1 = Number(process.hrtime.bigint() / 1000n);
  const pg1 = pgSnapshot();
  const byKind = new Map<string, number>();
  for (const [k, v] of pg1) { const d = v - (pg0.get(k) ?? 0); if (d > 0) { const kind = k.split(' ').slice(1).join(' '); byKind.set(kind, (byKind.get(kind) ?? 0) + d); } }
  for (const [k, v] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`pg ${(v * 1000 / amount).toFixed(1)} µs/req  ${k}`);
  if (st || stDb || perf) { st?.kill('SIGINT'); stDb?.kill('SIGINT'); perf?.kill('SIGINT'); await sleep(2500); }
  fs.writeFileSync(`${out}/window.json`, JSON.stringify({ t0, t1, amount, non2xx: r.non2xx, rps: r.requests.average, dir: path.resolve(dir) }));
  console.log(tag, scenario, 'rps', r.requests.average, 'non2xx', r.non2xx);
} finally {
  await t.stop();
  await sleep(1000);
}
