// Database outages: which failures mean "the database is unreachable or restarting" (answered 503
// with Retry-After, never 500) and a process-wide count of them (the front door reads it to turn a
// page's 500 during an outage into the friendly 503 page). Pure: no driver imports, so lib/oauth
// may classify errors without loading the database.

/** Retry-After (seconds) of every answer refused for a database outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The codes that mean the database is not there, rather than that a statement is wrong:
 * - SQLSTATE 57P01 admin_shutdown (pg_terminate_backend, a restart), 57P02 crash_shutdown,
 *   57P03 cannot_connect_now (starting up, recovery), 57014 query_canceled (our statement_timeout,
 *   DB_TIMEOUT_MS: a database too slow to answer is unavailable), 53300 too_many_connections;
 *   class 08 (connection exception) is matched by prefix;
 * - the socket's errno codes (ECONNREFUSED, ECONNRESET, …);
 * - postgres.js's own: CONNECT_TIMEOUT (connect_timeout), CONNECTION_CLOSED / _ENDED / _DESTROYED;
 * - ours: DB_CLIENT_TIMEOUT (lib/db/index.ts: no answer on a silent connection).
 */
const OUTAGE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'DB_CLIENT_TIMEOUT',
]);

/**
 * The outage code of `err` or of an error in its `cause` chain (up to 5 deep; see OUTAGE_CODES,
 * and SQLSTATE class 08), or undefined when it is no outage: a constraint violation or a syntax
 * error stays a server error.
 */
export function outageCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (OUTAGE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when `err` is a database outage (outageCode). */
export function isDatabaseOutage(err: unknown): boolean {
  return outageCode(err) !== undefined;
}

const KEY = Symbol.for('oauth.db.outages');
type G = typeof globalThis & { [KEY]?: { count: number } };
// On globalThis: Next.js' bundle has its own copy of this module in the same process.
const state = ((globalThis as G)[KEY] ??= { count: 0 });

/** Counts one statement that failed for an outage (lib/db/index.ts calls it for every such failure). */
export function noteDatabaseOutage(): void {
  state.count++;
}

/** How many statements have failed for an outage since the process started; compare two readings. */
export function databaseOutageCount(): number {
  return state.count;
}
