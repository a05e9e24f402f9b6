// Runs one of the scripted-setup commands (scripts/*.ts) as the operator runs it, in a child
// process with `env` (the database's variables): its exit code, stdout and stderr apart (--json
// promises one JSON object on stdout and nothing else there).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node_modules/.bin/tsx scripts/<script>.ts ...args` with `env`. */
export async function runScript(env: Record<string, string | undefined>, script: string, args: string[]): Promise<ScriptRun> {
  try {
    const r = await run('node_modules/.bin/tsx', [`scripts/${script}.ts`, ...args], { env: { ...process.env, ...env, NODE_ENV: 'test' }, timeout: 90_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
