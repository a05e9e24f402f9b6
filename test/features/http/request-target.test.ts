// RFC 9112 §3.2: the request-target forms an outsider can send on a raw connection. Each reaches the
// same door as its origin-form twin, or gets a clear 4xx, never a 5xx from deep inside Next.js.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, makeApp } from '@/test/helpers/fixtures';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => {
  await srv?.close();
});

/** Sends `head` (and `body`) on a fresh connection and returns the first response: status, headers (lower-case), body. */
function rawRequest(head: string, body = ''): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { port } = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no complete answer: ${JSON.stringify(data.slice(0, 200))}`));
    }, 5000);
    s.on('data', (d) => {
      data += d.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = data.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      if (data.length - end - 4 < length) return;
      clearTimeout(timer);
      s.destroy();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: data.slice(end + 4, end + 4 + length) });
    });
    s.on('error', reject);
    s.write(head + body);
  });
}

describe('RFC 9112 §3.2: every request-target form gets an answer in the endpoint form, never a 5xx', () => {
  it('RFC 9112 §3.2.2: an absolute-form POST to the token endpoint is the token endpoint (not a redirect)', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const body = 'grant_type=client_credentials';
    const r = await rawRequest(
      `POST ${srv.url}/o/token/ HTTP/1.1\r\nHost: ${new URL(srv.url).host}\r\nAuthorization: ${basic(app.clientId, app.secret)}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body).token_type).toBe('Bearer');
  });

  it('RFC 9112 §3.2.2: an absolute-form target naming another host is served as our own path, under our issuer', async () => {
    const r = await rawRequest('GET http://evil.example/.well-known/openid-configuration HTTP/1.1\r\nHost: evil.example\r\n\r\n');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).issuer).toBe(srv.url);
  });

  it('RFC 9112 §3.2.2: an absolute-form oversized body is bounded like its origin-form twin (413 JSON on the token endpoint)', async () => {
    const r = await rawRequest(`POST http://evil.example/o/token/ HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 9999999\r\n\r\n`);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toBe('invalid_request');
  });

  it('RFC 9110 §9.3.7: OPTIONS * is answered by the server itself (204 with Allow), not handed to Next.js', async () => {
    const r = await rawRequest('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(204);
    expect(r.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect(r.headers['x-test-handoff']).toBeUndefined();
  });

  it('RFC 9110 §9.3.8: TRACE on a path Next.js serves is a 405 page with Allow from the server itself (Next.js cannot build a Fetch Request for TRACE: 500)', async () => {
    for (const path of ['/o/logout/', '/accounts/auth/session', '/accounts/login/']) {
      const r = await rawRequest(`TRACE ${path} HTTP/1.1\r\nHost: x\r\nCookie: secret=1\r\n\r\n`);
      expect(r.status, path).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
      expect(r.headers['x-test-handoff']).toBeUndefined();
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).not.toContain('secret=1');
    }
  });

  it('RFC 9110 §9.3.8: TRACE on an endpoint of the route manifest is still its own refusal (400 invalid_request at the token endpoint)', async () => {
    const r = await rawRequest('TRACE /o/token/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toBe('invalid_request');
  });

  it('RFC 9112 §3.2: asterisk-form with another method is a 400 page, not a 5xx', async () => {
    const r = await rawRequest('GET * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('The request target');
  });
});

describe('a request node:http cannot parse gets a page that says what happened (RFC 6585 §5, RFC 9110 §15.5.1)', () => {
  it('RFC 6585 §5: a request line past the 16 KB header limit gets 431 with a page naming the limit, never an empty answer', async () => {
    const r = await rawRequest(`GET /o/authorize/?state=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers.connection).toBe('close');
    expect(r.body).toContain('<h1>Request too large</h1>');
    expect(r.body).toContain('16 KB');
    expect(r.body).toContain('go back to it');
  });

  it('RFC 9110 §15.5.1: bytes that are not HTTP get 400 with a page, never an empty answer', async () => {
    const r = await rawRequest('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(r.status).toBe(400);
    expect(r.body).toContain('<h1>Invalid request</h1>');
  });

  it('the server still answers after them', async () => {
    expect((await fetch(`${srv.url}/.well-known/jwks.json`)).status).toBe(200);
  });
});
