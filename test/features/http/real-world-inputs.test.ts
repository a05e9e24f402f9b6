// What real users, scanners and broken clients send, over HTTP against the production front door:
// every node-door endpoint and every page path (which the test server hands to a stand-in for
// Next.js) with arbitrary methods, query strings, headers and bodies. The rule for all of it:
// a 4xx in the endpoint's own form (OWASP Input Validation), never a 5xx nor a stack trace, and
// the server healthy afterwards. The pages themselves (Next.js) are fuzzed in e2e/fuzz.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { exchange, obtainCode, postToken, creds } from '@/test/helpers/codeflow';
import { MANIFEST_ENTRIES } from '@/lib/server/manifest';
import { settings } from './settings';

let srv: TestServer;
let token: string;
let app: Awaited<ReturnType<typeof makeApp>>;
beforeAll(async () => {
  srv = await startTestServer(settings);
  app = await makeApp({ skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
  const c = await obtainCode(srv, app, await makeUser(), { scope: 'openid read write' });
  token = (await (await exchange(srv, app, c)).json()).access_token;
});
afterAll(async () => srv?.close());

/** Every path the node door answers (the route manifest, lib/server/manifest.ts), with and without the trailing slash. */
const DOOR_PATHS = MANIFEST_ENTRIES.flatMap((e) => e.paths);
/** Pages and Next.js routes: here they reach the stand-in for Next.js, through the gate and the action guard. */
const PAGE_PATHS = ['/', '/accounts/login/', '/accounts/signup/', '/admin/users/', '/o/applications/register/', '/o/device/', '/o/logout/', '/accounts/auth/session'];
const PATHS = [...DOOR_PATHS, ...DOOR_PATHS.map((p) => (p.endsWith('/') ? p.slice(0, -1) : `${p}/`)), ...PAGE_PATHS];

/** A stack trace, or a path into the server's files or node's internals, in a response body. */
const STACK = /\n\s*at [^\n]*:\d+:\d+|node:internal|node_modules\/|\/work\/|webpack-internal/;

/** Values that have broken servers: NUL and controls, invalid UTF-8 escapes, huge numbers, 36 dashes, Object's own keys, long text. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '%00', '%ZZ', '%C3', '%FF%FE', '%E0%A4%A', '-'.repeat(36), '9'.repeat(40), '-1', '1e308', 'NaN', 'constructor', '__proto__', 'toString', '$(id)', '../../etc/passwd', '<script>', '\uD800', '🙂'),
  fc.integer({ min: 100, max: 20_000 }).map((n) => 'x'.repeat(n)),
);
const PARAM_NAMES = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code', 'code_verifier', 'code_challenge', 'code_challenge_method', 'grant_type', 'token', 'token_type_hint', 'access_token', 'refresh_token', 'next', 'q', 'notice', 'n', 'user', 'app', 'after', 'user_code', 'device_code', 'prompt', 'max_age', 'nonce', 'id_token_hint', 'username', 'password'];
const paramName = fc.oneof(fc.constantFrom(...PARAM_NAMES), nasty);
/** Percent-encodes the UTF-8 bytes of `s` (a lone surrogate becomes U+FFFD's bytes, as a browser sends it). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** A query string or form body, with repeated names (a=1&a=2) and escapes left raw or encoded at random. */
const query = fc
  .array(fc.tuple(paramName, nasty, fc.boolean()), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${pct(k)}=${pct(v)}`)).join('&'));

/** Header values fetch() can send (visible ASCII), from the kinds that matter. */
const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain;charset=UTF-8', 'multipart/form-data', 'multipart/form-data; boundary=xyz', 'Multipart/Form-Data; boundary=xyz', 'application/octet-stream', 'garbage'),
    authorization: fc.oneof(ascii.map((s) => `Bearer ${s}`), ascii.map((s) => `Basic ${Buffer.from(s).toString('base64')}`), ascii),
    origin: fc.constantFrom('null', 'https://evil.example', 'garbage'),
    'next-action': fc.oneof(fc.stringMatching(/^[0-9a-f]{42}$/), ascii),
    cookie: ascii.map((s) => `authjs.session-token=${s}`),
    'x-forwarded-for': ascii,
    accept: fc.constantFrom('text/x-component', 'application/json', '*/*'),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  query,
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('--xyz\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$@1"]\r\n--xyz--\r\n'),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND');

interface Answer {
  status: number;
  body: string;
}

async function send(m: string, path: string, q: string, h: Record<string, string>, b: string): Promise<Answer> {
  const r = await fetch(`${srv.url}${path}${q ? `?${q}` : ''}`, { method: m, headers: h, body: m === 'GET' || m === 'HEAD' ? undefined : b, redirect: 'manual' });
  return { status: r.status, body: await r.text() };
}

async function healthy(): Promise<void> {
  const d = await fetch(`${srv.url}/.well-known/openid-configuration`);
  expect(d.status).toBe(200);
  const t = await postToken(srv, { grant_type: 'client_credentials', scope: 'read' }, creds(app));
  expect(t.status).toBe(200);
}

describe('OWASP Input Validation: no endpoint answers 5xx or a stack trace to any input', () => {
  it('property: every door endpoint and page path, any method, query, headers and body: a status below 500 and no stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(method, fc.constantFrom(...PATHS), query, headers, body, async (m, path, q, h, b) => {
        const r = await send(m, path, q, h, b);
        expect(r.status, `${m} ${path}?${q.slice(0, 200)} ${JSON.stringify(h)}`).toBeLessThan(500);
        expect(r.body).not.toMatch(STACK);
      }),
      { numRuns: 400 },
    );
    await healthy();
  });

  it('property: with a valid bearer token, any query and body to the resources (userinfo, /api/*) is answered below 500', async () => {
    await fc.assert(
      fc.asyncProperty(method, fc.constantFrom('/o/userinfo/', '/api/hello', '/api/notes'), query, body, fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'), async (m, path, q, b, type) => {
        const r = await send(m, path, q, { authorization: `Bearer ${token}`, 'content-type': type }, b);
        expect(r.status, `${m} ${path} ${b.slice(0, 200)}`).toBeLessThan(500);
        expect(r.body).not.toMatch(STACK);
      }),
      { numRuns: 150 },
    );
    await healthy();
  });

  it('property: any JSON note text is stored or refused with invalid_request, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nasty, fc.json({ maxDepth: 2 })), async (text) => {
        const r = await send('POST', '/api/notes', '', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ text }));
        expect([201, 400], r.body).toContain(r.status);
      }),
      { numRuns: 120 },
    );
  });
});

describe('regressions, each named for its rule', () => {
  it('OWASP Input Validation: a NUL in a note is 400 invalid_request naming the rule (PostgreSQL text holds no NUL)', async () => {
    const r = await send('POST', '/api/notes', '', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ text: 'a\u0000b' }));
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: 'invalid_request', error_description: 'text must not contain control characters such as NUL (tabs and line breaks are fine).' });
    const ok = await send('POST', '/api/notes', '', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ text: 'line one\n\tline two' }));
    expect(ok.status).toBe(201);
  });

  it('RFC 9110 §9.3.2: HEAD /o/userinfo/ is answered as GET is (same status and headers), without content', async () => {
    for (const auth of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const get = await fetch(`${srv.url}/o/userinfo/`, { headers: auth });
      const head = await fetch(`${srv.url}/o/userinfo/`, { method: 'HEAD', headers: auth });
      expect(head.status).toBe(get.status);
      expect(head.headers.get('www-authenticate')).toBe(get.headers.get('www-authenticate'));
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(await head.text()).toBe('');
    }
  });

  it('RFC 9110 §9.3.2: every GET route of the node door answers HEAD with the status GET gets, and no content', async () => {
    for (const path of DOOR_PATHS) {
      const get = await fetch(`${srv.url}${path}`, { redirect: 'manual' });
      const head = await fetch(`${srv.url}${path}`, { method: 'HEAD', redirect: 'manual' });
      expect(head.status, path).toBe(get.status);
      expect(await head.text(), path).toBe('');
    }
  });

  it('OWASP CSRF Prevention: a server action POST from another origin is 403 with a short page, before Next.js', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const r = await fetch(`${srv.url}/admin/users/`, { method: 'POST', headers: { origin, 'next-action': '40bf631ea30e9e27f19a7041b1056491b98b9df1ab', 'content-type': 'text/plain;charset=UTF-8' }, body: '[]' });
      expect(r.status, origin).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.headers.get('x-test-handoff')).toBeNull();
      expect(await r.text()).toContain('not sent from a page of this site');
    }
    // From our own origin it goes on to Next.js (here the stand-in).
    const ours = await fetch(`${srv.url}/admin/users/`, { method: 'POST', headers: { origin: srv.url, 'next-action': '40bf631ea30e9e27f19a7041b1056491b98b9df1ab', 'content-type': 'text/plain;charset=UTF-8' }, body: '[]' });
    expect(ours.headers.get('x-test-handoff')).toBe('next');
  });

  it('OWASP Input Validation: a garbage multipart body to any page is 400 (unreadable form), not a 500 from Next.js', async () => {
    for (const path of PAGE_PATHS) {
      for (const type of ['multipart/form-data; boundary=xyz', 'multipart/form-data']) {
        const r = await fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: 'garbage' });
        expect(r.status, `${path} ${type}`).toBe(400);
        expect(await r.text()).toContain('The form data could not be read');
      }
    }
  });

  it('RFC 3986 §2.1: a path with a malformed percent-encoding (a lone %, %ZZ, non-UTF-8 %FF) is a 400 page, not a 500 from Next.js', async () => {
    for (const p of ['/o/applications/%/', '/admin/applications/%ZZ/', '/o/applications/%FF/', '/%E0%A4%A/']) {
      const r = await fetch(`${srv.url}${p}`);
      expect(r.status, p).toBe(400);
      expect(r.headers.get('x-test-handoff'), p).toBeNull();
      expect(await r.text()).toContain('malformed percent-encoding');
    }
    // Encoded, the same characters are an ordinary path.
    expect((await fetch(`${srv.url}/o/applications/%25/`)).headers.get('x-test-handoff')).toBe('next');
  });

  it('a server action body that is not React\'s encoding (undecodable arguments) is 400 before Next.js', async () => {
    for (const b of ['garbage{', '"x"', '["$@1"]', '["$nabc"]']) {
      const r = await fetch(`${srv.url}/`, { method: 'POST', headers: { 'next-action': '00480f2210e03e363434f1b85bb99c7e8abec6efa1', 'content-type': 'text/plain;charset=UTF-8' }, body: b });
      expect(r.status, b).toBe(400);
      expect(r.headers.get('x-test-handoff')).toBeNull();
    }
  });
});
