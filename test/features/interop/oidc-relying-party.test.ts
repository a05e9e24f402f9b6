// Against a real relying party, not our own code: openid-client v6 discovers the server, runs the
// code flow (PKCE, state, nonce, RFC 9207 iss), validates the ID token (signature via the JWKS with
// non-repudiation checks on), fetches UserInfo, refreshes, and builds the RP-initiated logout URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { jwtVerify } from 'jose';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { evaluateLogout } from '@/lib/oauth/oidc/logout';
import type { Application, User } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let user: User;
beforeAll(async () => {
  srv = await startTestServer(settings);
  user = await makeUser({ email: 'rp-user@example.com' });
});
afterAll(async () => srv?.close());

const LOGGED_OUT = 'https://rp.example/logged-out';

/** The browser's part: GET the authorization URL with the session cookie, return where it redirects. */
async function browse(url: URL, u: User): Promise<URL> {
  const r = await fetch(url, { headers: { cookie: await sessionCookie(u) }, redirect: 'manual' });
  expect(r.status, await r.text()).toBe(302);
  return new URL(r.headers.get('location')!);
}

async function codeFlow(config: client.Configuration, scope: string) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: POSTMAN_CALLBACK,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  expect(url.href.startsWith(`${srv.url}/o/authorize/`)).toBe(true);
  const callback = await browse(url, user);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  return { tokens, nonce };
}

describe('openid-client v6 as the relying party', () => {
  let app: Application & { secret: string };
  let config: client.Configuration;
  beforeAll(async () => {
    app = await makeApp({ skipAuthorization: true, algorithm: 'RS256', postLogoutRedirectUris: [LOGGED_OUT] });
    config = await client.discovery(new URL(srv.url), app.clientId, app.secret, undefined, {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
  });

  it('discovers the server (issuer and endpoints)', () => {
    const m = config.serverMetadata();
    expect(m.issuer).toBe(srv.url);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.end_session_endpoint).toBe(`${srv.url}/o/logout/`);
  });

  it('runs the code flow, validates the RS256 ID token and fetches UserInfo', async () => {
    const { tokens, nonce } = await codeFlow(config, 'openid profile email');
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(srv.url);
    expect(claims.sub).toBe(user.id);
    expect(claims.aud).toBe(app.clientId);
    expect(claims.nonce).toBe(nonce);
    expect(claims.preferred_username).toBe(user.username);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ sub: user.id, preferred_username: user.username, name: user.username, email: 'rp-user@example.com', email_verified: false });
  });

  it('refreshes and validates the new ID token (OIDC Core §12.2)', async () => {
    const { tokens } = await codeFlow(config, 'openid profile');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.id_token).toBeTruthy();
    expect(refreshed.claims()!.sub).toBe(user.id);
    expect(refreshed.claims()!.auth_time).toBe(tokens.claims()!.auth_time);
  });

  it('rejects a UserInfo answer for another subject (the RP’s own check still passes for ours)', async () => {
    const { tokens } = await codeFlow(config, 'openid');
    await expect(client.fetchUserInfo(config, tokens.access_token, '00000000-0000-0000-0000-000000000000')).rejects.toThrow();
  });

  it('builds an end-session URL that logs the user out and returns to the RP with state', async () => {
    const { tokens } = await codeFlow(config, 'openid');
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT, state: 'bye' });
    expect(`${url.origin}${url.pathname}`).toBe(`${srv.url}/o/logout/`);
    const outcome = await evaluateLogout(url.searchParams, user.id);
    expect(outcome).toEqual({ kind: 'logout', appName: app.name, redirectTo: `${LOGGED_OUT}?state=bye`, namedUserId: user.id });
  });
});

describe('openid-client with an HS256 application', () => {
  it('runs the code flow; the ID token verifies with the plain client secret', async () => {
    const app = await makeApp({ skipAuthorization: true, algorithm: 'HS256', secretHashed: false });
    const config = await client.discovery(new URL(srv.url), app.clientId, { client_secret: app.secret, id_token_signed_response_alg: 'HS256' }, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const { tokens, nonce } = await codeFlow(config, 'openid profile');
    expect(tokens.claims()!.nonce).toBe(nonce);
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, new TextEncoder().encode(app.secret), { issuer: srv.url, audience: app.clientId });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe(user.id);
    const info = await client.fetchUserInfo(config, tokens.access_token, payload.sub!);
    expect(info.preferred_username).toBe(user.username);
  });
});
