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
