// DATA_DIR holds the embedded database (users' emails, password hashes, token hashes) and the
// control socket: only the server's OS user may enter it. PGlite writes its files 0666 under the
// process umask; a directory nobody else can traverse keeps them private whatever their modes.
import fs from 'node:fs';
import { log } from './log';

/**
 * Creates `dir` (and missing parents) with mode 0700, or tightens an existing `dir` whose mode lets
 * group or others in to 0700, logging `storage.dir_tightened` with the old mode (octal) once: the
 * next start finds it 0700. POSIX only; on Windows modes are not enforced and nothing is changed.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  fs.chmodSync(dir, 0o700);
  log.warn('storage.dir_tightened', { path: dir, was: mode.toString(8), now: '700', msg: 'Other users could enter this directory; it is now private to the server.' });
}
