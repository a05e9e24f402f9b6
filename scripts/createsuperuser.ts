// npm run createsuperuser -- --username admin --email a@b.c [--password-stdin]
// Like Django's command: creates a staff user; the password comes from a hidden prompt, or from
// standard input with --password-stdin (for scripts).
import readline from 'node:readline';
import { runCli, parseArgs, CliError } from './cli';
import { signupSchema } from '../lib/auth/forms';
import { hashPassword } from '../lib/auth/password';
import { createUser, UsernameTakenError } from '../lib/db/queries/users';
import { audit } from '../lib/db/queries/audit';

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

void runCli(async () => {
  const args = parseArgs(process.argv.slice(2));
  const username = args.get('username');
  const email = args.get('email');
  if (typeof username !== 'string' || typeof email !== 'string') {
    throw new CliError('Usage: npm run createsuperuser -- --username NAME --email EMAIL [--password-stdin]');
  }
  let password: string;
  if (args.get('password-stdin')) {
    password = await readStdin();
  } else {
    password = await prompt('Password: ');
    if ((await prompt('Password (again): ')) !== password) throw new CliError('The two passwords differ.');
  }
  const parsed = signupSchema.safeParse({ username, email, password, password2: password });
  if (!parsed.success) {
    const [field, msgs] = Object.entries(parsed.error.flatten().fieldErrors)[0] ?? ['input', ['invalid']];
    throw new CliError(`${field}: ${(msgs as string[]).join(' ')}`);
  }
  try {
    // The validated (trimmed) values; createUser stores canonicalUsername() beside the name, whose
    // unique index refuses every other spelling of an existing username.
    const u = await createUser({ username: parsed.data.username, email: parsed.data.email, passwordHash: await hashPassword(password), isStaff: true });
    audit('admin.action', { actorLabel: 'createsuperuser', detail: { action: 'createsuperuser', username: u.username } });
    console.log(`Superuser "${u.username}" created.`);
  } catch (e) {
    if (e instanceof UsernameTakenError) throw new CliError(`The username "${parsed.data.username}" is taken.`);
    throw e;
  }
});
