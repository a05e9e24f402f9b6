// Shared start/stop for the CLI scripts: one line on a configuration or lock error, never a stack.
import { ConfigError, installSettings, settingsFromEnvironment } from '../lib/env';
import { DatabaseLockedError } from '../lib/db/pglite-lock';
import { closeDb, getHandle } from '../lib/db';
import { flushAudit } from '../lib/db/queries/audit';
import { log } from '../lib/log';

/**
 * Runs a CLI command: installs the settings, opens the database (unless `openDatabase: false`: the
 * command opens it itself, with getHandle()), runs `main`, flushes the audit batch, exits 0; or
 * prints a refusal's sentence (or logs an unexpected error) and exits 1.
 */
export async function runCli(main: () => Promise<void>, o: { openDatabase?: boolean } = {}): Promise<void> {
  try {
    installSettings(settingsFromEnvironment()); // the script's settings: its environment, read once
    if (o.openDatabase !== false) await getHandle();
    await main();
    await flushAudit();
    await closeDb();
    process.exit(0);
  } catch (err) {
    // Our own refusals are for the person at the terminal: their sentence, as it is. Anything
    // else is unexpected and goes through the logger (no bound values, no secrets).
    if (err instanceof ConfigError || err instanceof DatabaseLockedError || err instanceof CliError) process.stderr.write(`${err.message}\n`);
    else log.error('cli.failed', { err });
    await closeDb().catch(() => {});
    process.exit(1);
  }
}

export class CliError extends Error {}

/** --name value / --name=value / --flag */
export function parseArgs(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new CliError(`Unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), true);
  }
  return out;
}

/**
 * A command line of known options: `--name value`, `--name=value`, a flag (`--json`), some
 * repeatable (`--scope a="…" --scope b="…"`). Unknown options, a missing value or a stray word are
 * refused (CliError), naming them.
 * @param spec the option names: `flags` take no value; `repeatable` may be given more than once
 * @returns each option's values (flags: ['true'])
 */
export function parseOptions(argv: string[], spec: { flags: string[]; values: string[]; repeatable?: string[] }): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new CliError(`Unexpected argument: ${a} (see --help).`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string;
    if (spec.flags.includes(name)) {
      if (eq > 0) throw new CliError(`--${name} takes no value.`);
      value = 'true';
    } else if (spec.values.includes(name)) {
      if (eq > 0) value = a.slice(eq + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) value = argv[++i];
      else throw new CliError(`--${name} needs a value (see --help).`);
    } else throw new CliError(`Unknown option --${name} (see --help).`);
    const seen = out.get(name);
    if (seen && !spec.repeatable?.includes(name)) throw new CliError(`--${name} is given twice.`);
    out.set(name, [...(seen ?? []), value]);
  }
  return out;
}

/**
 * Which database a setup command used, in words, for stderr and --json: the command's own
 * DATABASE_URL / DATA_DIR decide, and they must be the server's (else it writes elsewhere, silently).
 * @param via 'server': the running server carried it out (embedded database, control socket)
 * @returns e.g. "embedded database at /srv/data, through the running server", "PostgreSQL db.example:5432/oauth"
 */
export async function describeDatabase(via: 'server' | 'direct'): Promise<string> {
  const { env } = await import('../lib/env');
  const e = env();
  if (e.DATABASE_URL) {
    // Host and database only: never the user or password.
    try {
      const u = new URL(e.DATABASE_URL);
      return `PostgreSQL ${u.host || 'localhost'}${u.pathname || '/'}`;
    } catch {
      return 'PostgreSQL (DATABASE_URL)';
    }
  }
  return via === 'server' ? `embedded database at ${e.DATA_DIR}, through the running server` : `embedded database at ${e.DATA_DIR} (no server running)`;
}

/**
 * Refuses (CliError) to open an embedded database that does not exist yet: a command run with
 * another DATA_DIR than the server's would otherwise make an empty database there and write to it,
 * silently. The server's first start, or `npm run db:migrate`, makes it. Nothing to check on
 * PostgreSQL (DATABASE_URL names an existing database).
 */
export async function requireExistingDatabase(): Promise<void> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { env } = await import('../lib/env');
  const e = env();
  if (e.DATABASE_URL || fs.existsSync(path.join(e.DATA_DIR, 'pglite', 'PG_VERSION'))) return;
  throw new CliError(
    `No database at ${e.DATA_DIR} yet: nothing was changed. Set DATA_DIR to the server's (it prints it at start), or create this one first with \`npm run db:migrate\` (the server's first start does too).`,
  );
}

/**
 * Runs one scripted-setup command (lib/admin/commands.ts): opens the database, or, when the running
 * server holds the embedded one, asks it over the control socket. Prints the answer's sentence, or
 * with `json` exactly one JSON object on stdout (with `database`: describeDatabase); a refusal goes
 * to stderr with exit code 1. Either way stderr first says which database was used.
 */
export async function runSetupCommand(request: import('../lib/admin/commands').CommandRequest, json: boolean): Promise<void> {
  const fs = await import('node:fs');
  const { env } = await import('../lib/env');
  const { askRunningServer, controlSocketPath } = await import('../lib/server/control-socket');
  const { runCommand } = await import('../lib/admin/commands');
  let answer: { ok: boolean; message: string; data?: Record<string, unknown> } | null = null;
  let via: 'server' | 'direct' = 'direct';
  await requireExistingDatabase();
  try {
    await getHandle();
  } catch (e) {
    if (!(e instanceof DatabaseLockedError) || !fs.existsSync(controlSocketPath(env().DATA_DIR))) throw e;
    answer = await askRunningServer(env().DATA_DIR, request);
    if (!answer) throw e;
    via = 'server';
  }
  answer ??= await runCommand(request);
  const database = await describeDatabase(via);
  process.stderr.write(`Database: ${database}\n`);
  if (!answer.ok) throw new CliError(answer.message);
  process.stdout.write(json ? `${JSON.stringify({ ...answer.data, database })}\n` : `${answer.message}\n`);
}
