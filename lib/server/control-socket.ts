// The running server's local control channel, for the CLI while the server holds the embedded
// database (PGlite is single-process: lib/db/pglite-lock.ts). `npm run createsuperuser` finds the
// database locked, and asks the server that holds it to create the user instead; so do the
// scripted setup's commands (`npm run resource`, `createapplication`, `applications`: lib/admin/commands.ts).
//
// Safe by construction: it is a Unix domain socket, not a network port, inside DATA_DIR/control/,
// a directory only the server's OS user may enter (0700; the socket itself 0600). Whoever can
// connect could as well read the database files in DATA_DIR. One request per connection, one line
// of JSON each way, at most 64 KiB (MAX_REQUEST_BYTES), within 30 s. Only the commands listed below exist.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createSuperuser, SuperuserRefused, type SuperuserInput } from '../auth/superuser';
import { COMMANDS, runCommand, type CommandRequest } from '../admin/commands';
import { log } from '../log';
import { ensurePrivateDir } from '../private-dir';

export type ControlRequest = ({ command: 'createsuperuser' } & SuperuserInput) | CommandRequest;
export interface ControlAnswer {
  ok: boolean;
  /** For the person at the terminal. */
  message: string;
  /** A scripted-setup command's result, for --json. */
  data?: Record<string, unknown>;
}

const MAX_REQUEST_BYTES = 64 * 1024;
const TIMEOUT_MS = 30_000;
/** sun_path holds 108 bytes on Linux, 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH = 103;

/** The socket's path for a data directory (`DATA_DIR/control/cli.sock`). */
export const controlSocketPath = (dataDir: string): string => path.join(path.resolve(dataDir), 'control', 'cli.sock');

async function answer(req: unknown): Promise<ControlAnswer> {
  const command = (req as { command?: unknown } | null)?.command;
  if (typeof command === 'string' && COMMANDS.includes(command)) {
    const a = await runCommand(req);
    if (a.ok) log.info('control.command', { command });
    return a;
  }
  const r = req as Partial<{ command: 'createsuperuser' } & SuperuserInput> | null;
  if (r?.command !== 'createsuperuser' || typeof r.username !== 'string' || typeof r.email !== 'string' || typeof r.password !== 'string') {
    return { ok: false, message: 'Unknown request.' };
  }
  try {
    const name = await createSuperuser({ username: r.username, email: r.email, password: r.password }, 'createsuperuser');
    log.info('control.createsuperuser', { username: name });
    return { ok: true, message: `Superuser "${name}" created (by the running server).` };
  } catch (e) {
    if (e instanceof SuperuserRefused) return { ok: false, message: e.message };
    log.error('control.failed', { err: e });
    return { ok: false, message: 'The server could not create the user: see its log.' };
  }
}

/**
 * Listens on the control socket of `dataDir` (call it while holding the database lock: a socket
 * file left by a dead server is replaced). Resolves to the server, or null when the path is too
 * long for a Unix socket or the platform has none (the CLI then says to stop the server first).
 */
export async function listenControlSocket(dataDir: string): Promise<net.Server | null> {
  const file = controlSocketPath(dataDir);
  if (process.platform === 'win32' || Buffer.byteLength(file) > MAX_SOCKET_PATH) {
    log.warn('control.unavailable', { path: file, msg: 'No control socket: CLI commands on the embedded database need the server stopped.' });
    return null;
  }
  const dir = path.dirname(file);
  ensurePrivateDir(path.dirname(dir)); // DATA_DIR, also when only the control socket uses it
  ensurePrivateDir(dir); // also when it existed with other modes
  fs.rmSync(file, { force: true });
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.setTimeout(TIMEOUT_MS, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (Buffer.byteLength(buf) > MAX_REQUEST_BYTES) return sock.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.pause();
      let req: unknown = null;
      try {
        req = JSON.parse(buf.slice(0, nl));
      } catch {
        // answered as unknown below
      }
      void answer(req).then((a) => sock.end(JSON.stringify(a) + '\n'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(file, 0o600);
  const unlink = () => fs.rmSync(file, { force: true });
  server.on('close', unlink);
  process.once('exit', unlink);
  return server;
}

/**
 * Sends one request to the server holding `dataDir`'s database. Resolves to its answer, or null
 * when no server listens there (no socket file, or nobody accepting on it).
 */
export function askRunningServer(dataDir: string, req: ControlRequest): Promise<ControlAnswer | null> {
  const file = controlSocketPath(dataDir);
  if (!fs.existsSync(file)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    let buf = '';
    const sock = net.createConnection(file, () => sock.write(JSON.stringify(req) + '\n'));
    sock.setEncoding('utf8');
    sock.setTimeout(TIMEOUT_MS * 2, () => sock.destroy(new Error('The running server did not answer in time.')));
    sock.on('data', (c: string) => (buf += c));
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? resolve(null) : reject(e)));
    sock.on('end', () => {
      try {
        const a = JSON.parse(buf) as ControlAnswer;
        const data = a.data && typeof a.data === 'object' ? { data: a.data } : {};
        resolve({ ok: a.ok === true, message: String(a.message), ...data });
      } catch {
        reject(new Error('The running server gave no answer.'));
      }
    });
  });
}
