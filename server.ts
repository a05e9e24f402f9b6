// Production and dev entry point: Next.js behind a node:http server that resolves the client IP,
// bounds every request body (lib/server/front-door.ts) and answers the route manifest's endpoints
// itself (lib/server/manifest.ts, node-door.ts). `npm run dev` and `npm start` both run this file.
// It reads the settings from the environment once and installs them before anything else (lib/env.ts).
import cluster from 'node:cluster';
import { getHandle, closeDb } from './lib/db';
import { createFrontDoor } from './lib/server/front-door';
import { failStart as fail, installSettingsAtStart } from './lib/server/startup';
import { flushAudit, pendingAuditEvents } from './lib/db/queries/audit';
import { log, routeConsoleToLog } from './lib/log';
import { announceSetupToken } from './lib/auth/first-admin';
import { listenControlSocket } from './lib/server/control-socket';
import { shutDown } from './lib/server/shutdown';

/** Runs `stop` on the first SIGTERM or SIGINT; later ones are logged and ignored (a terminal's Ctrl-C reaches every worker and its primary). */
function onStopSignal(stop: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return void log.info('shutdown.signal_ignored', { signal, msg: 'already shutting down' });
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

async function main() {
  routeConsoleToLog(); // what Next.js, next-auth and React print obeys the logger's rules too
  // The one read of the environment: every module, Next.js' bundle included, reads this value.
  const e = installSettingsAtStart();
  const dev = e.NODE_ENV !== 'production';
  const workers = e.DATABASE_URL ? e.WEB_CONCURRENCY : 1; // PGlite lives in one process
  // At once: opening the database and loading Next.js take a while on a small machine, and a
  // silent terminal looks hung (a newcomer waited 28 s for the first line).
  if (cluster.isPrimary) log.info('server.starting', { issuer: e.ISSUER, msg: 'opening the database and loading the pages; the next line says when it is ready' });
  if (!dev && workers > 1 && cluster.isPrimary) {
    // The setup token is made once per start, here, so that every worker accepts the same one.
    try {
      await getHandle();
      await announceSetupToken(e.ISSUER);
      await closeDb();
    } catch (err) {
      fail(err);
    }
    log.info('cluster.starting', { workers });
    for (let i = 0; i < workers; i++) cluster.fork();
    let stopping = false;
    cluster.on('exit', (w, code) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          log.info('cluster.stopped');
          process.exit(0);
        }
        return;
      }
      log.error('cluster.worker_exited', { pid: w.process.pid, exit_code: code, msg: 'starting another' });
      cluster.fork();
    });
    // The workers drain themselves (below); the primary passes the signal on, starts no new
    // worker, and exits when they are gone (or, past their drain and a margin, kills them).
    onStopSignal((signal) => {
      stopping = true;
      log.info('cluster.stopping', { signal });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      setTimeout(() => {
        log.error('cluster.stop_timeout', { msg: 'workers did not exit in time: killing them' });
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        process.exit(1);
      }, e.SHUTDOWN_DRAIN_MS + 10_000).unref();
    });
    return;
  }

  try {
    await getHandle(); // open + migrate now, so a bad database fails loudly at start
  } catch (err) {
    fail(err);
  }
  // PGlite is ours alone while we run: `npm run createsuperuser` asks us through a local socket.
  const control = e.DATABASE_URL ? null : await listenControlSocket(e.DATA_DIR).catch((err) => (log.warn('control.unavailable', { err }), null));
  const { default: next } = await import('next');
  const app = next({ dev, hostname: 'localhost', port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = createFrontDoor((req, res) => void handle(req, res));
  server.keepAliveTimeout = e.limits.keepAliveTimeoutMs;
  server.listen(e.PORT, e.HOST, () => {
    // Next.js turns 127.0.0.1 / [::1] into "localhost" in the URLs next-auth builds: the login's
    // redirects would leave the issuer's origin (and its cookies).
    if (/^(127\.|\[::1\])/.test(new URL(e.ISSUER).host)) log.warn('issuer.loopback_ip', { issuer: e.ISSUER, hint: 'use http://localhost:PORT or a host name' });
    log.info('server.ready', { issuer: e.ISSUER, mode: dev ? 'dev' : 'production', database: e.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite in ' + e.DATA_DIR });
    // Last, so that it is the line a person sees. Workers of a cluster: their primary printed it.
    if (cluster.isPrimary) announceSetupToken(e.ISSUER).catch((err) => log.error('setup.token_failed', { err }));
  });

  onStopSignal((signal) => {
    log.info('shutdown.started', { signal, drain_ms: e.SHUTDOWN_DRAIN_MS });
    control?.close();
    const flush = async () => {
      await flushAudit();
      const lost = pendingAuditEvents(); // the database is away: they cannot be written
      if (lost) log.error('shutdown.audit_lost', { events: lost });
    };
    void shutDown(server, { drainMs: e.SHUTDOWN_DRAIN_MS, flush, close: closeDb }).then(() => process.exit(0));
  });
}

main().catch(fail);
