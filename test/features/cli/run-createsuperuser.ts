// Runs `npm run createsuperuser` (scripts/createsuperuser.ts) as the operator runs it, in a child
// process with `env` (the database's variables), the password on standard input.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Exit code and everything printed (stdout, then stderr). */
export async function createsuperuser(env: Record<string, string | undefined>, username: string, password = 'a long enough password'): Promise<{ code: number; out: string }> {
  const child = run('node_modules/.bin/tsx', ['scripts/createsuperuser.ts', '--username', username, '--email', 'root@example.com', '--password-stdin'], {
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    timeout: 60_000,
  });
  child.child.stdin?.end(password);
  try {
    const r = await child;
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}
