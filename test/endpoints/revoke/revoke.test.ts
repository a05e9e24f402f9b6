// RFC 7009: token revocation at /o/revoke_token/, then checked at introspection and at the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getDb } from '@/lib/db';
import { accessTokens, auditEvents, refreshTokens, type Application } from '@/lib/db/schema';
import { flushAudit } from '@/lib/db/queries/audit';
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

const clientAuth = (app: App): Record<string, string> => (app.clientType === 'public' ? {} : { authorization: basic(app.clientId, app.secret) });
const publicId = (app: App) => (app.clientType === 'public' ? { client_id: app.clientId } : {});

/** The authorization code flow with PKCE, as the user's browser and the client would run it. */
async function userTokens(app: App, scope = 'read write'): Promise<Tokens> {
  const user = await makeUser();
  const verifier = 'v'.repeat(64);
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, scope, code_challenge: s256(verifier), code_challenge_method: 'S256' });
  const a = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  const code = new URL(a.headers.get('location')!).searchParams.get('code')!;
  const t = await fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...clientAuth(app) },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier, ...publicId(app) }),
  });
  expect(t.status).toBe(200);
  return t.json();
}

async function refresh(app: App, refreshToken: string) {
  return fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...clientAuth(app) },
    body: form({ grant_type: 'refresh_token', refresh_token: refreshToken, ...publicId(app) }),
  });
}

function revoke(body: Record<string, string | undefined>, headers: Record<string, string> = {}) {
  return fetch(`${srv.url}/o/revoke_token/`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body: form(body) });
}

const hello = (accessToken: string) => fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${accessToken}` } });

async function introspect(app: App, token: string) {
  const r = await fetch(`${srv.url}/o/introspect/`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) }, body: form({ token }) });
  return r.json();
}

/** A token pair read as revoked wherever a token is read: the API (401 invalid_token), UserInfo, introspection of both. */
async function expectRevokedEverywhere(app: App, t: Tokens) {
  const api = await hello(t.access_token);
  expect(api.status).toBe(401);
  expect(api.headers.get('www-authenticate')).toContain('invalid_token');
  const userinfo = await fetch(`${srv.url}/o/userinfo/`, { headers: { authorization: `Bearer ${t.access_token}` } });
  expect(userinfo.status).toBe(401);
  expect(await introspect(app, t.access_token)).toEqual({ active: false });
  expect(await introspect(app, t.refresh_token!)).toEqual({ active: false });
}

const app = () => makeApp({ skipAuthorization: true });

describe('revocation (RFC 7009)', () => {
  it('revokes an access token: 200 with no body, then introspection says inactive and the API answers 401 (§2.1, §2.2)', async () => {
    const a = await app();
    const t = await userTokens(a);
    expect((await hello(t.access_token)).status).toBe(200);
    const r = await revoke({ token: t.access_token, token_type_hint: 'access_token' }, clientAuth(a));
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(t.access_token)));
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(await introspect(a, t.access_token)).toEqual({ active: false });
    const h = await hello(t.access_token);
    expect(h.status).toBe(401);
    expect(h.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_token"/);
    // Revoking an access token leaves its refresh token usable (§2.1: the server "MAY" revoke it).
    expect((await refresh(a, t.refresh_token!)).status).toBe(200);
  });

  it('revokes the whole family when given a refresh token: every access and refresh token of the grant (§2.1)', async () => {
    const a = await app();
    const first = await userTokens(a);
    const second = await (await refresh(a, first.refresh_token!)).json();
    expect(second.refresh_token).toBeTruthy();
    const r = await revoke({ token: second.refresh_token, token_type_hint: 'refresh_token' }, clientAuth(a));
    expect(r.status).toBe(200);
    const db = await getDb();
    const [at] = await db.select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(second.access_token)));
    expect(await db.select().from(accessTokens).where(and(eq(accessTokens.familyId, at.familyId!), isNull(accessTokens.revokedAt)))).toHaveLength(0);
    expect(await db.select().from(refreshTokens).where(and(eq(refreshTokens.familyId, at.familyId!), isNull(refreshTokens.revokedAt)))).toHaveLength(0);
    expect((await hello(second.access_token)).status).toBe(401);
    expect(await introspect(a, second.access_token)).toEqual({ active: false });
    const again = await refresh(a, second.refresh_token);
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
    await flushAudit();
    const [ev] = await db.select().from(auditEvents).where(and(eq(auditEvents.type, 'token.revoked'), eq(auditEvents.applicationId, a.id)));
    // The refresh revoked the first access token already; the rotated refresh token is revoked now too.
    expect(ev.detail).toMatchObject({ token_type: 'refresh_token', revoked_access_tokens: 1, revoked_refresh_tokens: 2 });
  });

  it('RFC 7009 §2.1 + RFC 9700 §4.14.2: a token of a revoked family is refused at the API, UserInfo and introspection even when its own row escaped the revocation (a rotation that committed while the revocation waited)', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const first = await userTokens(app);
    const r = await refresh(app, first.refresh_token!);
    expect(r.status).toBe(200);
    const next: Tokens = await r.json();
    expect((await hello(next.access_token)).status).toBe(200);
    // The state the race leaves (READ COMMITTED): the revocation revoked the presented, rotated
    // token; the rows the concurrent rotation inserted were not in its snapshot.
    const db = await getDb();
    await db.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.tokenHash, sha256b64url(first.refresh_token!)));
    const [live] = await db.select().from(accessTokens).where(and(eq(accessTokens.tokenHash, sha256b64url(next.access_token)), isNull(accessTokens.revokedAt)));
    expect(live).toBeDefined();

    await expectRevokedEverywhere(app, next);
    expect((await refresh(app, next.refresh_token!)).status).toBe(400);
  });

  it('RFC 7009 §2.1 + RFC 9700 §4.14.2: a family with several revoked refresh tokens reads as revoked for its live tokens, never as a server error', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const first = await userTokens(app);
    const second: Tokens = await (await refresh(app, first.refresh_token!)).json();
    const r = await refresh(app, second.refresh_token!);
    expect(r.status).toBe(200);
    const third: Tokens = await r.json();
    expect((await hello(third.access_token)).status).toBe(200);
    // Two older generations revoked, the newest rows not (as racing revocations can leave them).
    const db = await getDb();
    for (const t of [first, second]) await db.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.tokenHash, sha256b64url(t.refresh_token!)));
    await expectRevokedEverywhere(app, third);
  });

  it('finds the token whatever the hint says (§2.1: "MUST extend its search across all of its supported token types")', async () => {
    const a = await app();
    const t1 = await userTokens(a);
    expect((await revoke({ token: t1.access_token, token_type_hint: 'refresh_token' }, clientAuth(a))).status).toBe(200);
    expect((await hello(t1.access_token)).status).toBe(401);
    const t2 = await userTokens(a);
    expect((await revoke({ token: t2.refresh_token!, token_type_hint: 'access_token' }, clientAuth(a))).status).toBe(200);
    expect((await hello(t2.access_token)).status).toBe(401);
    const t3 = await userTokens(a);
    expect((await revoke({ token: t3.access_token, token_type_hint: 'something_else' }, clientAuth(a))).status).toBe(200);
    expect((await hello(t3.access_token)).status).toBe(401);
  });

  it('answers 200 for an unknown token, and twice for the same token (§2.2)', async () => {
    const a = await app();
    expect((await revoke({ token: 'not-a-token' }, clientAuth(a))).status).toBe(200);
    expect((await revoke({ token: 'x'.repeat(2000) }, clientAuth(a))).status).toBe(200);
    const t = await userTokens(a);
    expect((await revoke({ token: t.access_token }, clientAuth(a))).status).toBe(200);
    expect((await revoke({ token: t.access_token }, clientAuth(a))).status).toBe(200);
  });

  it("answers 200 for another client's token without revoking it (§2.1)", async () => {
    const owner = await app();
    const other = await app();
    const t = await userTokens(owner);
    expect((await revoke({ token: t.access_token }, clientAuth(other))).status).toBe(200);
    expect((await revoke({ token: t.refresh_token! }, clientAuth(other))).status).toBe(200);
    expect((await hello(t.access_token)).status).toBe(200);
    const db = await getDb();
    const [row] = await db.select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(t.access_token)));
    expect(row.revokedAt).toBeNull();
    const [rt] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(t.refresh_token!)));
    expect(rt.revokedAt).toBeNull();
  });

  it('lets a public client revoke its own token with client_id alone (§2.1)', async () => {
    const a = await makeApp({ clientType: 'public', skipAuthorization: true });
    const t = await userTokens(a);
    const r = await revoke({ token: t.refresh_token!, client_id: a.clientId });
    expect(r.status).toBe(200);
    expect((await hello(t.access_token)).status).toBe(401);
  });

  it('requires client authentication (§2.1); RFC 6749 §5.2: a Basic challenge (401) only when the client used the Authorization header, else 400 without one', async () => {
    const a = await app();
    const t = await userTokens(a);
    for (const [body, headers, status] of [
      [{ token: t.access_token }, {}, 400],
      [{ token: t.access_token }, { authorization: basic(a.clientId, 'wrong-secret') }, 401],
      [{ token: t.access_token, client_id: a.clientId }, {}, 400], // a confidential client without its secret
      [{ token: t.access_token, client_id: a.clientId, client_secret: 'wrong-secret' }, {}, 400],
    ] as const) {
      const r = await revoke(body, headers);
      expect(r.status).toBe(status);
      if (status === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
      else expect(r.headers.get('www-authenticate')).toBeNull();
      expect((await r.json()).error).toBe('invalid_client');
    }
    expect((await hello(t.access_token)).status).toBe(200);
  });

  it('answers invalid_request without a token, for GET, and for a non-form body (§2.2.1)', async () => {
    const a = await app();
    const missing = await revoke({}, clientAuth(a));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: "The parameter 'token' is missing." });
    const get = await fetch(`${srv.url}/o/revoke_token/?token=x`, { headers: clientAuth(a) });
    expect(get.status).toBe(400);
    expect((await get.json()).error).toBe('invalid_request');
    const json = await fetch(`${srv.url}/o/revoke_token/`, { method: 'POST', headers: { 'content-type': 'application/json', ...clientAuth(a) }, body: '{"token":"x"}' });
    expect(json.status).toBe(400);
  });
});
