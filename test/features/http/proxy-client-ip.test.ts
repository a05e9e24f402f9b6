// Behind a reverse proxy (issue 11): the client IP is the address the trusted proxy saw, never one
// the client wrote in X-Forwarded-For. A real little proxy runs in front of the real door and
// appends its peer to X-Forwarded-For exactly as nginx's $proxy_add_x_forwarded_for does.
// Clients connect to it from their own loopback addresses (127.0.0.2, 127.0.0.3); the proxy
// reaches the door from 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, makeApp } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit } from '@/lib/db/queries/audit';
import { env } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
let proxy: http.Server;
let proxyUrl: URL;

/** nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; (the client's header, then $remote_addr). */
function startProxy(target: URL): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const sent = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': sent ? `${sent}, ${req.socket.remoteAddress}` : req.socket.remoteAddress! };
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers, localAddress: '127.0.0.1', agent: false }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  srv = await startTestServer({ ...settings, TRUST_PROXY: '1', TRUST_PROXY_HEADER: 'x-forwarded-for' });
  proxy = await startProxy(new URL(srv.url));
  proxyUrl = new URL(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await srv?.close();
});

/** POST /o/token/ through the proxy from `from` (a loopback address), with extra (spoofed) headers. */
function tokenViaProxy(from: string, auth: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const body = 'grant_type=client_credentials';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: proxyUrl.hostname,
        port: proxyUrl.port,
        path: '/o/token/',
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), authorization: auth, ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('OWASP / RFC 7239 §5.2: behind a trusted proxy (TRUST_PROXY=1) the client IP is the one the proxy saw', () => {
  it('a client that claims a different X-Forwarded-For each time is still limited by its real address: 429 after RATE_LIMIT_MAX_FAILURES', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const wrong = basic(app.clientId, 'not-the-secret');
    const max = env().RATE_LIMIT_MAX_FAILURES;
    const fake = (i: number) => ({
      'x-forwarded-for': `198.51.100.${i + 1}`,
      'x-oauth-client-ip': `203.0.113.${i + 1}`,
      forwarded: `for=192.0.2.${i + 1}`,
    });
    for (let i = 0; i < max; i++) {
      const r = await tokenViaProxy('127.0.0.2', wrong, fake(i));
      expect(r.status, r.body).toBe(401);
    }
    for (let i = max; i < max + 3; i++) {
      const r = await tokenViaProxy('127.0.0.2', wrong, fake(i));
      expect(r.status, r.body).toBe(429);
      expect(JSON.parse(r.body).error).toBe('temporarily_unavailable');
    }
    // The right secret from the same real address is refused too while the limit holds.
    expect((await tokenViaProxy('127.0.0.2', basic(app.clientId, app.secret), fake(99))).status).toBe(429);

    // The audit log has the real address of every attempt, not one of the claims.
    await flushAudit();
    const rows = await query<{ ip: string }>(sql`SELECT ip FROM audit_events WHERE type = 'client.auth_failed' AND application_id = ${app.id} ORDER BY id`);
    expect(rows.length).toBeGreaterThanOrEqual(max);
    expect(new Set(rows.map((r) => r.ip))).toEqual(new Set(['127.0.0.2']));
  });

  it('a client cannot get a victim\'s address blocked by claiming it: the victim still gets its token', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const max = env().RATE_LIMIT_MAX_FAILURES;
    for (let i = 0; i <= max; i++) await tokenViaProxy('127.0.0.2', basic(app.clientId, 'wrong'), { 'x-forwarded-for': '127.0.0.3' });
    const victim = await tokenViaProxy('127.0.0.3', basic(app.clientId, app.secret));
    expect(victim.status, victim.body).toBe(200);
    expect(JSON.parse(victim.body).access_token).toBeTruthy();
  });

  it('a request straight to the door (no proxy in between) cannot claim an address either', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, 'wrong'), 'x-oauth-client-ip': '203.0.113.77' },
      body: 'grant_type=client_credentials',
    });
    expect(r.status).toBe(401);
    await flushAudit();
    const [row] = await query<{ ip: string }>(sql`SELECT ip FROM audit_events WHERE type = 'client.auth_failed' AND application_id = ${app.id}`);
    expect(row.ip).toBe('127.0.0.1'); // the socket: with one trusted hop and no header, the peer itself
  });
});
