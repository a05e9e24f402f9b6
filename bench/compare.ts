// npm run bench:compare -- --against=<git revision or checkout directory> [--rounds=8] [--seconds=3]
//   [--only=name,name] [--concurrency=1,16]
// Measures this checkout and another side by side: both servers run at once, each on its own
// fresh database (bench/target.ts), and each scenario alternates between them in short runs, in
// A B B A order, for several rounds. Each round gives a paired ratio (this / other), measured
// seconds apart, so drift on a shared machine (which moves a whole `npm run bench` by ±20 %) falls
// on both sides alike. Reports the median paired ratio of throughput and of CPU per operation
// (server + PostgreSQL), with their range. Results: bench/results/compare.json.
//
// A revision is checked out with `git worktree add` under the system's temporary directory (kept
// for the next run; `git worktree remove <path>` deletes it), its node_modules linked from this
// checkout when package-lock.json is the same (else installed with npm ci), and built.
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIfNeeded, measure, startTarget, type Result, type Target } from './target';

const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const AGAINST = arg('against');
const ROUNDS = Number(arg('rounds') ?? 8);
const SECONDS = Number(arg('seconds') ?? 3);
const ONLY = arg('only')?.split(',');
const CONCURRENCY = (arg('concurrency') ?? '1,16').split(',').map(Number);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_PORT ?? 8700);

/** The other checkout: `against` itself when it is a directory, else a worktree of that revision. */
function checkout(against: string): string {
  if (fs.existsSync(path.join(against, 'package.json'))) return path.resolve(against);
  const sha = execFileSync('git', ['rev-parse', '--verify', `${against}^{commit}`]).toString().trim();
  const dir = path.join(os.tmpdir(), `oauth-bench-${sha.slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    console.log(`Checking out ${against} (${sha.slice(0, 12)}) in ${dir}…`);
    execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { stdio: 'inherit' });
  }
  if (!fs.existsSync(path.join(dir, 'node_modules'))) {
    const sameLock = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8') === fs.readFileSync('package-lock.json', 'utf8');
    if (sameLock) execSync(`cp -al node_modules ${JSON.stringify(path.join(dir, 'node_modules'))}`);
    else execSync('npm ci --no-audit --no-fund', { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (r: number) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)} %`;

async function main() {
  if (!AGAINST) {
    console.error('usage: npm run bench:compare -- --against=<revision or directory> [--rounds=8] [--seconds=3] [--only=a,b] [--concurrency=1,16]');
    process.exit(2);
  }
  const otherDir = checkout(AGAINST);
  buildIfNeeded(process.cwd());
  buildIfNeeded(otherDir);
  const targets: Target[] = [];
  const stopAll = () => Promise.all(targets.map((t) => t.stop()));
  try {
    targets.push(await startTarget(process.cwd(), PORT, ADMIN_URL));
    targets.push(await startTarget(otherDir, PORT + 2, ADMIN_URL));
    const [self, other] = targets;
    const names = self.scenarios
      .map((s) => s.name)
      .filter((n) => other.scenarios.some((s) => s.name === n) && (!ONLY || ONLY.includes(n)));
    const rows: Array<{ scenario: string; concurrency: number; self: Result[]; other: Result[] }> = [];
    for (const name of names) for (const c of CONCURRENCY) rows.push({ scenario: name, concurrency: c, self: [], other: [] });
    const run = (t: Target, name: string, c: number, warmup: number) =>
      measure(t.scenarios.find((s) => s.name === name)!, c, SECONDS, warmup, t.server.pid!);

    // One warm-up per side and scenario (JIT, caches, pools), then the rounds.
    for (const row of rows) {
      await run(self, row.scenario, row.concurrency, 0);
      await run(other, row.scenario, row.concurrency, 0);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of rows) {
        // A B in even rounds, B A in odd ones: neither side always runs first.
        const order = round % 2 === 0 ? (['self', 'other'] as const) : (['other', 'self'] as const);
        for (const side of order) row[side].push(await run(side === 'self' ? self : other, row.scenario, row.concurrency, 0.5));
      }
      console.log(`round ${round + 1}/${ROUNDS} done`);
    }

    console.log(`\nThis checkout vs ${AGAINST}: ${ROUNDS} paired rounds of ${SECONDS} s each (median; range of the paired ratios)`);
    console.log(`${'scenario'.padEnd(26)} ${'this'.padStart(8)} ${'other'.padStart(8)}  ${'throughput'.padEnd(30)} cpu µs/op this | other (server+db)   cpu`);
    const summary = rows.map((row) => {
      const rps = row.self.map((r, i) => r.rps / Math.max(1, row.other[i].rps));
      const cpu = row.self.map((r, i) => (r.serverCpuUs + r.dbCpuUs) / Math.max(1, row.other[i].serverCpuUs + row.other[i].dbCpuUs));
      const m = (rs: Result[], f: (r: Result) => number) => Math.round(median(rs.map(f)));
      const s = {
        scenario: row.scenario,
        concurrency: row.concurrency,
        rps: { self: m(row.self, (r) => r.rps), other: m(row.other, (r) => r.rps), ratio: median(rps), min: Math.min(...rps), max: Math.max(...rps) },
        cpuUs: {
          self: { server: m(row.self, (r) => r.serverCpuUs), db: m(row.self, (r) => r.dbCpuUs) },
          other: { server: m(row.other, (r) => r.serverCpuUs), db: m(row.other, (r) => r.dbCpuUs) },
          ratio: median(cpu),
          min: Math.min(...cpu),
          max: Math.max(...cpu),
        },
        errors: [...row.self, ...row.other].reduce((n, r) => n + r.errors, 0),
      };
      console.log(
        `${`${s.scenario} c=${s.concurrency}`.padEnd(26)} ${String(s.rps.self).padStart(8)} ${String(s.rps.other).padStart(8)}  ` +
          `${`${pct(s.rps.ratio)} [${pct(s.rps.min)}, ${pct(s.rps.max)}]`.padEnd(30)} ` +
          `${`${s.cpuUs.self.server}+${s.cpuUs.self.db} | ${s.cpuUs.other.server}+${s.cpuUs.other.db}`.padEnd(22)} ${pct(s.cpuUs.ratio)}` +
          (s.errors ? `  errors ${s.errors}` : ''),
      );
      return s;
    });
    fs.mkdirSync('bench/results', { recursive: true });
    const out = { at: new Date().toISOString(), against: AGAINST, otherDir, rounds: ROUNDS, seconds: SECONDS, machine: { cpus: os.cpus().length, node: process.version }, summary, runs: rows };
    fs.writeFileSync('bench/results/compare.json', JSON.stringify(out, null, 2) + '\n');
    console.log('Wrote bench/results/compare.json');
    await stopAll();
    if (summary.some((s) => s.errors > 0)) process.exit(1);
  } catch (e) {
    console.error('bench:compare failed:', e instanceof Error ? e.message : e);
    await stopAll();
    process.exit(1);
  }
}

void main();
