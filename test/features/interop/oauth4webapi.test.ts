// The full flow with a real client library from npm (oauth4webapi), configured by hand with our
// endpoints, as a third-party developer would: it validates state, iss (RFC 9207), PKCE and the
// token responses strictly, so any deviation from the RFCs fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { settings } from './settings';

let srv: TestServer;
let as: oauth.AuthorizationServer;
let cookie: string;
const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is plain http on 127.0.0.1

beforeAll(async () => {
  srv = await startTestServer(settings);
  as = {
    issuer: srv.url,
    authorization_endpoint: `${srv.url}/o/authorize/`,
    token_endpoint: `${srv.url}/o/token/`,
    authorization_response_iss_parameter_supported: true,
    code_challenge_methods_supported: ['S256'],
  };
  cookie = await sessionCookie(await makeUser());
});
afterAll(async () => srv?.close());

/** The browser leg: open the authorization URL with the user's session, read the callback. */
async function browse(client: oauth.Client, extra: Record<string, string> = {}) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: POSTMAN_CALLBACK,
    response_type: 'code',
    scope: 'read write',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  const r = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  expect(r.status).toBe(302);
  return { callback: new URL(r.headers.get('location')!), codeVerifier, state };
}

describe('oauth4webapi as the client (RFC 6749 §4.1, RFC 7636, RFC 9207)', () => {
  it('runs authorize → code → tokens → refresh for a confidential client with client_secret_basic', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const client: oauth.Client = { client_id: app.clientId };
    const auth = oauth.ClientSecretBasic(app.secret);

    const { callback, codeVerifier, state } = await browse(client);
    const params = oauth.validateAuthResponse(as, client, callback, state); // checks state and iss
    const tokenRes = await oauth.authorizationCodeGrantRequest(as, client, auth, params, POSTMAN_CALLBACK, codeVerifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, tokenRes);
    expect(tokens.token_type).toBe('bearer'); // oauth4webapi lower-cases it
    expect(tokens.scope).toBe('read write');
    expect(tokens.expires_in).toBe(36000);
    expect(tokens.refresh_token).toBeTruthy();

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure));
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // Rotation: the old refresh token is refused in the library's error form.
    const reuse = oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure));
    await expect(reuse).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('works with client_secret_post', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const client: oauth.Client = { client_id: app.clientId };
    const { callback, codeVerifier, state } = await browse(client);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(app.secret), params, POSTMAN_CALLBACK, codeVerifier, insecure);
    expect((await oauth.processAuthorizationCodeResponse(as, client, res)).access_token).toBeTruthy();
  });

  it('works for a public client with no authentication (None)', async () => {
    const app = await makeApp({ skipAuthorization: true, clientType: 'public' });
    const client: oauth.Client = { client_id: app.clientId, token_endpoint_auth_method: 'none' };
    const { callback, codeVerifier, state } = await browse(client);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, POSTMAN_CALLBACK, codeVerifier, insecure));
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
    expect(refreshed.access_token).toBeTruthy();
  });

  it('surfaces an authorization error with a matching iss as AuthorizationResponseError', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const client: oauth.Client = { client_id: app.clientId };
    const { callback, state } = await browse(client, { scope: 'no-such-scope' });
    expect(() => oauth.validateAuthResponse(as, client, callback, state)).toThrow(oauth.AuthorizationResponseError);
    try {
      oauth.validateAuthResponse(as, client, callback, state);
    } catch (e) {
      expect((e as oauth.AuthorizationResponseError).error).toBe('invalid_scope');
    }
  });

  it('refuses the callback if the issuer were someone else (mix-up defence works because we send iss)', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const client: oauth.Client = { client_id: app.clientId };
    const { callback, state } = await browse(client);
    const otherAs = { ...as, issuer: 'https://other-issuer.example' };
    expect(() => oauth.validateAuthResponse(otherAs, client, callback, state)).toThrow();
  });

  it('reports a wrong verifier as invalid_grant and a wrong secret as invalid_client (401)', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const client: oauth.Client = { client_id: app.clientId };
    const a = await browse(client);
    const pa = oauth.validateAuthResponse(as, client, a.callback, a.state);
    const bad = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(app.secret), pa, POSTMAN_CALLBACK, oauth.generateRandomCodeVerifier(), insecure);
    await expect(oauth.processAuthorizationCodeResponse(as, client, bad)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });

    const b = await browse(client);
    const pb = oauth.validateAuthResponse(as, client, b.callback, b.state);
    const unauth = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic('wrong'), pb, POSTMAN_CALLBACK, b.codeVerifier, insecure);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(unauth.status).toBe(401);
    // A 401 with a challenge is surfaced as WWWAuthenticateChallengeError (the body says invalid_client).
    expect((await unauth.clone().json()).error).toBe('invalid_client');
    await expect(oauth.processAuthorizationCodeResponse(as, client, unauth)).rejects.toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
  });
});
