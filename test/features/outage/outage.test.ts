// Database outages (lib/db/outage.ts): while PostgreSQL is unreachable, restarting or silent, every
// request that needs it answers 503 with Retry-After in the protocol's form, within a bound, never
// 500; when it is back the same process serves again. The outages are made with a TCP proxy
// between the server and PostgreSQL (./tcp-proxy.ts), never by stopping the shared PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { useTestSettings } from '@/test/helpers/settings';
import { basic, makeApp, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { APPLICATION_NAME, closeDb, getHandle, query, sql } from '@/lib/db';
import { createFrontDoor } from '@/lib/server/front-door';
import { flushAudit, pendingAuditEvents } from '@/lib/db/queries/audit';
import { hasBuild, startServerProcess, type ServerProcess } from '@/test/helpers/server-process';
import { createTestDatabase, type TestDatabase } from '@/test/helpers/db';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { settings } from './settings';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe.skipIf(process.env.TEST_DB !== 'postgres')('PostgreSQL unreachable, restarting or silent (TEST_DB=postgres)', () => {
  let srv: TestServer;
  let proxy: TcpProxy;
  let app: Awaited<ReturnType<typeof makeApp>>;
  let directUrl: URL;

  beforeAll(async () => {
    srv = await startTestServer(settings);
    // Reopen the server's database through the proxy: every statement now crosses it.
    directUrl = new URL(srv.db.env.DATABASE_URL!);
    proxy = await startTcpProxy({ host: directUrl.hostname, port: Number(directUrl.port || 5432) });
    await closeDb();
    const proxied = new URL(directUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    useTestSettings({ ...settings, ...srv.db.env, PORT: new URL(srv.url).port, ISSUER: srv.url, DATABASE_URL: proxied.toString() });
    await getHandle();
    app = await makeApp({ grantTypes: ['authorization_code', 'client_credentials'] });
  });
  afterAll(async () => {
    await proxy?.restore();
    await srv?.close();
    await proxy?.close();
  });

  const token = () =>
    fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { ...form, authorization: basic(app.clientId, app.secret) }, body: 'grant_type=client_credentials&scope=read' });

  /** Polls until `f` answers 200 (at most `ms`); returns every status seen. */
  async function until200(f: () => Promise<Response>, ms = 10_000): Promise<number[]> {
    const seen: number[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const r = await f();
      seen.push(r.status);
      await r.arrayBuffer();
      if (r.status === 200) return seen;
      await new Promise((res) => setTimeout(res, 200));
    }
    return seen;
  }

  it('RFC 6749 §5.2, RFC 9110 §15.6.4: while the database is unreachable the token endpoint answers 503 temporarily_unavailable with Retry-After, at once; the same process answers 200 when it is back', async () => {
    expect((await token()).status).toBe(200);
    await proxy.cut();
    try {
      const t0 = Date.now();
      const r = await token();
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(r.headers.get('cache-control')).toBe('no-store');
      const body = (await r.json()) as Record<string, string>;
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).not.toMatch(/ECONN|postgres|select|insert|\bat\b.*\.ts/i);
      const ready = await fetch(`${srv.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await proxy.restore();
    }
    const seen = await until200(token);
    expect(seen.at(-1)).toBe(200);
    expect(seen.every((s) => s === 200 || s === 503)).toBe(true);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
  });

  it('RFC 6749 §4.1.2.1, RFC 6750 §3, RFC 7662, RFC 7009: while the database is unreachable every database-backed endpoint answers 503 with Retry-After (the authorization endpoint: temporarily_unavailable to the client), never 500', async () => {
    const issued = (await (await token()).json()) as { access_token: string };
    await proxy.cut();
    try {
      const bearer = { authorization: `Bearer ${issued.access_token}` };
      const client = { ...form, authorization: basic(app.clientId, app.secret) };
      const answers: Array<[string, Response]> = [
        ['token', await token()],
        ['introspection', await fetch(`${srv.url}/o/introspect/`, { method: 'POST', headers: client, body: `token=${issued.access_token}` })],
        ['revocation', await fetch(`${srv.url}/o/revoke_token/`, { method: 'POST', headers: client, body: `token=${issued.access_token}` })],
        ['userinfo', await fetch(`${srv.url}/o/userinfo/`, { headers: bearer })],
        ['api', await fetch(`${srv.url}/api/hello`, { headers: bearer })],
      ];
      for (const [name, r] of answers) {
        expect(r.status, name).toBe(503);
        expect(r.headers.get('retry-after'), name).toMatch(/^\d+$/);
        expect(((await r.json()) as { error: string }).error, name).toBe('temporarily_unavailable');
      }
      const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'xyz' });
      const authorize = await fetch(`${srv.url}/o/authorize/?${q}`, { redirect: 'manual' });
      if (authorize.status === 302) {
        const to = new URL(authorize.headers.get('location')!);
        expect(to.origin + to.pathname).toBe(POSTMAN_CALLBACK);
        expect(to.searchParams.get('error')).toBe('temporarily_unavailable');
        expect(to.searchParams.get('state')).toBe('xyz');
      } else {
        expect(authorize.status).toBe(503);
        expect(authorize.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await authorize.text()).toContain('Temporarily unavailable');
      }
    } finally {
      await proxy.restore();
    }
    expect((await until200(token)).at(-1)).toBe(200);
  });

  it('a database whose network goes silent: requests answer 503 within DB_TIMEOUT_MS + 1 s (never hang), and 200 again when it answers', async () => {
    const live = await token();
    expect(live.status).toBe(200);
    const { access_token: accessToken } = (await live.json()) as { access_token: string };
    proxy.stall();
    try {
      const t0 = Date.now();
      // The token endpoint, and a bearer read (findToken, a prepared statement of lib/db/index.ts).
      const [a, b, api] = await Promise.all([token(), fetch(`${srv.url}/readyz`), fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${accessToken}` } })]);
      const ms = Date.now() - t0;
      expect(a.status).toBe(503);
      expect(((await a.json()) as { error: string }).error).toBe('temporarily_unavailable');
      expect(b.status).toBe(503);
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBeTruthy();
      expect(ms).toBeLessThan(2000 + 1000 + 1500);
    } finally {
      await proxy.restore();
    }
    expect((await until200(token)).at(-1)).toBe(200);
  });

  it('PostgreSQL ends the server\'s sessions (pg_terminate_backend, 57P01: as in a restart or failover): the next requests answer 200 or 503, never 500, and 200 again without a restart', async () => {
    expect((await token()).status).toBe(200);
    const admin = postgres(directUrl.toString(), { max: 1, onnotice: () => {} });
    try {
      // Only this test's database's sessions of this server: other suites share the PostgreSQL.
      const killed = await admin`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ${APPLICATION_NAME} AND pid <> pg_backend_pid()`;
      expect(killed.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const seen = await until200(token);
    expect(seen.every((s) => s === 200 || s === 503), String(seen)).toBe(true);
    expect(seen.at(-1)).toBe(200);
    expect(seen.length).toBeLessThanOrEqual(3);
  });

  it('audit events queued when the database goes away are kept and written once it is back (not dropped)', async () => {
    await flushAudit(); // events held by the outages above
    expect(pendingAuditEvents()).toBe(0);
    const before = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE type = 'token.issued' AND application_id = ${app.id}`);
    // The token's audit event is queued before the answer and written within limits.auditFlushMs: cut first.
    expect((await token()).status).toBe(200);
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 500));
    expect(pendingAuditEvents()).toBeGreaterThan(0);
    await proxy.restore();
    const end = Date.now() + 10_000;
    while (pendingAuditEvents() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    const after = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE type = 'token.issued' AND application_id = ${app.id}`);
    expect(after[0].n).toBe(before[0].n + 1);
  }, 20_000);

  it('a page that fails because the database is unreachable gets the friendly 503 page with Retry-After in the site\'s look, not the 500 of its error page', async () => {
    // A stand-in for Next.js behind the real front door: a page that reads the database and
    // answers Next.js' 500 when that fails, as a server component's error does.
    const door = createFrontDoor((_req, res) => {
      query(sql`SELECT 1`).then(
        () => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Page</h1>'),
        () => {
          res.statusCode = 500;
          res.setHeader('content-type', 'text/html');
          res.setHeader('x-nextjs-error', '1');
          res.write('<h1>Something went wrong</h1>');
          res.end();
        },
      );
    });
    await new Promise<void>((r) => door.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(door.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/accounts/sessions/`)).status).toBe(200);
      await proxy.cut();
      const r = await fetch(`${base}/accounts/sessions/`);
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(r.headers.get('x-nextjs-error')).toBeNull();
      const html = await r.text();
      expect(html).toContain('<h1>Temporarily unavailable</h1>');
      expect(html).toContain('<header>');
      expect(html).not.toContain('Something went wrong');
      await proxy.restore();
      expect((await until200(() => fetch(`${base}/accounts/sessions/`))).at(-1)).toBe(200);
    } finally {
      await proxy.restore();
      door.closeAllConnections();
      await new Promise<void>((r) => door.close(() => r()));
    }
  });
});

// A failure that is not an outage stays what it was: the classification is narrow.
describe('what is not an outage', () => {
  it('a constraint violation or a syntax error is not a database outage; 57P01, 57P03, 08006, ECONNREFUSED, CONNECT_TIMEOUT are', async () => {
    const { isDatabaseOutage } = await import('@/lib/db/outage');
    for (const code of ['23505', '42601', '22021', '40001', undefined]) expect(isDatabaseOutage(Object.assign(new Error('x'), { code })), String(code)).toBe(false);
    for (const code of ['57P01', '57P03', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED']) {
      expect(isDatabaseOutage(Object.assign(new Error('x'), { code })), code).toBe(true);
      expect(isDatabaseOutage(new Error('wrapped', { cause: Object.assign(new Error('x'), { code }) })), `cause ${code}`).toBe(true);
    }
  });
});

describe.skipIf(process.env.TEST_DB !== 'postgres' || !hasBuild)('PostgreSQL unreachable under a production server process (Next.js pages; needs `next build`)', () => {
  let db: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    server?.kill();
    await proxy?.close();
    await db?.drop();
  });

  it('while the database is unreachable, Next.js pages answer the friendly 503 page with Retry-After in the site\'s look (no 500, no stack trace), and serve again when it is back', async () => {
    db = await createTestDatabase();
    const direct = new URL(db.env.DATABASE_URL!);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    server = await startServerProcess({ ...db.env, DATABASE_URL: proxied.toString(), DB_TIMEOUT_MS: settings.DB_TIMEOUT_MS! });
    // The login page reads the database on every request (the layout asks whether setup is needed).
    expect((await fetch(`${server.url}/accounts/login/`)).status).toBe(200);
    await proxy.cut();
    try {
      for (const p of ['/accounts/login/', '/']) {
        const t0 = Date.now();
        const r = await fetch(`${server.url}${p}`);
        const html = await r.text();
        expect(r.status, p).toBe(503);
        expect(Date.now() - t0, p).toBeLessThan(3000);
        expect(r.headers.get('retry-after'), p).toMatch(/^\d+$/);
        expect(html, p).toContain('<h1>Temporarily unavailable</h1>');
        expect(html, p).toContain('<header>');
        expect(html, p).not.toMatch(/DatabaseError|ECONNREFUSED|\.ts:\d+/);
      }
      const t = await fetch(`${server.url}/o/token/`, { method: 'POST', headers: form, body: 'grant_type=client_credentials&client_id=nobody&client_secret=x' });
      expect(t.status).toBe(503);
      expect(((await t.json()) as { error: string }).error).toBe('temporarily_unavailable');
    } finally {
      await proxy.restore();
    }
    const end = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < end) {
      const r = await fetch(`${server.url}/accounts/login/`);
      status = r.status;
      await r.arrayBuffer();
    }
    expect(status).toBe(200);
    expect(server.output()).not.toMatch(/startup\.failed/);
  }, 150_000);
});
