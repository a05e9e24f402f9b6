// Hostile input at /o/token/ and /o/authorize/: odd bytes must give protocol errors, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from './helpers/fixtures';
import { creds, expectOAuthError, postToken } from './helpers/codeflow';

let srv: TestServer;
let app: Awaited<ReturnType<typeof makeApp>>;
let cookie: string;
beforeAll(async () => {
  srv = await startTestServer();
  app = await makeApp({ skipAuthorization: true });
  cookie = await sessionCookie(await makeUser());
});
afterAll(async () => srv?.close());

const NUL = '\u0000';

describe('odd bytes never cause a 500', () => {
  it('token endpoint: a NUL in a form parameter (client_id) is invalid_request', async () => {
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: 'x', client_id: `a${NUL}b`, client_secret: 's' }), 400, 'invalid_request');
  });

  it('token endpoint: a NUL in Basic credentials is invalid_client', async () => {
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: 'x' }, { id: `a${NUL}`, secret: 's' }), 401, 'invalid_client');
  });

  it('token endpoint: broken percent-encoding inside Basic is invalid_client', async () => {
    const header = 'Basic ' + Buffer.from('%E0%A4%A:secret').toString('base64');
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: 'x' }, undefined, { authorization: header }), 401, 'invalid_client');
  });

  it('token endpoint: a NUL in the code or the refresh token is invalid_request', async () => {
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: `a${NUL}b`, redirect_uri: POSTMAN_CALLBACK }, creds(app)), 400, 'invalid_request');
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: `a${NUL}b` }, creds(app)), 400, 'invalid_request');
  });

  it('token endpoint: a NUL in scope on refresh is invalid_request', async () => {
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: 'nope', scope: `read${NUL}` }, creds(app)), 400, 'invalid_request');
  });

  it('authorize: a NUL in client_id is the invalid-client page', async () => {
    const r = await fetch(`${srv.url}/o/authorize/?response_type=code&client_id=a%00b`, { redirect: 'manual' });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Invalid client');
  });

  it('authorize: a NUL in state, nonce, scope or code_challenge is invalid_request sent back to the client, not server_error', async () => {
    for (const [k, v] of [['state', `s${NUL}`], ['nonce', `n${NUL}`], ['scope', `read${NUL}`], ['code_challenge', `${'a'.repeat(42)}${NUL}`]]) {
      const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', [k]: v });
      const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie }, redirect: 'manual' });
      expect(r.status, k).toBe(302);
      expect(new URL(r.headers.get('location')!).searchParams.get('error'), k).toBe('invalid_request');
    }
  });
});
