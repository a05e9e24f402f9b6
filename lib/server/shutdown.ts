// Graceful shutdown of one serving process (server.ts on SIGTERM/SIGINT): fail readiness, stop
// accepting, let the requests in flight finish within a bound, then write what is queued and
// release the database. What the load balancer sees: /readyz 503 at once, new connections refused,
// every accepted request answered in full (unless it outlives the drain).
import type http from 'node:http';
import { markShuttingDown } from './health';
import { log } from '../log';

export interface ShutdownSteps {
  /** How long (ms) requests in flight may take to finish (SHUTDOWN_DRAIN_MS); then their connections are cut. */
  drainMs: number;
  /** After the drain: write what is queued (the audit batch). Its failure is logged, not fatal. */
  flush: () => Promise<void>;
  /** Last: close the database (the pool, or PGlite and its lock file). */
  close: () => Promise<void>;
}

/** How often idle keep-alive connections are closed during the drain (ms): a connection whose request just finished must not hold the drain open. */
const IDLE_SWEEP_MS = 50;

/**
 * Shuts `server` down in order: readiness fails (markShuttingDown), the listening socket closes
 * (new connections are refused), idle keep-alive connections close, requests in flight finish
 * (at most `drainMs`, then every remaining connection is destroyed), then `flush`, then `close`.
 * @returns true when every request finished within the drain, false when some were cut
 */
export async function shutDown(server: http.Server, steps: ShutdownSteps): Promise<boolean> {
  markShuttingDown();
  const started = Date.now();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([closed.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), steps.drainMs)))]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (!drained) {
    log.warn('shutdown.drain_timeout', { drain_ms: steps.drainMs, msg: 'cutting the connections still open' });
    server.closeAllConnections();
  }
  await steps.flush().catch((err) => log.error('shutdown.flush_failed', { err }));
  await steps.close().catch((err) => log.error('shutdown.close_failed', { err }));
  log.info('shutdown.done', { drained, ms: Date.now() - started });
  return drained;
}
