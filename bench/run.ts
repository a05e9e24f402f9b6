// npm run bench [-- --smoke] [-- --only=name,name] [-- --build]
// Builds if needed, starts the production server on a fresh PostgreSQL database, seeds clients
// (bench/target.ts), and drives each scenario with autocannon from this (separate) process: 2 s
// warm-up, then 10 s, at concurrency 1 and 16. The floor (bench/floor.ts) runs in the same session;
// every scenario is reported as a ratio to it. Results go to bench/results/latest.json.
// To compare two revisions, use `npm run bench:compare` (bench/compare.ts): interleaved, paired.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { buildIfNeeded, currentRssMb, measure, peakRssMb, sleep, startTarget, waitFor, type Result, type Scenario } from './target';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke');
const ONLY = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const WARMUP = SMOKE ? 0.5 : 2;
const DURATION = SMOKE ? 1 : 10;
const CONCURRENCY = [1, 16];
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PORT = Number(process.env.BENCH_PORT ?? 8700);
const FLOOR_PORT = PORT + 1;

async function main() {
  buildIfNeeded(process.cwd(), args.includes('--build'));
  const target = await startTarget(process.cwd(), PORT, ADMIN_URL);
  let floor: ChildProcess | null = null;
  const cleanup = async () => {
    floor?.kill('SIGTERM');
    await sleep(300);
    await target.stop();
  };
  try {
    // The floor, on the same database.
    floor = spawn(process.execPath, ['--import', 'tsx', 'bench/floor.ts'], {
      env: { ...process.env, DATABASE_URL: target.databaseUrl, PORT: String(FLOOR_PORT), BENCH_FLOOR_SECRET: target.ccSecret },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitFor(`http://127.0.0.1:${FLOOR_PORT}/`, floor, 'floor');
    const cc = target.scenarios.find((s) => s.name === 'client_credentials')!;
    // The floor answers the client-credentials request itself: the same client, secret and body.
    const floorScenario: Scenario = { ...cc, name: 'floor', opts: { ...cc.opts, url: `http://127.0.0.1:${FLOOR_PORT}/token` } };

    const results: Result[] = [];
    const floorRps = new Map<number, number>();
    for (const s of [floorScenario, ...target.scenarios]) {
      if (ONLY && s.name !== 'floor' && !ONLY.includes(s.name)) continue;
      for (const c of CONCURRENCY) {
        // The floor's CPU is the floor process's; every other scenario's is the server's.
        const row = await measure(s, c, DURATION, WARMUP, s === floorScenario ? floor.pid! : target.server.pid!);
        if (s === floorScenario) floorRps.set(c, row.rps);
        const floorValue = floorRps.get(c);
        row.ratioToFloor = floorValue ? Math.round((row.rps / floorValue) * 1000) / 10 : undefined;
        results.push(row);
        console.log(
          `${s.name.padEnd(22)} c=${String(c).padEnd(3)} ${String(row.rps).padStart(6)} ${s.unit.padEnd(14)} p50 ${String(row.p50).padStart(3)} ms  p99 ${String(row.p99).padStart(4)} ms  cpu ${String(row.serverCpuUs).padStart(5)} µs  db ${String(row.dbCpuUs).padStart(5)} µs  errors ${row.errors}` +
            (s !== floorScenario && row.ratioToFloor !== undefined ? `  ${row.ratioToFloor}% of floor` : ''),
        );
      }
    }
    const pid = target.server.pid!;
    const peak = peakRssMb(pid);
    const rssAfter = currentRssMb(pid);
    const workers = process.env.WEB_CONCURRENCY ?? '1';
    console.log(`\nServer memory: peak RSS ${peak} MB, RSS after the bench ${rssAfter} MB (WEB_CONCURRENCY=${workers}; with workers the peak sums all processes)`);
    const out = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      mode: SMOKE ? 'smoke' : 'full',
      warmupSeconds: WARMUP,
      durationSeconds: DURATION,
      webConcurrency: Number(workers),
      serverPeakRssMb: peak,
      serverRssAfterMb: rssAfter,
      results,
    };
    fs.mkdirSync('bench/results', { recursive: true });
    fs.writeFileSync('bench/results/latest.json', JSON.stringify(out, null, 2) + '\n');
    console.log('Wrote bench/results/latest.json');
    const bad = results.filter((r) => r.errors > 0);
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
