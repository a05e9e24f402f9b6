// Hostile input at /o/token/ and /o/authorize/: odd bytes must give protocol errors, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, postToken } from '@/test/helpers/codeflow';
import { settings } from './settings';

let srv: TestServer;
let app: Awaited<ReturnType<typeof makeApp>>;
let cookie: string;
beforeAll(async () => {
  srv = await startTestServer(settings);
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
      const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', [k]: v });
      const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie }, redirect: 'manual' });
      expect(r.status, k).toBe(302);
      expect(new URL(r.headers.get('location')!).searchParams.get('error'), k).toBe('invalid_request');
    }
  });
});

// RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ). Values echoed from the
// request (a grant type, a scope, a parameter name, a response_type) arrive with quotes, backslashes
// and non-ASCII characters; the answer must still be a description a strict client accepts.
const DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;
const HOSTILE = 'x"y\\z\u201cq\u201d\u00e9';

describe('RFC 6749 §5.2: error_description carries only %x20-21 / %x23-5B / %x5D-7E, even when it echoes the request', () => {
  it('token endpoint: an unknown grant type, an unknown scope and a repeated parameter', async () => {
    const unknownGrant = await expectOAuthError(await postToken(srv, { grant_type: HOSTILE }, creds(app)), 400, 'unsupported_grant_type');
    expect(unknownGrant.error_description).toMatch(DESCRIPTION);
    expect(unknownGrant.error_description).toContain("'x?y?z'q'?'"); // curly quotes become ', the rest ?

    const cc = await makeApp({ grantTypes: ['client_credentials'] });
    const unknownScope = await expectOAuthError(await postToken(srv, { grant_type: 'client_credentials', scope: HOSTILE }, creds(cc)), 400, 'invalid_scope');
    expect(unknownScope.error_description).toMatch(DESCRIPTION);

    const twice = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${encodeURIComponent(HOSTILE)}=1&${encodeURIComponent(HOSTILE)}=2`,
    });
    expect((await expectOAuthError(twice, 400, 'invalid_request')).error_description).toMatch(DESCRIPTION);
  });

  it('authorize: an unsupported response_type, an unknown prompt and an unknown method come back with a valid description', async () => {
    for (const [k, v, error] of [
      ['response_type', HOSTILE, 'unsupported_response_type'],
      ['prompt', HOSTILE, 'invalid_request'],
      ['code_challenge_method', HOSTILE, 'invalid_request'],
    ]) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: POSTMAN_CALLBACK,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        [k]: v,
      });
      const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie }, redirect: 'manual' });
      expect(r.status, k).toBe(302);
      const p = new URL(r.headers.get('location')!).searchParams;
      expect(p.get('error'), k).toBe(error);
      expect(p.get('error_description'), k).toMatch(DESCRIPTION);
    }
  });

  it('authorize: the messages that name a setting use plain quotes', async () => {
    const noCode = await makeApp({ skipAuthorization: true, grantTypes: ['client_credentials'], redirectUris: [POSTMAN_CALLBACK] });
    const q = new URLSearchParams({ response_type: 'code', client_id: noCode.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie }, redirect: 'manual' });
    const p = new URL(r.headers.get('location')!).searchParams;
    expect(p.get('error')).toBe('unsupported_response_type');
    expect(p.get('error_description')).toMatch(DESCRIPTION);
    expect(p.get('error_description')).toContain("'Authorization code'");
  });
});
