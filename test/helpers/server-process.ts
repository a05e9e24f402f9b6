// A production server process of our own: `node --import tsx server.ts` with NODE_ENV=production
// (what `npm start` runs), on a free port, with the environment a test gives it. It needs the
// `next build` output: tests that use it skip without one (`hasBuild`).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './server';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Whether `next build` output exists (NEXT_DIST_DIR or .next). */
export const hasBuild = fs.existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID'));

export interface ServerProcess {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output: () => string;
  /** Its exit code (null: killed by a signal) and when it exited (Date.now()). */
  exited: Promise<{ code: number | null; at: number }>;
  /** SIGKILL if still running (cleanup after a failed test). */
  kill: () => void;
}

/**
 * Starts server.ts in production mode with `env` (added to this process's environment; PORT, HOST,
 * ISSUER and NODE_ENV are set here) and resolves once GET /readyz answers 200 (at most 90 s).
 * @throws when the process exits or is not ready in time, with its output
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ISSUER: `http://localhost:${port}` },
  });
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.once('exit', (code) => r({ code, at: Date.now() })));
  const url = `http://127.0.0.1:${port}`;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited during start:\n${out}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      kill();
      throw new Error(`the server was not ready within 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, url, child, output: () => out, exited, kill };
}
