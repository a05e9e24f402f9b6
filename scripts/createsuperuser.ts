// npm run createsuperuser -- --username admin --email a@b.c [--password-stdin]
// Like Django's command: creates a staff user; the password comes from a hidden prompt (asked again
// when the two differ), or from standard input with --password-stdin (for scripts). While the
// server holds the embedded database, the running server creates the user (lib/server/control-socket.ts).
import fs from 'node:fs';
import readline from 'node:readline';
import { runCli, parseArgs, CliError, describeDatabase } from './cli';
import { signupSchema } from '../lib/auth/forms';
import { askNewPassword, createSuperuser, SuperuserRefused } from '../lib/auth/superuser';
import { getHandle } from '../lib/db';
import { DatabaseLockedError } from '../lib/db/pglite-lock';
import { askRunningServer, controlSocketPath } from '../lib/server/control-socket';
import { env } from '../lib/env';

async function readStdin(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data.replace(/\r?\n$/, '');
}

function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('No terminal to ask for a password: use --password-stdin.');
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
    let muted = false;
    out._writeToOutput = (s) => {
      if (!muted) out.output.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

void runCli(
  async () => {
    const args = parseArgs(process.argv.slice(2));
    const username = args.get('username');
    const email = args.get('email');
    if (typeof username !== 'string' || typeof email !== 'string') {
      throw new CliError('Usage: npm run createsuperuser -- --username NAME --email EMAIL [--password-stdin]');
    }
    // The username and email first, so that a typo is not found only after the password.
    const fields = signupSchema.safeParse({ username, email, password: 'x'.repeat(8), password2: 'x'.repeat(8) });
    if (!fields.success) {
      const [field, msgs] = Object.entries(fields.error.flatten().fieldErrors)[0] ?? ['input', ['invalid']];
      throw new CliError(`${field}: ${(msgs as string[]).join(' ')}`);
    }
    // The database before the password: a refusal comes at once, not after typing it. While the
    // server holds the embedded database, the server creates the user, if it listens for that.
    let locked: DatabaseLockedError | null = null;
    try {
      await getHandle();
    } catch (e) {
      if (!(e instanceof DatabaseLockedError) || !fs.existsSync(controlSocketPath(env().DATA_DIR))) throw e;
      locked = e;
    }
    const password = args.get('password-stdin') ? await readStdin() : await askNewPassword(prompt, (line) => console.log(line));
    const input = { username, email, password };
    if (locked) {
      const answer = await askRunningServer(env().DATA_DIR, { command: 'createsuperuser', ...input });
      if (!answer) throw locked;
      process.stderr.write(`Database: ${await describeDatabase('server')}\n`);
      if (!answer.ok) throw new CliError(answer.message);
      console.log(answer.message);
      return;
    }
    process.stderr.write(`Database: ${await describeDatabase('direct')}\n`);
    try {
      console.log(`Superuser "${await createSuperuser(input, 'createsuperuser')}" created.`);
    } catch (e) {
      if (e instanceof SuperuserRefused) throw new CliError(e.message);
      throw e;
    }
  },
  { openDatabase: false },
);
