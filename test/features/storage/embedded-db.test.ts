// The embedded PGlite database: migrations at open, data kept across restarts, and the lock that
// stops a second process from opening (and silently forking) the same data directory.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useTestSettings } from '@/test/helpers/settings';
import { closeDb, getHandle } from '@/lib/db';
import { createUser, findUserByUsername } from '@/lib/db/queries/users';
import { listenControlSocket } from '@/lib/server/control-socket';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-embedded-'));
const vars = { DATA_DIR: dir, AUTH_SECRET: 'y'.repeat(40), DATABASE_URL: '' };

async function open() {
  useTestSettings(vars);
  return getHandle();
}

afterAll(async () => {
  await closeDb();
  fs.rmSync(dir, { recursive: true, force: true });
});

// PGlite only: scripts/test.sh leaves this file out of the PostgreSQL run.
describe('embedded PGlite', () => {
  it('keeps its data across a restart, with usernames unique regardless of case', async () => {
    const h = await open();
    expect(h.driver).toBe('pglite');
    await createUser({ username: 'Alice', email: 'a@example.com', passwordHash: 'x' });
    await closeDb();
    await open();
    expect((await findUserByUsername('alice'))?.username).toBe('Alice');
    await expect(createUser({ username: 'ALICE', email: 'b@example.com', passwordHash: 'x' })).rejects.toThrow(/taken/);
  });

  it('refuses a second process while the server holds the lock, with a clear message', async () => {
    await open();
    const err = await run('npx', ['tsx', 'scripts/createsuperuser.ts', '--username', 'bob', '--email', 'b@example.com', '--password-stdin'], {
      env: { ...process.env, ...vars },
      timeout: 60_000,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/in use by process \d+.*Stop it first, or set DATABASE_URL/s);
    expect((err as { stderr: string }).stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('takes over a lock left by a process that is gone', async () => {
    await closeDb();
    fs.writeFileSync(path.join(dir, 'pglite.lock'), '999999');
    const h = await open();
    expect(h.driver).toBe('pglite');
    expect(fs.readFileSync(path.join(dir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
  });

  it('DATA_DIR, its pglite/ and control/ are private (0700) after start, also when they existed wider', async () => {
    await closeDb();
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-modes-'));
    try {
      fs.chmodSync(data, 0o755);
      fs.mkdirSync(path.join(data, 'pglite'), { mode: 0o777 });
      fs.chmodSync(path.join(data, 'pglite'), 0o777);
      fs.mkdirSync(path.join(data, 'control'));
      fs.chmodSync(path.join(data, 'control'), 0o755);
      useTestSettings({ ...vars, DATA_DIR: data });
      await getHandle();
      const server = await listenControlSocket(data);
      server?.close();
      const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
      expect([mode(data), mode(path.join(data, 'pglite')), mode(path.join(data, 'control'))]).toEqual(['700', '700', '700']);
      await closeDb();
      // A fresh DATA_DIR is created private.
      const fresh = path.join(data, 'fresh');
      useTestSettings({ ...vars, DATA_DIR: fresh });
      await getHandle();
      expect([mode(fresh), mode(path.join(fresh, 'pglite'))]).toEqual(['700', '700']);
    } finally {
      await closeDb();
      fs.rmSync(data, { recursive: true, force: true });
    }
  }, 90_000); // two embedded databases created and migrated: 15 s alone, 31 s on a loaded 2-core machine
});
