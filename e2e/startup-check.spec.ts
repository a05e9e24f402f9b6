// Plain `next start` (no server.ts) checks the settings when it starts (instrumentation.ts →
// lib/server/startup.ts, the check server.ts makes): a production start without AUTH_SECRET stops
// at once with a line naming it, rather than serving pages that fail at their first request.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './prod-server';

test('next start with NODE_ENV=production and no AUTH_SECRET exits non-zero at start, naming AUTH_SECRET', async () => {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-start-check-'));
  const { AUTH_SECRET: _unset, ...environment } = process.env;
  const child = spawn('npx', ['next', 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: process.cwd(),
    detached: true, // its own process group, so that a server that did start can be stopped whole
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...environment, NODE_ENV: 'production', DATA_DIR: dataDir, ISSUER: `http://localhost:${port}`, NEXT_TELEMETRY_DISABLED: '1' },
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const code = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 45_000))]);
  try {
    expect(code, `still running after 45 s:\n${out}`).not.toBe('running');
    expect(code, out).not.toBe(0);
    expect(out).toContain('startup.failed');
    expect(out).toContain('AUTH_SECRET is required in production');
  } finally {
    if (code === 'running') process.kill(-child.pid!, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
