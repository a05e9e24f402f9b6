// The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6) against the in-memory token store:
// what it answers for each of the store's answers. The same rules over HTTP and the database:
// test/endpoints/token/token-endpoint.test.ts, test/endpoints/token/refusals-before-storing.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { decodeJwt } from 'jose';
import { authorizationCodeGrant } from './authorization-code';
import { application, grantContext, MemoryTokenStore, storedTokens } from '@/test/helpers/grant-context';
import { s256 } from '../pkce';
import { randomToken } from '../random';
import { audit } from '../../db/queries/audit';
import { env } from '../../env';
import { useResourcesForTests } from '../resources';

vi.mock('../../db/queries/audit', () => ({ audit: vi.fn() }));

const CALLBACK = 'https://client.example/cb';

function setup(over: Parameters<typeof application>[1] = {}) {
  const store = new MemoryTokenStore();
  const user = store.addUser({ username: 'ada', email: 'ada@example.com' });
  const app = application(store, over);
  const verifier = randomToken();
  const { code, row } = store.addCode({ applicationId: app.id, userId: user.id, redirectUri: CALLBACK, codeChallenge: s256(verifier), codeChallengeMethod: 'S256', scope: 'read write' });
  const exchange = (params: Record<string, string | undefined> = {}, headers: Record<string, string> = {}) =>
    authorizationCodeGrant.handle(grantContext(store, app, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier, ...params }, headers));
  return { store, user, app, verifier, code, row, exchange };
}

describe('authorization_code grant', () => {
  it('RFC 6749 §5.1: answers the tokens the store saved for the code, with a refresh token when the app has the refresh grant', async () => {
    const { store, user, app, row, exchange } = setup();
    const body = await exchange();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 36000, scope: 'read write' });
    const stored = storedTokens(store, body);
    expect(stored.access).toMatchObject({ applicationId: app.id, userId: user.id, scope: 'read write', authorizationCodeId: row.id, grantType: 'authorization_code' });
    expect(stored.refresh).toMatchObject({ familyId: stored.access!.familyId, scope: 'read write' });
    expect(row.consumedAt).not.toBeNull();
    expect(audit).toHaveBeenCalledWith('token.issued', expect.objectContaining({ actorUserId: user.id, applicationId: app.id, detail: { grant_type: 'authorization_code', scope: 'read write' } }));

    const noRefresh = setup({ grantTypes: ['authorization_code'] });
    const only = await noRefresh.exchange();
    expect(only.refresh_token).toBeUndefined();
    expect(noRefresh.store.refresh).toHaveLength(0);
  });

  it('RFC 6749 §5.2 invalid_grant: words each refusal of the store, and stores nothing', async () => {
    const cases: [string, (s: ReturnType<typeof setup>) => Record<string, string | undefined>, string][] = [
      ['unknown', () => ({ code: 'not-a-code' }), 'The authorization code is invalid, expired or already used.'],
      ['redirect_uri_mismatch', () => ({ redirect_uri: 'https://client.example/other' }), 'redirect_uri does not match the one used in the authorization request.'],
      ['redirect_uri missing', () => ({ redirect_uri: undefined }), 'redirect_uri does not match the one used in the authorization request.'],
      ['verifier_missing', () => ({ code_verifier: undefined }), 'code_verifier is required: the authorization request had a code_challenge.'],
      ['verifier_mismatch', () => ({ code_verifier: randomToken() }), 'code_verifier does not match the code_challenge.'],
      ['malformed verifier (RFC 7636 §4.1)', () => ({ code_verifier: 'short' }), 'code_verifier does not match the code_challenge.'],
    ];
    for (const [name, params, description] of cases) {
      const s = setup();
      await expect(s.exchange(params(s)), name).rejects.toMatchObject({ code: 'invalid_grant', description });
      expect(s.store.access, name).toHaveLength(0);
    }
    const unexpected = setup();
    unexpected.row.codeChallenge = null;
    await expect(unexpected.exchange()).rejects.toMatchObject({ description: 'code_verifier was sent, but the authorization request had no code_challenge.' });
    const expired = setup();
    expired.row.expiresAt = new Date(Date.now() - 1000);
    await expect(expired.exchange()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The authorization code has expired.' });
    const tooLong = setup();
    await expect(tooLong.exchange({ code: 'x'.repeat(513) })).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(tooLong.row.consumedAt).toBeNull();
    await expect(setup().exchange({ code: undefined })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it("RFC 6749 §4.1.3: another client's code is invalid_grant and stays unspent", async () => {
    const s = setup();
    const other = application(s.store);
    await expect(authorizationCodeGrant.handle(grantContext(s.store, other, { code: s.code, redirect_uri: CALLBACK, code_verifier: s.verifier }))).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(s.row.consumedAt).toBeNull();
    expect((await s.exchange()).access_token).toBeTruthy();
  });

  it('RFC 6749 §4.1.2: a replay of the valid request is refused and revokes the tokens issued from the code; a replay with a wrong verifier revokes nothing', async () => {
    const s = setup();
    const first = await s.exchange();
    await expect(s.exchange({ code_verifier: randomToken() })).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(storedTokens(s.store, first).access!.revokedAt).toBeNull();
    await expect(s.exchange()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The authorization code is invalid, expired or already used.' });
    const stored = storedTokens(s.store, first);
    expect(stored.access!.revokedAt).not.toBeNull();
    expect(stored.refresh!.revokedAt).not.toBeNull();
    expect(audit).toHaveBeenCalledWith('code.replayed', expect.objectContaining({ applicationId: s.app.id, actorUserId: s.user.id, detail: { revoked_tokens: 2 } }));
  });

  it("OIDC Core §3.1.3.3 / RFC 6749 §5.2: an inactive user's code is refused and no token is stored", async () => {
    const s = setup();
    s.store.users.get(s.user.id)!.isActive = false;
    await expect(s.exchange()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The user account is inactive.' });
    expect(s.store.access).toHaveLength(0);
    expect(s.row.consumedAt).not.toBeNull();
  });

  it('RFC 6749 §5.2: a client suspended since it authenticated gets invalid_client, 401 with a challenge when it used Basic', async () => {
    const s = setup();
    const owner = s.store.addUser({ isActive: false });
    const app = application(s.store, { userId: owner.id });
    const { code } = s.store.addCode({ applicationId: app.id, userId: s.user.id, redirectUri: CALLBACK });
    const e = authorizationCodeGrant.handle(grantContext(s.store, app, { code, redirect_uri: CALLBACK }, { authorization: 'Basic eDp5' }));
    await expect(e).rejects.toMatchObject({ code: 'invalid_client', status: 401, scheme: 'Basic', description: 'This application is suspended.' });
    expect(s.store.access).toHaveLength(0);
  });

  it('OIDC Core §3.1.3.3: adds an ID token for openid (nonce, auth_time, at_hash); refuses with server_error, storing nothing, when none can be signed', async () => {
    const s = setup({ algorithm: 'HS256' });
    s.row.scope = 'openid profile';
    s.row.nonce = 'n-1';
    const body = await s.exchange();
    const claims = decodeJwt(body.id_token!);
    expect(claims).toMatchObject({ sub: s.user.id, aud: s.app.clientId, nonce: 'n-1', preferred_username: 'ada', auth_time: Math.floor(s.row.authTime.getTime() / 1000) });
    expect(claims.at_hash).toBeTruthy();

    const hashed = setup({ algorithm: 'HS256', secretHashed: true });
    hashed.row.scope = 'openid';
    await expect(hashed.exchange()).rejects.toMatchObject({ code: 'server_error', status: 500 });
    expect(hashed.store.access).toHaveLength(0);
    // Without openid no ID token is due.
    const plain = setup({ algorithm: 'HS256', secretHashed: true });
    expect((await plain.exchange()).id_token).toBeUndefined();
  });

  it('RFC 8707 §2: a token for the default resource, opaque with the default lifetime, is stored once and never rewritten', async () => {
    const s = setup();
    const replace = vi.spyOn(s.store, 'replaceAccessToken');
    const before = Date.now();
    // Time passes between making the token and the store's answer (here 7 ms per reading of the clock).
    let t = before;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (t += 7));
    const body = await s.exchange().finally(() => clock.mockRestore());
    expect(replace).not.toHaveBeenCalled();
    expect(body.expires_in).toBe(env().ACCESS_TOKEN_EXPIRE_SECONDS);
    const expiresAt = storedTokens(s.store, body).access!.expiresAt.getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + env().ACCESS_TOKEN_EXPIRE_SECONDS * 1000);
    expect(expiresAt).toBeLessThanOrEqual(t + env().ACCESS_TOKEN_EXPIRE_SECONDS * 1000);
  });

  it("RFC 8707 §2: a default resource with its own lifetime gets it: expires_in and the stored expiry, from the issuance's instant", async () => {
    const now = new Date();
    const row = { id: 1, identifier: '', name: 'API', scopes: [], accessTokenFormat: 'opaque' as const, builtIn: true, createdAt: now, updatedAt: now };
    useResourcesForTests([{ ...row, accessTokenLifetimeSeconds: 600 }]);
    try {
      const s = setup();
      const before = Date.now();
      const body = await s.exchange();
      expect(body.expires_in).toBe(600);
      const expiresAt = storedTokens(s.store, body).access!.expiresAt.getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    } finally {
      useResourcesForTests([{ ...row, accessTokenLifetimeSeconds: null }]);
    }
  });
});
