// Graceful shutdown of one serving process (server.ts on SIGTERM/SIGINT): fail readiness, stop
// accepting, let the requests in flight finish within a bound, then write what is queued and
// release the database. What the load balancer sees: /readyz 503 at once, new connections refused,
// every accepted request answered in full (unless it outlives the drain).
import type http from 'node:http';
import net from 'node:net';
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

/**
 * How long idle keep-alive connections are left to their client before the drain closes them (ms).
 * (In normal service an idle connection lives limits.keepAliveTimeoutMs, 65 s.) A proxy reuses its idle connections at any moment, so closing one
 * races with a request already on the wire, which the proxy cannot retry if it is a POST (nginx
 * answered 502). Meanwhile every answer says `Connection: close` (front-door.ts), and a proxy whose
 * upstream keepalive_timeout is below 5 s (README, "Deploying") closes its idle ones first.
 */
const IDLE_GRACE_MS = 5_000;

/**
 * Shuts `server` down in order: readiness fails (markShuttingDown), the listening socket closes
 * (new connections are refused, and a proxy sends them to another instance), requests in flight
 * finish and their connections close after their answer (`Connection: close`); idle keep-alive
 * connections are left IDLE_GRACE_MS to their client, then closed; everything still open after
 * `drainMs` is destroyed. Then `flush`, then `close`.
 * @returns true when every request finished within the drain, false when some were cut
 */
export async function shutDown(server: http.Server, steps: ShutdownSteps): Promise<boolean> {
  markShuttingDown();
  const started = Date.now();
  // net.Server's close: stop listening. http.Server's own close() would also close the idle
  // keep-alive connections at once (node >= 19), the race described above.
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  let sweep: NodeJS.Timeout | undefined;
  const idle = setTimeout(() => {
    server.closeIdleConnections();
    sweep = setInterval(() => server.closeIdleConnections(), 50);
  }, Math.min(IDLE_GRACE_MS, steps.drainMs / 2));
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([closed.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), steps.drainMs)))]);
  clearTimeout(idle);
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
