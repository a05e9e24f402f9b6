// RP-Initiated Logout 1.0: the framework-free decision behind /o/logout/ (the page itself is a Next.js
// route, covered in e2e/oidc.spec.ts). ID tokens come from the real token endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { exchange, obtainCode } from '@/test/helpers/codeflow';
import { evaluateLogout, postLogoutRedirect } from '@/lib/oauth/oidc/logout';
import { idTokenClaims, signIdToken } from '@/lib/oauth/oidc/id-token';
import type { Application, User } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
let app: Application & { secret: string };
let other: Application & { secret: string };
let user: User;
let idToken: string;
const BACK = 'https://rp.example/logged-out';

beforeAll(async () => {
  srv = await startTestServer(settings);
  app = await makeApp({ name: 'Photo app', skipAuthorization: true, algorithm: 'RS256', postLogoutRedirectUris: [BACK, 'https://rp.example/bye?x=1'] });
  other = await makeApp({ name: 'Other app', skipAuthorization: true, algorithm: 'RS256', postLogoutRedirectUris: ['https://other.example/'] });
  user = await makeUser();
  const c = await obtainCode(srv, app, user, { scope: 'openid' });
  idToken = (await (await exchange(srv, app, c)).json()).id_token;
  expect(idToken).toBeTruthy();
});
afterAll(async () => srv?.close());

const q = (p: Record<string, string>) => new URLSearchParams(p);

describe('RP-initiated logout decisions (RP-Initiated Logout 1.0 §2–§3)', () => {
  it('logs out at once, and returns to the registered URI with state, when the hint names the logged-in user', async () => {
    expect(await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: BACK, state: 'af0ifjsldkj' }), user.id)).toEqual({
      kind: 'logout',
      appName: 'Photo app',
      redirectTo: `${BACK}?state=af0ifjsldkj`,
      namedUserId: user.id,
    });
    // The URI's own query is kept, and state added.
    const o = await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: 'https://rp.example/bye?x=1', state: 's' }), user.id);
    expect(o).toMatchObject({ kind: 'logout', redirectTo: 'https://rp.example/bye?x=1&state=s' });
  });

  it('accepts an expired hint (§2: "even when the exp time has passed")', async () => {
    const old = await signIdToken(app, idTokenClaims({ app, user, scopes: ['openid'], nonce: null, authTime: null, now: Math.floor(Date.now() / 1000) - 2 * env().ID_TOKEN_EXPIRE_SECONDS }));
    expect((await evaluateLogout(q({ id_token_hint: old }), user.id)).kind).toBe('logout');
  });

  it('asks to confirm when the hint names another user, or when there is no hint', async () => {
    const someone = await makeUser();
    expect(await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: BACK, state: 's' }), someone.id)).toEqual({
      kind: 'confirm',
      appName: 'Photo app',
      redirectTo: `${BACK}?state=s`,
      namedUserId: user.id,
    });
    expect(await evaluateLogout(q({ client_id: app.clientId, post_logout_redirect_uri: BACK, state: 's' }), user.id)).toEqual({
      kind: 'confirm',
      appName: 'Photo app',
      redirectTo: `${BACK}?state=s`,
      namedUserId: null,
    });
    expect(await evaluateLogout(q({}), user.id)).toEqual({ kind: 'confirm', appName: null, redirectTo: null, namedUserId: null });
  });

  it('with nobody logged in and no hint of ours, offers the way back but does not redirect by itself (RFC 9700 §4.11.2)', async () => {
    const o = await evaluateLogout(q({ client_id: app.clientId, post_logout_redirect_uri: BACK }), null);
    expect(o).toEqual({ kind: 'logged_out', appName: 'Photo app', redirectTo: BACK, namedUserId: null });
    expect(postLogoutRedirect(o, null)).toBeNull();
  });

  it('never redirects to an unregistered URI: exact match only (§3)', async () => {
    for (const bad of [
      'https://evil.example/',
      `${BACK}/`,
      `${BACK}?extra=1`,
      'https://RP.example/logged-out#frag',
      'https://rp.example/bye',
      'https://other.example/', // another application's URI
    ]) {
      const o = await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: bad, state: 's' }), user.id);
      expect(o.kind, bad).toBe('error');
      expect(o).not.toHaveProperty('redirectTo');
    }
  });

  it('refuses a post_logout_redirect_uri when no client is identified', async () => {
    const o = await evaluateLogout(q({ post_logout_redirect_uri: BACK }), user.id);
    expect(o).toMatchObject({ kind: 'error' });
  });

  it('refuses a client_id that does not match the hint’s audience (§2)', async () => {
    const o = await evaluateLogout(q({ id_token_hint: idToken, client_id: other.clientId, post_logout_redirect_uri: 'https://other.example/' }), user.id);
    expect(o).toMatchObject({ kind: 'error', message: expect.stringMatching(/client_id/) });
  });

  it('refuses a hint we did not issue, and an unknown client_id', async () => {
    const forged = await new SignJWT({ iss: env().ISSUER, sub: user.id, aud: app.clientId })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(40)));
    const parts = idToken.split('.');
    const tampered = [parts[0], Buffer.from(JSON.stringify({ iss: env().ISSUER, sub: 'someone-else', aud: app.clientId })).toString('base64url'), parts[2]].join('.');
    for (const hint of [forged, tampered, 'garbage']) {
      const o = await evaluateLogout(q({ id_token_hint: hint, post_logout_redirect_uri: BACK }), user.id);
      expect(o.kind, hint.slice(0, 20)).toBe('error');
    }
    expect((await evaluateLogout(q({ client_id: 'nope', post_logout_redirect_uri: BACK }), user.id)).kind).toBe('error');
  });

  it('refuses duplicated parameters', async () => {
    const p = new URLSearchParams();
    p.append('post_logout_redirect_uri', BACK);
    p.append('post_logout_redirect_uri', 'https://evil.example/');
    p.append('client_id', app.clientId);
    expect((await evaluateLogout(p, user.id)).kind).toBe('error');
  });

  it('verifies an HS256 hint with the client’s secret, but still asks: its owner could have forged it', async () => {
    const hs = await makeApp({ skipAuthorization: true, algorithm: 'HS256', secretHashed: false, postLogoutRedirectUris: ['https://hs.example/out'] });
    const c = await obtainCode(srv, hs, user, { scope: 'openid' });
    const hint = (await (await exchange(srv, hs, c)).json()).id_token;
    const asked = await evaluateLogout(q({ id_token_hint: hint, post_logout_redirect_uri: 'https://hs.example/out', state: 'z' }), user.id);
    expect(asked).toEqual({ kind: 'confirm', appName: hs.name, redirectTo: 'https://hs.example/out?state=z', namedUserId: null });
    // Even once the user confirms, a hint the client could have minted names nobody: a link, no redirect.
    expect(postLogoutRedirect(asked, user.id)).toBeNull();
    // A hint forged with the app's own secret, naming another user, logs nobody out silently.
    const victim = await makeUser();
    const forged = await new SignJWT({ sub: victim.id, aud: hs.clientId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(srv.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(hs.secret));
    const o = await evaluateLogout(q({ id_token_hint: forged, post_logout_redirect_uri: 'https://hs.example/out' }), victim.id);
    expect(o.kind).toBe('confirm');
  });

  it('is a Next.js page, not a fast route (the door hands /o/logout/ over)', async () => {
    const r = await fetch(`${srv.url}/o/logout/?client_id=${app.clientId}`, { redirect: 'manual' });
    expect(r.headers.get('x-test-handoff')).toBe('next');
  });
});

describe('RFC 9700 §4.11.2 / RP-Initiated Logout 1.0 §3: /o/logout/ is not an open redirector', () => {
  it('an anonymous visitor with a valid hint is not redirected: the signed-out page links to the application, named', async () => {
    const o = await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: BACK, state: 's' }), null);
    expect(o).toEqual({ kind: 'logged_out', appName: 'Photo app', redirectTo: `${BACK}?state=s`, namedUserId: user.id });
    // Nothing was ended by this request, so nothing is followed automatically.
    expect(postLogoutRedirect(o, null)).toBeNull();
  });

  it('an expired hint redirects nobody who is not logged in as its user, however old it is', async () => {
    const old = await signIdToken(app, idTokenClaims({ app, user, scopes: ['openid'], nonce: null, authTime: null, now: Math.floor(Date.now() / 1000) - 400 * 24 * 3600 }));
    const o = await evaluateLogout(q({ id_token_hint: old, post_logout_redirect_uri: BACK }), null);
    expect(o.kind).toBe('logged_out');
    expect(postLogoutRedirect(o, null)).toBeNull();
  });

  it('a logged-in user named by the hint: the session is ended without asking, then the browser returns to the application', async () => {
    const o = await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: BACK, state: 's' }), user.id);
    expect(o.kind).toBe('logout');
    expect(postLogoutRedirect(o, user.id)).toBe(`${BACK}?state=s`);
    // If the session turned out to be ended already (a second tab), this request ended nothing: no redirect.
    expect(postLogoutRedirect(o, null)).toBeNull();
  });

  it('a user not named by the hint is asked; confirming ends their session but links back instead of redirecting', async () => {
    const someone = await makeUser();
    const o = await evaluateLogout(q({ id_token_hint: idToken, post_logout_redirect_uri: BACK }), someone.id);
    expect(o.kind).toBe('confirm');
    expect(postLogoutRedirect(o, someone.id)).toBeNull();
  });

  it('without a hint, confirming ends the session and the page links back to the application', async () => {
    const o = await evaluateLogout(q({ client_id: app.clientId, post_logout_redirect_uri: BACK, state: 's' }), user.id);
    expect(o.kind).toBe('confirm');
    expect(postLogoutRedirect(o, user.id)).toBeNull();
  });
});
