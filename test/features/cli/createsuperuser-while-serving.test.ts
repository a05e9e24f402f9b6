// `npm run createsuperuser` while the server runs (issue 14): with the embedded database the server
// holds its lock, so the command asks the running server, over its control socket in DATA_DIR
// (lib/server/control-socket.ts), to create the user. With PostgreSQL it opens the database itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type net from 'node:net';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { askRunningServer, controlSocketPath, listenControlSocket } from '@/lib/server/control-socket';
import { findUserByUsername } from '@/lib/db/queries/users';
import { flushAudit } from '@/lib/db/queries/audit';
import { settings } from './settings';
import { createsuperuser as runCreatesuperuser } from './run-createsuperuser';

const createsuperuser = (username: string, password?: string) => runCreatesuperuser(srv.db.env, username, password);

let srv: TestServer;
let control: net.Server | null;

beforeAll(async () => {
  srv = await startTestServer(settings);
  control = await listenControlSocket(srv.db.env.DATA_DIR);
});
afterAll(async () => {
  control?.close();
  await srv?.close();
});

describe('createsuperuser while the server runs', () => {
  it('creates the staff user while the server holds the database, through the server when the database is embedded', { timeout: 120_000 }, async () => {
    const made = await createsuperuser('while.serving');
    expect(made.out).not.toContain('is in use by process');
    expect(made).toMatchObject({ code: 0, out: expect.stringMatching(/Superuser "while\.serving" created/) });
    if (srv.db.kind === 'pglite') expect(made.out).toContain('by the running server');
    // It says which database it used (stderr): the server's.
    expect(made.out).toContain(srv.db.kind === 'pglite' ? `Database: embedded database at ${srv.db.env.DATA_DIR}, through the running server` : 'Database: PostgreSQL ');
    expect(await findUserByUsername('while.serving')).toMatchObject({ isStaff: true, isActive: true });
    await flushAudit();
  });

  it('refuses a taken username and a short password with the sign-up rules, through the server too', { timeout: 120_000 }, async () => {
    const taken = await createsuperuser('WHILE.SERVING');
    expect(taken.code).toBe(1);
    expect(taken.out).toContain('The username "WHILE.SERVING" is taken.');
    const short = await createsuperuser('another.admin', 'short');
    expect(short.code).toBe(1);
    expect(short.out).toContain('password: Too short. At least 8 characters.');
    expect(await findUserByUsername('another.admin')).toBeUndefined();
  });

  it.skipIf(process.platform === 'win32')('the control socket is reachable only by the server’s OS user: a 0700 directory, a 0600 socket, no network port', async () => {
    const file = controlSocketPath(srv.db.env.DATA_DIR);
    expect(fs.statSync(file).isSocket()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(file.replace(/\/cli\.sock$/, '')).mode & 0o777).toBe(0o700);
    expect(control?.address()).toBe(file);
  });

  it('answers only the requests it knows', async () => {
    const a = await askRunningServer(srv.db.env.DATA_DIR, { command: 'dropdatabase' } as never);
    expect(a).toEqual({ ok: false, message: 'Unknown request.' });
  });

  it('without a server listening, the command is told so (null), not left waiting', async () => {
    expect(await askRunningServer(srv.db.env.DATA_DIR + '-nowhere', { command: 'createsuperuser', username: 'x', email: 'x@example.com', password: 'x'.repeat(8) })).toBeNull();
  });
});
