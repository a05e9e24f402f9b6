// ID tokens from the token endpoint (OpenID Connect Core §2, §3.1.3.3, §3.1.3.6, §12.2) and the
// OIDC parameters of the authorization request (§3.1.2.1), over real HTTP against the fast door.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { exchange, getAuthorize, getPending, newVerifier, obtainCode, pendingIdOfRedirect, postToken, creds, redirectParams } from '@/test/helpers/codeflow';
import { pendingSignIn } from '@/lib/oauth/pending-request';
import { s256 } from '@/lib/oauth/pkce';
import { env } from '@/lib/env';
import { getDb } from '@/lib/db';
import { users, type Application, type User } from '@/lib/db/schema';
import { idTokenClaims, signIdToken } from '@/lib/oauth/oidc/id-token';
import { eq } from 'drizzle-orm';
import { settings } from './settings';

let srv: TestServer;
let jwks: ReturnType<typeof createLocalJWKSet>;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

type App = Application & { secret: string };

async function tokensWith(app: App, user: User, extra: Record<string, string | undefined> = {}, authTime?: number) {
  const verifier = newVerifier();
  const r = await getAuthorize(
    srv,
    { response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 'st', ...extra },
    await sessionCookie(user, authTime),
  );
  const code = redirectParams(r).get('code')!;
  expect(code).toBeTruthy();
  const t = await exchange(srv, app, { code, verifier, params: new URLSearchParams() });
  const body = await t.json();
  expect(t.status, JSON.stringify(body)).toBe(200);
  return body as { access_token: string; refresh_token?: string; id_token?: string; scope: string };
}

async function verifyRs256(idToken: string, app: Pick<Application, 'clientId'>): Promise<JWTPayload> {
  jwks ??= createLocalJWKSet((await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
  const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: srv.url, audience: app.clientId, algorithms: ['RS256'] });
  expect(protectedHeader.alg).toBe('RS256');
  return payload;
}

/** Independent of the server's code: OIDC Core §3.1.3.6 at_hash for RS256/HS256. */
const expectedAtHash = (at: string) => crypto.createHash('sha256').update(at).digest().subarray(0, 16).toString('base64url');

describe('ID token from the code exchange (OIDC Core §3.1.3.3)', () => {
  it('is signed with a key from the JWKS and carries every claim (§2, §3.1.3.6)', async () => {
    const user = await makeUser({ email: 'ada@example.com' });
    const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    const authTime = Math.floor(Date.now() / 1000) - 120;
    const before = Math.floor(Date.now() / 1000);
    const body = await tokensWith(app, user, { scope: 'openid profile email', nonce: 'n-0S6_WzA2Mj' }, authTime);
    expect(body.id_token).toBeTruthy();
    const header = decodeProtectedHeader(body.id_token!);
    expect(header.kid).toBeTruthy();
    const c = await verifyRs256(body.id_token!, app);
    expect(c.iss).toBe(srv.url);
    expect(c.sub).toBe(user.id);
    expect(c.aud).toBe(app.clientId);
    expect(c.iat).toBeGreaterThanOrEqual(before);
    expect(c.exp! - c.iat!).toBe(env().ID_TOKEN_EXPIRE_SECONDS);
    expect(c.auth_time).toBe(authTime);
    expect(c.nonce).toBe('n-0S6_WzA2Mj');
    expect(c.at_hash).toBe(expectedAtHash(body.access_token));
    expect(c.preferred_username).toBe(user.username);
    expect(c.name).toBe(user.username);
    expect(c.email).toBe('ada@example.com');
    expect(c.email_verified).toBe(false);
  });

  it('releases only the claims of the granted scopes, and no nonce when none was sent (§5.4)', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    const c = await verifyRs256((await tokensWith(app, user, { scope: 'openid' })).id_token!, app);
    expect(c.sub).toBe(user.id);
    for (const k of ['nonce', 'preferred_username', 'name', 'email', 'email_verified']) expect(c).not.toHaveProperty(k);
    const p = await verifyRs256((await tokensWith(app, user, { scope: 'openid profile' })).id_token!, app);
    expect(p.preferred_username).toBe(user.username);
    expect(p).not.toHaveProperty('email');
  });

  it('keeps sub stable across logins and distinct between users (§2)', async () => {
    const [a, b] = [await makeUser(), await makeUser()];
    const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    const a1 = await verifyRs256((await tokensWith(app, a, { scope: 'openid' })).id_token!, app);
    const a2 = await verifyRs256((await tokensWith(app, a, { scope: 'openid' })).id_token!, app);
    const b1 = await verifyRs256((await tokensWith(app, b, { scope: 'openid' })).id_token!, app);
    expect(a1.sub).toBe(a2.sub);
    expect(a1.sub).not.toBe(b1.sub);
  });

  it('is not issued without the openid scope, nor to an application without an Algorithm', async () => {
    const user = await makeUser();
    const rs = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    expect((await tokensWith(rs, user, { scope: 'read' })).id_token).toBeUndefined();
    const none = await makeApp({ skipAuthorization: true, algorithm: '' });
    const body = await tokensWith(none, user, { scope: 'openid profile' });
    expect(body.access_token).toBeTruthy();
    expect(body.id_token).toBeUndefined();
  });

  it('is issued again on refresh when openid was granted, with the original auth_time and no nonce (§12.2)', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    const authTime = Math.floor(Date.now() / 1000) - 600;
    const first = await tokensWith(app, user, { scope: 'openid profile read', nonce: 'abc' }, authTime);
    const r = await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, creds(app));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    const c = await verifyRs256(body.id_token, app);
    expect(c.sub).toBe(user.id);
    expect(c.auth_time).toBe(authTime);
    expect(c).not.toHaveProperty('nonce');
    expect(c.at_hash).toBe(expectedAtHash(body.access_token));
    expect(c.preferred_username).toBe(user.username);
    // A refresh narrowed to scopes without openid gets no ID token.
    const r2 = await postToken(srv, { grant_type: 'refresh_token', refresh_token: body.refresh_token, scope: 'read' }, creds(app));
    const b2 = await r2.json();
    expect(r2.status, JSON.stringify(b2)).toBe(200);
    expect(b2.id_token).toBeUndefined();
  });

  it('uses the current username and email of the user at issuance', async () => {
    const user = await makeUser({ email: 'old@example.com' });
    const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    const db = await getDb();
    await db.update(users).set({ email: 'new@example.com' }).where(eq(users.id, user.id));
    const c = await verifyRs256((await tokensWith(app, user, { scope: 'openid email' })).id_token!, app);
    expect(c.email).toBe('new@example.com');
  });
});

describe('HS256 ID tokens (DOT #1737)', () => {
  it('are signed with the plain client secret and verify with it', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, algorithm: 'HS256', secretHashed: false });
    const body = await tokensWith(app, user, { scope: 'openid profile', nonce: 'hs' });
    expect(decodeProtectedHeader(body.id_token!).alg).toBe('HS256');
    const { payload } = await jwtVerify(body.id_token!, new TextEncoder().encode(app.secret), { issuer: srv.url, audience: app.clientId, algorithms: ['HS256'] });
    expect(payload.sub).toBe(user.id);
    expect(payload.nonce).toBe('hs');
    expect(payload.at_hash).toBe(expectedAtHash(body.access_token));
    // Not with any other secret.
    await expect(jwtVerify(body.id_token!, new TextEncoder().encode(app.secret + 'x'))).rejects.toThrow();
  });

  it('are refused (server_error) rather than signed with a hashed secret', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, algorithm: 'HS256', secretHashed: true });
    const c = await obtainCode(srv, app, user, { scope: 'openid' });
    const r = await exchange(srv, app, c);
    const body = await r.json();
    expect(r.status).toBe(500);
    expect(body.error).toBe('server_error');
    expect(JSON.stringify(body)).not.toContain('argon2');
    expect(body.id_token).toBeUndefined();
    expect(body.access_token).toBeUndefined();
  });
});

describe('Authorization request parameters (OIDC Core §3.1.2.1)', () => {
  let app: App;
  let user: User;
  beforeAll(async () => {
    app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    user = await makeUser();
  });
  const base = () => ({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(newVerifier()), code_challenge_method: 'S256', scope: 'openid', state: 's1' });

  it('prompt=none without a session redirects with login_required, state and iss (§3.1.2.6, RFC 9207)', async () => {
    const q = redirectParams(await getAuthorize(srv, { ...base(), prompt: 'none' }));
    expect(q.get('error')).toBe('login_required');
    expect(q.get('state')).toBe('s1');
    expect(q.get('iss')).toBe(srv.url);
    expect(q.get('code')).toBeNull();
  });

  it('max_age=0 sends a user with an older login back to log in', async () => {
    const cookie = await sessionCookie(user, Math.floor(Date.now() / 1000) - 60);
    const r = await getAuthorize(srv, { ...base(), max_age: '0' }, cookie);
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location')!, srv.url);
    expect(loc.pathname).toBe('/accounts/login/');
    const pendingId = pendingIdOfRedirect(r, srv.url);
    // Coming back with the old login: to the login page again.
    expect(new URL((await getPending(srv, pendingId, cookie)).headers.get('location')!, srv.url).pathname).toBe('/accounts/login/');
    // Coming back from that login satisfies max_age: it is not asked for again.
    expect(redirectParams(await getPending(srv, pendingId, await sessionCookie(user))).get('code')).toBeTruthy();
    // With prompt=none it is an error instead.
    const q = redirectParams(await getAuthorize(srv, { ...base(), max_age: '0', prompt: 'none' }, cookie));
    expect(q.get('error')).toBe('login_required');
    expect(q.get('iss')).toBe(srv.url);
  });

  it('a login younger than max_age gets a code, and auth_time in the ID token', async () => {
    const authTime = Math.floor(Date.now() / 1000) - 30;
    const body = await tokensWith(app, user, { max_age: '3600', scope: 'openid' }, authTime);
    expect((await verifyRs256(body.id_token!, app)).auth_time).toBe(authTime);
  });

  it('prompt=login asks for a login again; login_hint is kept for the login page', async () => {
    const r = await getAuthorize(srv, { ...base(), prompt: 'login', login_hint: 'ada' }, await sessionCookie(user, Math.floor(Date.now() / 1000) - 5));
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location')!, srv.url);
    expect(loc.pathname).toBe('/accounts/login/');
    expect(await pendingSignIn(loc.searchParams.get('next')!)).toMatchObject({ kind: 'live', loginHint: 'ada' });
    // The login it asked for satisfies it: prompt=login is not asked for again.
    expect(redirectParams(await getPending(srv, pendingIdOfRedirect(r, srv.url), await sessionCookie(user))).get('code')).toBeTruthy();
  });

  it('prompt=consent on an app the user never approved, with prompt=none, gives consent_required', async () => {
    const other = await makeApp({ algorithm: 'RS256' });
    const q = redirectParams(await getAuthorize(srv, { ...base(), client_id: other.clientId, prompt: 'none' }, await sessionCookie(user)));
    expect(q.get('error')).toBe('consent_required');
    expect(q.get('iss')).toBe(srv.url);
  });

  it('ignores unknown parameters (§3.1.2.1)', async () => {
    const q = redirectParams(await getAuthorize(srv, { ...base(), foo: 'bar', claims_locales: 'de' }, await sessionCookie(user)));
    expect(q.get('code')).toBeTruthy();
    expect(q.get('iss')).toBe(srv.url);
  });

  it('puts iss in error responses too (RFC 9207 §2)', async () => {
    const q = redirectParams(await getAuthorize(srv, { ...base(), scope: 'openid no-such-scope' }, await sessionCookie(user)));
    expect(q.get('error')).toBe('invalid_scope');
    expect(q.get('iss')).toBe(srv.url);
    expect(q.get('state')).toBe('s1');
  });

  describe('id_token_hint', () => {
    it('naming the logged-in user: a code, even when the hint has expired', async () => {
      const fresh = (await tokensWith(app, user, { scope: 'openid' })).id_token!;
      let q = redirectParams(await getAuthorize(srv, { ...base(), id_token_hint: fresh, prompt: 'none' }, await sessionCookie(user)));
      expect(q.get('code'), q.toString()).toBeTruthy();
      const old = await signIdToken(app, idTokenClaims({ app, user, scopes: ['openid'], nonce: null, authTime: null, now: Math.floor(Date.now() / 1000) - 10 * env().ID_TOKEN_EXPIRE_SECONDS }));
      q = redirectParams(await getAuthorize(srv, { ...base(), id_token_hint: old, prompt: 'none' }, await sessionCookie(user)));
      expect(q.get('code'), q.toString()).toBeTruthy();
    });

    it('naming another user: login_required with prompt=none, otherwise the login page', async () => {
      const other = await makeUser();
      const hint = (await tokensWith(app, other, { scope: 'openid' })).id_token!;
      const q = redirectParams(await getAuthorize(srv, { ...base(), id_token_hint: hint, prompt: 'none' }, await sessionCookie(user)));
      expect(q.get('error')).toBe('login_required');
      expect(q.get('iss')).toBe(srv.url);
      const r = await getAuthorize(srv, { ...base(), id_token_hint: hint }, await sessionCookie(user));
      expect(r.status).toBe(302);
      expect(new URL(r.headers.get('location')!, srv.url).pathname).toBe('/accounts/login/');
    });

    it('that we did not sign is rejected with invalid_request', async () => {
      const forged = await new SignJWT({ iss: srv.url, sub: user.id, aud: app.clientId })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('not-our-key-not-our-key-not-our-key'));
      for (const hint of [forged, 'not-a-jwt', `${forged.split('.').slice(0, 2).join('.')}.`]) {
        const q = redirectParams(await getAuthorize(srv, { ...base(), id_token_hint: hint }, await sessionCookie(user)));
        expect(q.get('error')).toBe('invalid_request');
        expect(q.get('iss')).toBe(srv.url);
      }
    });
  });
});
