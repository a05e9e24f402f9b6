// What every way of starting the server does first (server.ts for `npm run dev` / `npm start`;
// instrumentation.ts for plain `next start` / `next dev`): read and check the settings, so that a
// bad or missing one stops the start with one line naming it, rather than failing at the first
// request that reads it.
import { ConfigError, installSettings, settingsFromEnvironment, type Settings } from '../env';
import { DatabaseLockedError } from '../db/pglite-lock';
import { log } from '../log';

/**
 * Ends a start that cannot go on: `startup.failed` with the message of a configuration or
 * database-lock problem (the operator's to fix), else the error with its stack; exit code 1.
 */
export function failStart(err: unknown): never {
  if (err instanceof ConfigError || err instanceof DatabaseLockedError) log.error('startup.failed', { msg: err.message });
  else log.error('startup.failed', { err });
  process.exit(1);
}

/**
 * Reads the environment once (settingsFromEnvironment), checks it (loadSettings: AUTH_SECRET
 * required in production, every value's type and bounds) and installs it for the whole process;
 * warns when a development AUTH_SECRET was generated. A bad setting ends the process (failStart).
 * @returns the installed settings
 */
export function installSettingsAtStart(): Settings {
  let e: Settings;
  try {
    e = installSettings(settingsFromEnvironment());
  } catch (err) {
    failStart(err);
  }
  if (e.AUTH_SECRET_FILE) {
    log.warn('config.auth_secret_generated', { file: e.AUTH_SECRET_FILE, msg: 'AUTH_SECRET is not set: using the one generated for development. Set AUTH_SECRET in production.' });
  }
  return e;
}
