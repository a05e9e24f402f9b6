// POST /o/token/ over real HTTP: client authentication (RFC 6749 §2.3), request parsing (§3.2, §5.2)
// and the authorization_code grant (§4.1.3, RFC 7636 §4.5–4.6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, makeApp, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, exchange, expectOAuthError, newVerifier, obtainCode, postToken } from '@/test/helpers/codeflow';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb, query } from '@/lib/db';
import { accessTokens, authorizationCodes, refreshTokens } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let app: Awaited<ReturnType<typeof makeApp>>;

beforeAll(async () => {
  srv = await startTestServer(settings);
  user = await makeUser();
  app = await makeApp({ skipAuthorization: true });
});
afterAll(async () => srv?.close());

/** RFC 6749 §5.2: the client used the Authorization header, so 401 with a challenge for its scheme. */
function expectInvalidClient(r: Response) {
  expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
  return expectOAuthError(r, 401, 'invalid_client');
}

/** RFC 6749 §5.2: credentials in the body (or none): 400, and no challenge a browser would prompt for. */
function expectInvalidClientWithoutChallenge(r: Response) {
  expect(r.headers.get('www-authenticate')).toBeNull();
  return expectOAuthError(r, 400, 'invalid_client');
}

const codeBody = (c: { code: string; verifier: string }, over: Record<string, string | undefined> = {}) => ({
  grant_type: 'authorization_code',
  code: c.code,
  redirect_uri: POSTMAN_CALLBACK,
  code_verifier: c.verifier,
  ...over,
});

describe('successful exchange (RFC 6749 §4.1.4, §5.1)', () => {
  it('RFC 6749 §5.1: answers {access_token, token_type Bearer, expires_in, refresh_token, scope} with no-store headers', async () => {
    const c = await obtainCode(srv, app, user, { scope: 'read write' });
    const r = await exchange(srv, app, c);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(36000);
    expect(body.scope).toBe('read write');
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(body.access_token).not.toBe(body.refresh_token);
  });

  it('issues the scope the code was granted for', async () => {
    const c = await obtainCode(srv, app, user, { scope: 'read' });
    const body = await (await exchange(srv, app, c)).json();
    expect(body.scope).toBe('read');
  });

  it('gives no refresh token to an app without the refresh_token grant type', async () => {
    const noRefresh = await makeApp({ skipAuthorization: true, grantTypes: ['authorization_code'] });
    const body = await (await exchange(srv, noRefresh, await obtainCode(srv, noRefresh, user))).json();
    expect(body.access_token).toBeTruthy();
    expect(body.refresh_token).toBeUndefined();
  });

  it('accepts a Content-Type with a charset parameter', async () => {
    const c = await obtainCode(srv, app, user);
    const r = await postToken(srv, codeBody(c), creds(app), { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
    expect(r.status).toBe(200);
  });

  it('answers POST /o/token without the trailing slash directly (no redirect)', async () => {
    const c = await obtainCode(srv, app, user);
    const r = await fetch(`${srv.url}/o/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
      body: new URLSearchParams(codeBody(c)),
    });
    expect(r.status).toBe(200);
  });
});

describe('client authentication (RFC 6749 §2.3.1, §5.2)', () => {
  it('accepts client_secret_basic with an argon2-hashed secret', async () => {
    const r = await exchange(srv, app, await obtainCode(srv, app, user));
    expect(r.status).toBe(200);
  });

  it('form-urlencodes id and secret inside Basic (§2.3.1)', async () => {
    const odd = await makeApp({ skipAuthorization: true, secretHashed: false, secret: 'p@ss:w+rd/ü %&=' });
    const r = await exchange(srv, odd, await obtainCode(srv, odd, user));
    expect(r.status, await r.clone().text()).toBe(200);
  });

  it('decodes "+" in Basic credentials as a space (application/x-www-form-urlencoded)', async () => {
    const spaced = await makeApp({ skipAuthorization: true, secretHashed: false, secret: 'two words' });
    const c = await obtainCode(srv, spaced, user);
    const header = 'Basic ' + Buffer.from(`${spaced.clientId}:two+words`).toString('base64');
    const r = await postToken(srv, codeBody(c), undefined, { authorization: header });
    expect(r.status).toBe(200);
  });

  it('RFC 6749 §2.3: accepts client_secret_post', async () => {
    const c = await obtainCode(srv, app, user);
    const r = await postToken(srv, codeBody(c, { client_id: app.clientId, client_secret: app.secret }));
    expect(r.status).toBe(200);
  });

  it('accepts a plain (unhashed) secret, compared in constant time', async () => {
    const plain = await makeApp({ skipAuthorization: true, secretHashed: false });
    expect((await exchange(srv, plain, await obtainCode(srv, plain, user))).status).toBe(200);
    const c = await obtainCode(srv, plain, user);
    await expectInvalidClient(await postToken(srv, codeBody(c), { id: plain.clientId, secret: plain.secret.slice(0, -1) + (plain.secret.endsWith('x') ? 'y' : 'x') }));
  });

  it('accepts "none" (client_id only) for a public client', async () => {
    const pub = await makeApp({ skipAuthorization: true, clientType: 'public' });
    const c = await obtainCode(srv, pub, user);
    const r = await postToken(srv, codeBody(c, { client_id: pub.clientId }));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.refresh_token).toBeTruthy();
  });

  it('rejects a wrong secret with 401 invalid_client and WWW-Authenticate: Basic', async () => {
    const victim = await makeApp({ skipAuthorization: true });
    const c = await obtainCode(srv, victim, user);
    const body = await expectInvalidClient(await postToken(srv, codeBody(c), { id: victim.clientId, secret: 'wrong' }));
    expect(JSON.stringify(body)).not.toContain(victim.secret);
    // The code was not spent by the failed attempt.
    expect((await exchange(srv, victim, c)).status).toBe(200);
  });

  it('RFC 6749 §5.2: a wrong client_secret_post is 400 invalid_client without a WWW-Authenticate challenge', async () => {
    const victim = await makeApp({ skipAuthorization: true });
    const c = await obtainCode(srv, victim, user);
    await expectInvalidClientWithoutChallenge(await postToken(srv, codeBody(c, { client_id: victim.clientId, client_secret: 'wrong' })));
  });

  it('rejects an unknown client with 401 invalid_client', async () => {
    await expectInvalidClient(await postToken(srv, { grant_type: 'authorization_code', code: 'x', redirect_uri: POSTMAN_CALLBACK }, { id: 'nobody', secret: 'x' }));
  });

  it('rejects a confidential client that sends no secret (400, no challenge: it did not use the Authorization header)', async () => {
    const c = await obtainCode(srv, app, user);
    await expectInvalidClientWithoutChallenge(await postToken(srv, codeBody(c, { client_id: app.clientId })));
  });

  it('rejects a request with no client authentication at all (400, no challenge)', async () => {
    const c = await obtainCode(srv, app, user);
    await expectInvalidClientWithoutChallenge(await postToken(srv, codeBody(c)));
  });

  it('rejects a public client that sends a secret in the body (400, no challenge)', async () => {
    const pub = await makeApp({ skipAuthorization: true, clientType: 'public' });
    const c = await obtainCode(srv, pub, user);
    await expectInvalidClientWithoutChallenge(await postToken(srv, codeBody(c, { client_id: pub.clientId, client_secret: 'made-up' })));
  });

  it('RFC 6749 §5.2: a failed authentication with a non-Basic Authorization header still gets the Basic challenge (the scheme we support)', async () => {
    const c = await obtainCode(srv, app, user);
    await expectInvalidClient(await postToken(srv, codeBody(c, { client_id: app.clientId }), undefined, { authorization: 'Bearer not-a-client-credential' }));
  });

  it('rejects malformed Basic credentials with 401', async () => {
    await expectInvalidClient(await postToken(srv, { grant_type: 'authorization_code', code: 'x' }, undefined, { authorization: 'Basic bm8tY29sb24taGVyZQ==' }));
  });

  it('rejects two authentication methods in one request with invalid_request (§2.3)', async () => {
    const c = await obtainCode(srv, app, user);
    const body = await expectOAuthError(await postToken(srv, codeBody(c, { client_secret: app.secret }), creds(app)), 400, 'invalid_request');
    expect(body.error_description).toMatch(/one client authentication method/i);
  });

  it('rejects a body client_id that differs from the Basic one with invalid_request', async () => {
    const other = await makeApp();
    const c = await obtainCode(srv, app, user);
    await expectOAuthError(await postToken(srv, codeBody(c, { client_id: other.clientId }), creds(app)), 400, 'invalid_request');
  });

  it('rejects a grant type the app is not registered for with unauthorized_client (§5.2)', async () => {
    const noRefresh = await makeApp({ grantTypes: ['authorization_code'] });
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: 'x' }, creds(noRefresh)), 400, 'unauthorized_client');
  });
});

describe('bad input gets an RFC 6749 §5.2 error, never a 500', () => {
  it('RFC 6749 §3.2: the token endpoint takes a form; a JSON body is invalid_request', async () => {
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(app.clientId, app.secret) },
      body: JSON.stringify({ grant_type: 'authorization_code', code: 'x' }),
    });
    const body = await expectOAuthError(r, 400, 'invalid_request');
    expect(body.error_description).toContain('application/x-www-form-urlencoded');
  });

  it('rejects a body with no Content-Type', async () => {
    const r = await fetch(`${srv.url}/o/token/`, { method: 'POST', body: new Blob(['grant_type=authorization_code']) });
    await expectOAuthError(r, 400, 'invalid_request');
  });

  it('rejects an unknown grant type with unsupported_grant_type', async () => {
    const body = await expectOAuthError(await postToken(srv, { grant_type: 'urn:example:magic' }, creds(app)), 400, 'unsupported_grant_type');
    expect(body.error_description).toContain('urn:example:magic');
  });

  it('rejects a missing grant_type with invalid_request naming it', async () => {
    const body = await expectOAuthError(await postToken(srv, { code: 'x' }, creds(app)), 400, 'invalid_request');
    expect(body.error_description).toContain('grant_type');
  });

  it('rejects a missing code with invalid_request naming it', async () => {
    const body = await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', redirect_uri: POSTMAN_CALLBACK }, creds(app)), 400, 'invalid_request');
    expect(body.error_description).toContain("'code'");
  });

  it('rejects duplicate parameters with invalid_request (§3.2)', async () => {
    const c = await obtainCode(srv, app, user);
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
      body: `${new URLSearchParams(codeBody(c))}&code=${c.code}`,
    });
    const body = await expectOAuthError(r, 400, 'invalid_request');
    expect(body.error_description).toContain('code');
    // A rejected request does not spend the code.
    expect((await exchange(srv, app, c)).status).toBe(200);
  });

  it('RFC 9110 §15.5.14: a body over 64 KiB is refused with 413 invalid_request', async () => {
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
      body: `grant_type=authorization_code&code=${'a'.repeat(70 * 1024)}`,
    });
    const body = await expectOAuthError(r, 413, 'invalid_request');
    expect(body.error_description).toMatch(/64 KiB/);
  });

  it('RFC 9110 §15.5.14: a streamed (chunked) body over 64 KiB is refused with 413 invalid_request', async () => {
    const chunk = new TextEncoder().encode('a'.repeat(16 * 1024));
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (n++ < 6) ctl.enqueue(chunk);
        else ctl.close();
      },
    });
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectOAuthError(r, 413, 'invalid_request');
  });

  it('rejects GET with invalid_request', async () => {
    await expectOAuthError(await fetch(`${srv.url}/o/token/?grant_type=authorization_code`), 400, 'invalid_request');
  });

  it('survives binary garbage and broken percent-encoding', async () => {
    for (const body of ['%%%E0%A4%A=&&==', '\u0000\u0001\uffff', 'grant_type=authorization_code&code=%ZZ']) {
      const r = await postToken(srv, {}, creds(app), {});
      expect(r.status).toBeLessThan(500);
      const r2 = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) }, body });
      expect(r2.status, body).toBe(400);
      expect((await r2.json()).error).toBeTruthy();
    }
  });

  it('treats an absurdly long code as invalid_grant', async () => {
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: 'x'.repeat(5000), redirect_uri: POSTMAN_CALLBACK, code_verifier: newVerifier() }, creds(app)), 400, 'invalid_grant');
  });
});

describe('authorization_code grant checks (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
  it('rejects an unknown code with invalid_grant', async () => {
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: POSTMAN_CALLBACK, code_verifier: newVerifier() }, creds(app)), 400, 'invalid_grant');
  });

  it('rejects a code issued to another client with invalid_grant', async () => {
    const other = await makeApp({ skipAuthorization: true });
    const c = await obtainCode(srv, app, user);
    await expectOAuthError(await exchange(srv, other, c), 400, 'invalid_grant');
    // No tokens went to the other client.
    const n = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM access_tokens WHERE application_id = ${other.id}`);
    expect(n[0].n).toBe(0);
  });

  it('rejects a redirect_uri different from the one used at authorize (§4.1.3)', async () => {
    const two = await makeApp({ skipAuthorization: true, redirectUris: [POSTMAN_CALLBACK, 'https://app.example/cb'] });
    const c = await obtainCode(srv, two, user);
    const body = await expectOAuthError(await exchange(srv, two, c, { redirect_uri: 'https://app.example/cb' }), 400, 'invalid_grant');
    expect(body.error_description).toContain('redirect_uri');
  });

  it('rejects a missing redirect_uri when it was sent at authorize (§4.1.3)', async () => {
    const c = await obtainCode(srv, app, user);
    await expectOAuthError(await exchange(srv, app, c, { redirect_uri: undefined }), 400, 'invalid_grant');
  });

  it('accepts a missing redirect_uri when it was also omitted at authorize', async () => {
    const c = await obtainCode(srv, app, user, { redirect_uri: undefined });
    expect((await exchange(srv, app, c, { redirect_uri: undefined })).status).toBe(200);
  });

  it('rejects a wrong code_verifier with invalid_grant (RFC 7636 §4.6)', async () => {
    const c = await obtainCode(srv, app, user);
    const body = await expectOAuthError(await exchange(srv, app, c, { code_verifier: newVerifier() }), 400, 'invalid_grant');
    expect(body.error_description).toContain('code_verifier');
  });

  it('RFC 7636 §4.5: rejects a missing code_verifier when the code has a challenge (a challenge with no verifier)', async () => {
    const c = await obtainCode(srv, app, user);
    const body = await expectOAuthError(await exchange(srv, app, c, { code_verifier: undefined }), 400, 'invalid_grant');
    expect(body.error_description).toContain('code_verifier');
  });

  it('rejects a malformed verifier (RFC 7636 §4.1: 43–128 unreserved characters)', async () => {
    const c = await obtainCode(srv, app, user);
    await expectOAuthError(await exchange(srv, app, c, { code_verifier: 'short' }), 400, 'invalid_grant');
  });

  it('rejects an expired code with invalid_grant', async () => {
    const c = await obtainCode(srv, app, user);
    await (await getDb()).update(authorizationCodes).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(authorizationCodes.codeHash, sha256b64url(c.code)));
    const body = await expectOAuthError(await exchange(srv, app, c), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/expired/);
  });

  it('spends a code on a failed attempt, so a verifier cannot be guessed repeatedly', async () => {
    const c = await obtainCode(srv, app, user);
    await expectOAuthError(await exchange(srv, app, c, { code_verifier: newVerifier() }), 400, 'invalid_grant');
    await expectOAuthError(await exchange(srv, app, c), 400, 'invalid_grant');
  });

  it('never puts the code or the secret in an error answer', async () => {
    const c = await obtainCode(srv, app, user);
    const text = await (await exchange(srv, app, c, { code_verifier: newVerifier() })).text();
    expect(text).not.toContain(c.code);
    expect(text).not.toContain(app.secret);
  });
});

describe('a replayed code (RFC 6749 §4.1.2, §10.5)', () => {
  async function liveTokens(authorizationCodeId: number) {
    const a = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.authorizationCodeId, authorizationCodeId));
    const r = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.authorizationCodeId, authorizationCodeId));
    return { access: a, refresh: r };
  }
  const authorizationCodeIdOf = async (code: string) => (await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(code))))[0].id;

  it('rejects a replayed code with invalid_grant and revokes every token issued from it, refreshed ones included', async () => {
    const c = await obtainCode(srv, app, user);
    const first = await (await exchange(srv, app, c)).json();
    // A refresh: tokens descended from the code must be revoked too.
    const refreshed = await (await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, creds(app))).json();
    expect(refreshed.refresh_token).toBeTruthy();

    await expectOAuthError(await exchange(srv, app, c), 400, 'invalid_grant');

    const t = await liveTokens(await authorizationCodeIdOf(c.code));
    expect(t.access.length).toBe(2);
    expect(t.refresh.length).toBe(2);
    for (const row of [...t.access, ...t.refresh]) expect(row.revokedAt).not.toBeNull();
    // The refresh token from the latest rotation no longer works.
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token }, creds(app)), 400, 'invalid_grant');
  });

  it('does not revoke when the replay has a wrong verifier (only the real client can trigger it)', async () => {
    const c = await obtainCode(srv, app, user);
    const first = await (await exchange(srv, app, c)).json();
    await expectOAuthError(await exchange(srv, app, c, { code_verifier: newVerifier() }), 400, 'invalid_grant');
    const t = await liveTokens(await authorizationCodeIdOf(c.code));
    for (const row of [...t.access, ...t.refresh]) expect(row.revokedAt).toBeNull();
    expect((await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, creds(app))).status).toBe(200);
  });

  it('does not revoke when another client replays the code', async () => {
    const other = await makeApp();
    const c = await obtainCode(srv, app, user);
    await (await exchange(srv, app, c)).json();
    await expectOAuthError(await exchange(srv, other, c), 400, 'invalid_grant');
    const t = await liveTokens(await authorizationCodeIdOf(c.code));
    for (const row of [...t.access, ...t.refresh]) expect(row.revokedAt).toBeNull();
  });

  it('does not revoke when the replay fails client authentication', async () => {
    const c = await obtainCode(srv, app, user);
    await (await exchange(srv, app, c)).json();
    await expectInvalidClient(await postToken(srv, codeBody(c), { id: app.clientId, secret: 'wrong' }));
    const t = await liveTokens(await authorizationCodeIdOf(c.code));
    for (const row of [...t.access, ...t.refresh]) expect(row.revokedAt).toBeNull();
  });
});
