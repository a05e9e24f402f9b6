// Issue 11, "one anonymous request kills the server": every request body is bounded before it is
// read (RFC 9110 §15.5.14 413), on every path of the real front door, without buffering it.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { HUGE_BODIES, MB, sendHuge, type HugeBody } from '@/test/helpers/huge-request';
import { basic, makeApp } from '@/test/helpers/fixtures';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => {
  await srv?.close();
});

/** Every POST route of the node:http door, and the form of its errors. */
const DOOR_POSTS: { path: string; form: 'json' | 'html' }[] = [
  { path: '/o/token/', form: 'json' },
  { path: '/o/revoke_token/', form: 'json' },
  { path: '/o/introspect/', form: 'json' },
  { path: '/o/userinfo/', form: 'json' },
  { path: '/o/device-authorization/', form: 'json' },
  { path: '/api/notes', form: 'json' },
  { path: '/o/authorize/', form: 'html' },
];

function expectTooLarge(r: { status: number; headers: http.IncomingHttpHeaders; body: string; ms: number }, form: 'json' | 'html', limit = '64 KiB') {
  expect(r.status, r.body.slice(0, 200)).toBe(413);
  expect(r.ms).toBeLessThan(1000);
  expect(r.headers.connection).toBe('close');
  if (form === 'json') {
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.body)).toEqual({ error: 'invalid_request', error_description: `The request body is larger than ${limit}.` });
  } else {
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain(`The request body is larger than ${limit}.`);
  }
}

async function stillAnswers() {
  const r = await fetch(`${srv.url}/.well-known/openid-configuration`);
  expect(r.status).toBe(200);
  expect((await r.json()).issuer).toBe(srv.url);
}

describe('RFC 9110 §15.5.14: every POST route of the door answers an oversized body with 413 within a second', () => {
  for (const { path, form } of DOOR_POSTS) {
    for (const body of HUGE_BODIES) {
      it(`${path}: ${body.name}`, async () => {
        const r = await sendHuge(`${srv.url}${path}`, body);
        expectTooLarge(r, form);
        // Not read: the answer came long before the sender could push the body through.
        expect(r.sent).toBeLessThan(body.total);
        await stillAnswers();
      });
    }
  }
});

describe('the request gate: one rule for every path, before anything reads the body', () => {
  it('OWASP DoS: the server holds no oversized body in memory (RSS grows < 64 MB over 20 huge requests)', async () => {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 20; i++) {
      const body = HUGE_BODIES[i % HUGE_BODIES.length];
      expectTooLarge(await sendHuge(`${srv.url}${DOOR_POSTS[i % DOOR_POSTS.length].path}`, body), DOOR_POSTS[i % DOOR_POSTS.length].form);
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MB);
    await stillAnswers();
  });

  it('RFC 9110 §10.1.1: Expect: 100-continue with an oversized Content-Length gets its 413 before any body is sent', async () => {
    const r = await sendHuge(`${srv.url}/o/token/`, HUGE_BODIES[0], { expect: '100-continue' });
    expectTooLarge(r, 'json');
    expect(r.sent).toBe(0);
  });

  it('RFC 9110 §10.1.1: Expect: 100-continue within the limit gets its 100 and is served', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const small: HugeBody = { name: 'form', total: 0, chunk: Buffer.from('grant_type=client_credentials'), chunked: false };
    small.total = small.chunk.length;
    const r = await sendHuge(`${srv.url}/o/token/`, small, { expect: '100-continue', authorization: basic(app.clientId, app.secret) });
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body).access_token).toBeTruthy();
  });

  it('RFC 9112 §7.1: a chunked body within the limit is read and served (replayed from the bounded buffer)', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const chunks = ['grant_type=client_', 'credentials&scope=read'];
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
      body: new ReadableStream<Uint8Array>({
        pull(ctl) {
          const c = chunks.shift();
          if (c === undefined) ctl.close();
          else ctl.enqueue(new TextEncoder().encode(c));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(200);
    expect((await r.json()).scope).toBe('read');
  });

  it('paths Next.js answers (pages, next-auth, logout) are bounded too: 413 as an HTML page', async () => {
    for (const path of ['/accounts/auth/callback/credentials', '/o/logout/', '/accounts/signup/', '/o/applications/register/']) {
      for (const body of HUGE_BODIES) expectTooLarge(await sendHuge(`${srv.url}${path}`, body), 'html');
    }
    // Within the limit, the request is handed on (the test server marks what Next.js would answer).
    const r = await fetch(`${srv.url}/o/logout/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(r.headers.get('x-test-handoff')).toBe('next');
    await stillAnswers();
  });

  it('server actions (POST with Next-Action) may be up to MAX_ACTION_BODY_BYTES (1 MiB); 1.5 MB is 413, not 500', async () => {
    const action = { 'next-action': 'anything', 'content-type': 'text/plain;charset=UTF-8' };
    const big = (total: number, chunked: boolean): HugeBody => ({ name: 'action', total, chunk: Buffer.alloc(64 * 1024, 'x'), chunked });
    expectTooLarge(await sendHuge(`${srv.url}/accounts/login/`, big(1.5 * MB, false), action), 'html', '1 MiB');
    expectTooLarge(await sendHuge(`${srv.url}/accounts/login/`, big(1.5 * MB, true), action), 'html', '1 MiB');
    // Within the limit it reaches Next.js: urlencoded, a body the action guard (lib/server/action-request.ts)
    // leaves to Next.js (a repeated chunk is not React's encoding, which the guard would refuse with 400).
    for (const chunked of [false, true]) {
      const ok = await sendHuge(`${srv.url}/accounts/login/`, big(900 * 1024, chunked), { ...action, 'content-type': 'application/x-www-form-urlencoded' });
      expect(ok.headers['x-test-handoff'], `chunked=${chunked}`).toBe('next');
    }
    // Without Next-Action a page gets the ordinary limit; the door's endpoints never take the larger one.
    expectTooLarge(await sendHuge(`${srv.url}/accounts/login/`, big(100 * 1024, false), { 'content-type': 'text/plain' }), 'html');
    expectTooLarge(await sendHuge(`${srv.url}/o/token/`, big(100 * 1024, true), action), 'json');
  });

  it('RFC 6749 §5.2: /api/* paths answer 413 as JSON, whoever serves them', async () => {
    expectTooLarge(await sendHuge(`${srv.url}/api/unknown`, HUGE_BODIES[2]), 'json');
  });
});
