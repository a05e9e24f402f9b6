// Per-application CORS on the token, revoke and introspect endpoints and the example API: an Origin
// is answered only when the calling application lists it; a preflight (no credentials) when any
// application does. /o/authorize/ never sends CORS headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import type { Application } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, CORS_MAX_AGE_SECONDS: '600' });
});
afterAll(async () => srv?.close());

const FORM = 'application/x-www-form-urlencoded';
type App = Application & { secret: string };
/** A fresh origin per test: the preflight's "does any app allow it" answer is cached briefly. */
const origin = () => `https://spa-${crypto.randomBytes(4).toString('hex')}.example`;

const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age'];
function expectNoCors(r: Response) {
  for (const h of CORS_HEADERS) expect(r.headers.get(h), h).toBeNull();
}

async function spaApp(allowed: string[], over: Parameters<typeof makeApp>[0] = {}): Promise<App> {
  return makeApp({ allowedOrigins: allowed, skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], ...over });
}

function clientCredentials(app: App, from: string, scope = 'read') {
  return fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret), origin: from },
    body: form({ grant_type: 'client_credentials', scope }),
  });
}

function preflight(path: string, from: string) {
  return fetch(`${srv.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('CORS on the token endpoint', () => {
  it("allows the application's own origin, with Vary: Origin", async () => {
    const o = origin();
    const app = await spaApp([o]);
    const r = await clientCredentials(app, o);
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(o);
    expect(r.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('sends no CORS headers to an origin the application does not list, even one another application allows', async () => {
    const o = origin();
    await spaApp([o]); // another application allows it
    const app = await spaApp([origin()]);
    const r = await clientCredentials(app, o);
    expect(r.status).toBe(200); // the server answers; the browser will not let the page read it
    expectNoCors(r);
    expect(r.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('lets the allowed page read an error, so the SPA can tell what went wrong', async () => {
    const o = origin();
    const app = await spaApp([o]);
    const r = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, 'wrong'), origin: o }, body: form({ grant_type: 'client_credentials' }) });
    expect(r.status).toBe(401);
    expect(r.headers.get('access-control-allow-origin')).toBe(o);
    expect(r.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
  });

  it('RFC 6749 §5.2: a page that sent its credentials in the body reads a 400 invalid_client with no WWW-Authenticate (no browser sign-in prompt)', async () => {
    const o = origin();
    const app = await spaApp([o]);
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': FORM, origin: o },
      body: form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'wrong' }),
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('www-authenticate')).toBeNull();
    expect(r.headers.get('access-control-allow-origin')).toBe(o);
    expect((await r.json()).error).toBe('invalid_client');
  });

  it('answers a preflight for an origin any application allows: methods, headers, Max-Age', async () => {
    const o = origin();
    await spaApp([o]);
    const r = await preflight('/o/token/', o);
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(o);
    expect(r.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(r.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(r.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
    expect(r.headers.get('access-control-max-age')).toBe('600');
    expect(r.headers.get('vary')).toMatch(/\bOrigin\b/);
  });

  it('answers a preflight from a disallowed origin without CORS headers', async () => {
    await spaApp([origin()]);
    const r = await preflight('/o/token/', origin());
    expectNoCors(r);
  });
});

describe('CORS on revocation and introspection', () => {
  for (const path of ['/o/revoke_token/', '/o/introspect/']) {
    it(`${path}: allowed origin gets Access-Control-Allow-Origin, a disallowed one none`, async () => {
      const o = origin();
      const app = await spaApp([o]);
      const send = (from: string) =>
        fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret), origin: from }, body: form({ token: 'unknown' }) });
      const ok = await send(o);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe(o);
      expect(ok.headers.get('vary')).toMatch(/\bOrigin\b/);
      const no = await send(origin());
      expect(no.status).toBe(200);
      expectNoCors(no);
    });

    it(`${path}: preflight for an allowed origin, none for a disallowed one`, async () => {
      const o = origin();
      await spaApp([o]);
      const ok = await preflight(path, o);
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(o);
      expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(ok.headers.get('access-control-max-age')).toBe('600');
      expectNoCors(await preflight(path, origin()));
    });
  }

  it("introspection by a bearer caller answers with the caller token's application origins", async () => {
    const o = origin();
    const app = await spaApp([o]);
    const caller = (await (await clientCredentials(app, o, 'introspection')).json()).access_token;
    const r = await fetch(`${srv.url}/o/introspect/`, { method: 'POST', headers: { 'content-type': FORM, authorization: `Bearer ${caller}`, origin: o }, body: form({ token: caller }) });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(o);
  });
});

describe('CORS on the protected API', () => {
  it("follows the token's application: its origin is allowed, another application's is not", async () => {
    const mine = origin();
    const theirs = origin();
    const app = await spaApp([mine]);
    await spaApp([theirs]);
    const token = (await (await clientCredentials(app, mine)).json()).access_token;
    const call = (from: string) => fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${token}`, origin: from } });
    const ok = await call(mine);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(mine);
    expect(ok.headers.get('vary')).toMatch(/\bOrigin\b/);
    const no = await call(theirs);
    expect(no.status).toBe(200);
    expectNoCors(no);
  });

  it('lets the allowed page read a 401 for its revoked token, so it can refresh', async () => {
    const o = origin();
    const app = await spaApp([o]);
    const token = (await (await clientCredentials(app, o)).json()).access_token;
    await fetch(`${srv.url}/o/revoke_token/`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) }, body: form({ token }) });
    const r = await fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${token}`, origin: o } });
    expect(r.status).toBe(401);
    expect(r.headers.get('access-control-allow-origin')).toBe(o);
  });

  it('answers preflights for /api/hello and /api/notes', async () => {
    const o = origin();
    await spaApp([o]);
    for (const path of ['/api/hello', '/api/notes']) {
      const r = await preflight(path, o);
      expect(r.status).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(o);
      expect(r.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
      expectNoCors(await preflight(path, origin()));
    }
  });
});

describe('/o/authorize/ never sends CORS headers', () => {
  it('not on a redirect, not on an error page, not to an allowed origin', async () => {
    const o = origin();
    const app = await spaApp([o]);
    const user = await makeUser();
    const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const redirect = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { origin: o, cookie: await sessionCookie(user) }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expectNoCors(redirect);
    const error = await fetch(`${srv.url}/o/authorize/?client_id=unknown&response_type=code`, { headers: { origin: o } });
    expect(error.status).toBeGreaterThanOrEqual(400);
    expectNoCors(error);
    // OPTIONS is not served by the authorization endpoint at all (handed to Next.js, which has no handler).
    const pre = await preflight('/o/authorize/', o);
    expectNoCors(pre);
  });
});
