// The load balancer's and orchestrator's questions (route manifest entries `healthz`, `readyz`):
// is the process up (no database), and should it get traffic (the database answers, migrations
// are applied, and it is not shutting down). Unauthenticated, never cached, bounded in time.
import { jsonResponse, type OAuthResponse } from '../oauth/http';
import { databaseReadiness } from '../db';
import { outageCode, OUTAGE_RETRY_AFTER_SECONDS } from '../db/outage';
import { env } from '../env';
import { log } from '../log';

const KEY = Symbol.for('oauth.shutting-down');
type G = typeof globalThis & { [KEY]?: boolean };

/** From now on /readyz answers 503 (server.ts calls it first thing on SIGTERM/SIGINT). */
export function markShuttingDown(): void {
  (globalThis as G)[KEY] = true;
}

/** Whether markShuttingDown was called in this process. */
export function isShuttingDown(): boolean {
  return (globalThis as G)[KEY] === true;
}

const unavailable = (): OAuthResponse => jsonResponse({ status: 'unavailable' }, 503, { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) });

/** GET/HEAD /healthz: 200 `{"status":"ok"}` while the process runs. Touches nothing else. */
export const healthzEndpoint = async (): Promise<OAuthResponse> => jsonResponse({ status: 'ok' });

/** The readiness check in progress, shared by every probe that arrives meanwhile. */
let inFlight: Promise<'ok' | 'migrations'> | null = null;

/**
 * One readiness statement at a time, whatever the number of probes: a probe that arrives while one
 * runs waits for its answer. Unauthenticated probes of a slow database would otherwise each hold
 * a pooled connection until statement_timeout and starve the token endpoint (found by review).
 */
function sharedReadiness(): Promise<'ok' | 'migrations'> {
  inFlight ??= databaseReadiness().finally(() => (inFlight = null));
  return inFlight;
}

/**
 * GET/HEAD /readyz: 200 `{"status":"ok"}` when the database answered one statement within
 * `limits.readyTimeoutMs` and every migration is applied (databaseReadiness, one at a time for all
 * probes); otherwise, and from the moment the process starts shutting down, 503
 * `{"status":"unavailable"}` with Retry-After.
 */
export async function readyzEndpoint(): Promise<OAuthResponse> {
  if (isShuttingDown()) return unavailable();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), env().limits.readyTimeoutMs)));
  try {
    const state = await Promise.race([sharedReadiness(), timeout]);
    if (state === 'ok') return jsonResponse({ status: 'ok' });
    log.warn('readyz.unavailable', { reason: state });
  } catch (err) {
    const code = outageCode(err);
    log.warn('readyz.unavailable', code ? { reason: 'database', error_code: code } : { reason: 'database', err });
  } finally {
    clearTimeout(timer);
  }
  return unavailable();
}
