// PGlite takes no lock of its own: two processes opening one data directory silently diverge.
// We hold a pidfile created with O_EXCL; a file left by a dead process is taken over.
import fs from 'node:fs';
import path from 'node:path';

export class DatabaseLockedError extends Error {
  constructor(public pid: number, dir: string) {
    super(
      `The embedded database in ${dir} is in use by process ${pid} (probably the running server). ` +
        `Stop it first, or set DATABASE_URL to use PostgreSQL, which many processes can share.`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws DatabaseLockedError; returns the release function. */
export function acquirePgliteLock(dir: string): () => void {
  const file = path.join(path.dirname(dir), path.basename(dir) + '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      const release = () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) throw new DatabaseLockedError(pid, dir);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock ${dir}`);
}
