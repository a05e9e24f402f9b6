// Scratch (not committed): profile one scenario of a checkout for exactly AMOUNT requests at c1;
// writes /tmp/prof/<tag>/window.json {t0,t1,amount} (monotonic µs) next to the server's cpuprofile.
import fs from 'node:fs';
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { startTarget, sleep } from './target';
const [dir, tag, scenario, amountArg, port] = process.argv.slice(2);
const amount = Number(amountArg);
const out = `/tmp/prof/${tag}`;
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
if (!process.env.STRACE) process.env.BENCH_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${out}`;
const run = (opts: autocannon.Options, extra: Partial<autocannon.Options>) =>
  new Promise<autocannon.Result>((res, rej) => autocannon({ ...opts, pipelining: 1, connections: 1, ...extra }, (e, r) => (e ? rej(e) : res(r))));
const t = await startTarget(dir, Number(port), 'postgres://postgres@127.0.0.1:5432/postgres');
try {
  const s = t.scenarios.find((x) => x.name === scenario)!;
  await s.before?.();
  await run(s.opts, { duration: 3 });
  const st = process.env.STRACE ? spawn('strace', ['-c', '-f', '-p', String(t.server.pid), '-o', `${out}/strace.txt`]) : null;
  if (st) await sleep(1500);
  const t0 = Number(process.hrtime.bigint() / 1000n);
  const r = await run(s.opts, { amount });
  const t1 = Number(process.hrtime.bigint() / 1000n);
  if (st) { st.kill('SIGINT'); await sleep(1500); }
  const serverCpu = 0;
  fs.writeFileSync(`${out}/window.json`, JSON.stringify({ t0, t1, amount, non2xx: r.non2xx, rps: r.requests.average, serverCpu }));
  console.log(tag, scenario, 'rps', r.requests.average, 'non2xx', r.non2xx);
} finally {
  await t.stop();
  await sleep(1000);
}
