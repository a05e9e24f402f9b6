// /healthz and /readyz (lib/server/health.ts): what a load balancer or orchestrator asks. Liveness
// never touches the database; readiness is one bounded round trip that also checks migrations,
// and fails from the moment the process starts shutting down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { query, sql, tx } from '@/lib/db';
import { markShuttingDown } from '@/lib/server/health';
import { basic, form, makeApp } from '@/test/helpers/fixtures';
import { settings } from './settings';

describe('/healthz and /readyz', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(settings);
  });
  afterAll(async () => srv?.close());

  it('/healthz answers 200 {"status":"ok"} to GET and HEAD, without authentication, never cached', async () => {
    const r = await fetch(`${srv.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const head = await fetch(`${srv.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('/readyz answers 200 {"status":"ok"} when the database answers and every migration is applied', async () => {
    const r = await fetch(`${srv.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${srv.url}/readyz/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('RFC 9110 §15.5.6: other methods on /healthz and /readyz get 405 with Allow', async () => {
    for (const p of ['/healthz', '/readyz']) {
      const r = await fetch(`${srv.url}${p}`, { method: 'POST', body: '' });
      expect(r.status, p).toBe(405);
      expect(r.headers.get('allow'), p).toBe('GET, HEAD');
    }
  });

  it('/readyz answers 503 with Retry-After while a migration is missing, and 200 again once it is applied', async () => {
    const [last] = await query<Record<string, unknown>>(sql`DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations) RETURNING *`);
    try {
      const r = await fetch(`${srv.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await r.json()).toEqual({ status: 'unavailable' });
      // Liveness does not depend on the database.
      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    } finally {
      await query(sql`INSERT INTO drizzle.__drizzle_migrations (id, hash, created_at) VALUES (${last.id}, ${last.hash}, ${last.created_at})`);
    }
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
  });

  it('/readyz answers 503 within its bound (2 s) when the database does not answer, while /healthz still answers 200', async () => {
    // A transaction holds the table readiness reads: its statement waits (PGlite: the one
    // connection is busy) until the bound ends the wait.
    await tx(async (t) => {
      await t.execute(sql`LOCK TABLE drizzle.__drizzle_migrations IN ACCESS EXCLUSIVE MODE`);
      const t0 = Date.now();
      const [ready, live] = await Promise.all([fetch(`${srv.url}/readyz`), fetch(`${srv.url}/healthz`)]);
      const ms = Date.now() - t0;
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(live.status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(4000);
    });
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
  });

  // PostgreSQL only: PGlite has one connection, which the locking transaction holds anyway.
  it.skipIf(process.env.TEST_DB !== 'postgres')('40 parallel /readyz probes of a slow database hold one pooled connection, not the pool: a token request still answers 200', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'], redirectUris: [] });
    const token = () => fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: form({ grant_type: 'client_credentials' }) });
    expect((await token()).status).toBe(200); // the secret verified and cached before the pool is tested
    await tx(async (t) => {
      await t.execute(sql`LOCK TABLE drizzle.__drizzle_migrations IN ACCESS EXCLUSIVE MODE`);
      const probes = Array.from({ length: 40 }, () => fetch(`${srv.url}/readyz`));
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const answer = await token();
      expect(answer.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(1500);
      for (const p of await Promise.all(probes)) expect(p.status).toBe(503);
    });
  });

  // Last: the process stays "shutting down" (server.ts calls markShuttingDown on SIGTERM).
  it('/readyz answers 503 at once from the moment the process starts shutting down; /healthz still 200', async () => {
    markShuttingDown();
    const t0 = Date.now();
    const r = await fetch(`${srv.url}/readyz`);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'unavailable' });
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });
});
