// RFC 7662: token introspection at /o/introspect/, by a confidential client or a bearer token
// with the `introspection` scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getDb } from '@/lib/db';
import { accessTokens, users, type Application, type User } from '@/lib/db/schema';
import { sha256b64url } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const FORM = 'application/x-www-form-urlencoded';
type App = Application & { secret: string };
type Tokens = { access_token: string; refresh_token?: string; scope: string };

async function userTokens(app: App, user: User, scope = 'read write'): Promise<Tokens> {
  const verifier = 'v'.repeat(64);
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, scope, code_challenge: s256(verifier), code_challenge_method: 'S256' });
  const a = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  const code = new URL(a.headers.get('location')!).searchParams.get('code')!;
  const t = await fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier }),
  });
  expect(t.status).toBe(200);
  return t.json();
}

async function clientToken(app: App, scope: string): Promise<string> {
  const r = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) }, body: form({ grant_type: 'client_credentials', scope }) });
  expect(r.status).toBe(200);
  return (await r.json()).access_token;
}

function introspect(body: Record<string, string | undefined>, headers: Record<string, string> = {}) {
  return fetch(`${srv.url}/o/introspect/`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body: form(body) });
}

let resourceServer: App;
let rsAuth: Record<string, string>;
beforeAll(async () => {
  // A resource server registered as its own confidential client, like DOT's introspection setup.
  resourceServer = await makeApp({ name: 'Resource server', grantTypes: ['client_credentials'], redirectUris: [] });
  rsAuth = { authorization: basic(resourceServer.clientId, resourceServer.secret) };
});

describe('introspection (RFC 7662)', () => {
  it("describes an active user token of another client to a confidential client (§2.2), as DOT does", async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const t = await userTokens(app, user, 'read');
    const before = Math.floor(Date.now() / 1000);
    const r = await introspect({ token: t.access_token }, rsAuth);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await r.json();
    expect(body).toEqual({
      active: true,
      scope: 'read',
      client_id: app.clientId,
      username: user.username,
      token_type: 'Bearer',
      exp: expect.any(Number),
      iat: expect.any(Number),
      sub: user.id,
      // RFC 8707: the token's audience, here the default resource (the built-in /api).
      aud: `${srv.url}/api`,
      iss: srv.url,
    });
    expect(Math.abs(body.iat - before)).toBeLessThanOrEqual(5);
    expect(body.exp - body.iat).toBeGreaterThanOrEqual(36000 - 5);
  });

  it('describes a client credentials token with the client as subject and no username', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const token = await clientToken(app, 'write');
    const body = await (await introspect({ token, token_type_hint: 'access_token' }, rsAuth)).json();
    expect(body).toMatchObject({ active: true, scope: 'write', client_id: app.clientId, sub: app.clientId, token_type: 'Bearer' });
    expect(body).not.toHaveProperty('username');
  });

  it('accepts client_secret_post', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const token = await clientToken(app, 'read');
    const r = await introspect({ token, client_id: resourceServer.clientId, client_secret: resourceServer.secret });
    expect((await r.json()).active).toBe(true);
  });

  it('accepts a bearer token with the introspection scope as the caller', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const token = await clientToken(app, 'read');
    const caller = await clientToken(resourceServer, 'introspection');
    const r = await introspect({ token }, { authorization: `Bearer ${caller}` });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ active: true, client_id: app.clientId });
  });

  it('refuses a bearer caller without the introspection scope: 403 insufficient_scope (RFC 6750 §3.1)', async () => {
    const caller = await clientToken(resourceServer, 'read write');
    const r = await introspect({ token: caller }, { authorization: `Bearer ${caller}` });
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="oauth", error="insufficient_scope", .*scope="introspection"/);
    expect((await r.json()).error).toBe('insufficient_scope');
  });

  it('refuses an invalid or revoked bearer caller: 401 invalid_token', async () => {
    const r = await introspect({ token: 'whatever' }, { authorization: 'Bearer not-a-real-token' });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="oauth", error="invalid_token"/);
    const caller = await clientToken(resourceServer, 'introspection');
    await (await getDb()).update(accessTokens).set({ revokedAt: new Date() }).where(eq(accessTokens.tokenHash, sha256b64url(caller)));
    expect((await introspect({ token: caller }, { authorization: `Bearer ${caller}` })).status).toBe(401);
  });

  it('refuses public clients and unauthenticated callers with invalid_client (§2.1); RFC 6749 §5.2: 401 with a Basic challenge only for the Authorization header, else 400 without one', async () => {
    const pub = await makeApp({ clientType: 'public' });
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const token = await clientToken(app, 'read');
    for (const [body, headers, status] of [
      [{ token, client_id: pub.clientId }, {}, 400],
      [{ token }, {}, 400],
      [{ token, client_id: resourceServer.clientId, client_secret: 'wrong' }, {}, 400],
      [{ token }, { authorization: basic(resourceServer.clientId, 'wrong') }, 401],
    ] as const) {
      const r = await introspect(body, headers);
      expect(r.status).toBe(status);
      if (status === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
      else expect(r.headers.get('www-authenticate')).toBeNull();
      expect((await r.json()).error).toBe('invalid_client');
    }
  });

  it('answers exactly {"active": false} for unknown, expired and revoked tokens (§2.2)', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const expired = await clientToken(app, 'read');
    const revoked = await clientToken(app, 'read');
    const db = await getDb();
    await db.update(accessTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(accessTokens.tokenHash, sha256b64url(expired)));
    const rv = await fetch(`${srv.url}/o/revoke_token/`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) }, body: form({ token: revoked }) });
    expect(rv.status).toBe(200);
    for (const token of ['unknown-token', 'x'.repeat(1000), expired, revoked]) {
      const r = await introspect({ token }, rsAuth);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('{"active":false}');
    }
  });

  it("answers active:false for a deactivated user's token", async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const t = await userTokens(app, user);
    await (await getDb()).update(users).set({ isActive: false }).where(eq(users.id, user.id));
    expect(await (await introspect({ token: t.access_token }, rsAuth)).json()).toEqual({ active: false });
  });

  it('describes a refresh token to its own client only, and not once it is rotated', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const t = await userTokens(app, user);
    const own = { authorization: basic(app.clientId, app.secret) };
    const mine = await (await introspect({ token: t.refresh_token!, token_type_hint: 'refresh_token' }, own)).json();
    expect(mine).toMatchObject({ active: true, client_id: app.clientId, username: user.username, sub: user.id, scope: 'read write' });
    expect(mine).not.toHaveProperty('token_type');
    // Without a hint the search goes on to refresh tokens too.
    expect((await (await introspect({ token: t.refresh_token! }, own)).json()).active).toBe(true);
    expect(await (await introspect({ token: t.refresh_token!, token_type_hint: 'refresh_token' }, rsAuth)).json()).toEqual({ active: false });
    const r = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': FORM, ...own }, body: form({ grant_type: 'refresh_token', refresh_token: t.refresh_token }) });
    expect(r.status).toBe(200);
    expect(await (await introspect({ token: t.refresh_token!, token_type_hint: 'refresh_token' }, own)).json()).toEqual({ active: false });
  });

  it('RFC 7662 §2.1: a wrong token_type_hint only orders the search: each kind is found under the other hint too', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const t = await userTokens(app, user);
    const own = { authorization: basic(app.clientId, app.secret) };
    for (const token_type_hint of ['refresh_token', 'access_token', 'nonsense']) {
      const access = await (await introspect({ token: t.access_token, token_type_hint }, own)).json();
      expect(access, token_type_hint).toMatchObject({ active: true, token_type: 'Bearer', scope: 'read write', sub: user.id });
      const refresh = await (await introspect({ token: t.refresh_token!, token_type_hint }, own)).json();
      expect(refresh, token_type_hint).toMatchObject({ active: true, scope: 'read write', sub: user.id });
      expect(refresh, token_type_hint).not.toHaveProperty('token_type');
    }
    expect(await (await introspect({ token: 'no-such-token', token_type_hint: 'refresh_token' }, own)).json()).toEqual({ active: false });
  });

  it('answers invalid_request without a token and for GET (§2.1)', async () => {
    const missing = await introspect({}, rsAuth);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: "The parameter 'token' is missing." });
    const get = await fetch(`${srv.url}/o/introspect/?token=x`, { headers: rsAuth });
    expect(get.status).toBe(400);
  });
});
