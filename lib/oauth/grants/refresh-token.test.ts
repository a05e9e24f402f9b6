// The refresh_token grant (RFC 6749 §6, rotation and reuse detection of RFC 9700 §4.14.2) against the
// in-memory token store. Over HTTP and the database: test/grants/refresh-token/refresh.test.ts, test/grants/refresh-token/refresh-settings.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { decodeJwt } from 'jose';
import { refreshTokenGrant } from './refresh-token';
import { env } from '../../env';
import { application, grantContext, MemoryTokenStore, storedTokens } from '@/test/helpers/grant-context';
import { newTokens } from '../tokens';
import { audit } from '../../db/queries/audit';
import { withSettings } from '@/test/helpers/settings';
import type { RefreshRotation, RotationResult } from '../store';

vi.mock('../../db/queries/audit', () => ({ audit: vi.fn() }));

async function setup(scope = 'read write', over: Parameters<typeof application>[1] = {}) {
  const store = new MemoryTokenStore();
  const user = store.addUser({ username: 'ada' });
  const app = application(store, over);
  const t = newTokens(true);
  const authTime = new Date(Date.now() - 60_000);
  await store.issueTokens({ applicationId: app.id, userId: user.id, scope, grantType: 'authorization_code', tokens: t.stored, authTime, idTokenUnavailable: false });
  const refresh = (token = t.refreshToken!, params: Record<string, string> = {}, s: MemoryTokenStore = store) =>
    refreshTokenGrant.handle(grantContext(s, app, { grant_type: 'refresh_token', refresh_token: token, ...params }));
  return { store, user, app, t, authTime, refresh };
}

describe('refresh_token grant', () => {
  it('RFC 6749 §6: rotates: new access and refresh tokens in the same family, the old one used, the old access token revoked', async () => {
    const { store, t, refresh, user } = await setup();
    const body = await refresh();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    expect(body.refresh_token).not.toBe(t.refreshToken);
    const stored = storedTokens(store, body);
    expect(stored.access).toMatchObject({ userId: user.id, familyId: t.stored.familyId, grantType: 'refresh_token' });
    expect(stored.refresh).toMatchObject({ familyId: t.stored.familyId, rotatedAt: null });
    expect(store.refreshByHash(t.stored.refreshHash!)!.rotatedAt).not.toBeNull();
    expect(store.accessByHash(t.stored.accessHash)!.revokedAt).not.toBeNull();
  });

  it('RFC 6749 §6: narrows the access token only; a widened scope is invalid_scope and does not spend the token', async () => {
    const { store, t, refresh } = await setup('read');
    await expect(refresh(undefined, { scope: 'read write' })).rejects.toMatchObject({ code: 'invalid_scope', description: 'A refresh cannot widen the scope; request the same scopes or fewer.' });
    await expect(refresh(undefined, { scope: 'read\u0001' })).rejects.toMatchObject({ code: 'invalid_scope', description: 'The scope contains an invalid character.' });
    expect(store.refreshByHash(t.stored.refreshHash!)!.rotatedAt).toBeNull();
    const wide = await setup('read write');
    const narrow = await wide.refresh(undefined, { scope: 'read' });
    expect(narrow.scope).toBe('read');
    expect(storedTokens(wide.store, narrow).refresh!.scope).toBe('read write');
  });

  it('RFC 6749 §5.2 invalid_grant: unknown, another client’s (left unspent), revoked, too long', async () => {
    const { store, t, app, refresh } = await setup();
    await expect(refresh('not-a-token')).rejects.toMatchObject({ code: 'invalid_grant', description: 'The refresh token is invalid, expired or revoked.' });
    await expect(refresh('x'.repeat(513))).rejects.toMatchObject({ code: 'invalid_grant' });
    const other = application(store);
    await expect(refreshTokenGrant.handle(grantContext(store, other, { refresh_token: t.refreshToken! }))).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(store.refreshByHash(t.stored.refreshHash!)!.rotatedAt).toBeNull();
    await store.revokeToken(t.stored.refreshHash!, app.id);
    await expect(refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('RFC 9700 §4.14.2: a used token presented within the concurrent-refresh window is refused without revoking the family', async () => {
    const { store, t, refresh } = await setup();
    const next = await refresh();
    await expect(refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(storedTokens(store, next).refresh!.revokedAt).toBeNull();
    expect((await refresh(next.refresh_token)).access_token).toBeTruthy();
    expect(store.refresh.filter((r) => r.familyId === t.stored.familyId && r.revokedAt)).toEqual([]);
  });

  it('RFC 9700 §4.14.2: a used token presented after the window revokes the whole family, audited', async () => {
    const { store, t, user, app, refresh } = await setup();
    const next = await refresh();
    store.refreshByHash(t.stored.refreshHash!)!.rotatedAt = new Date(Date.now() - (env().limits.concurrentRefreshWindowSeconds + 1) * 1000);
    await expect(refresh()).rejects.toMatchObject({ code: 'invalid_grant' });
    for (const row of [...store.refresh, ...store.access]) expect(row.revokedAt).not.toBeNull();
    expect(audit).toHaveBeenCalledWith('refresh.reuse_detected', expect.objectContaining({ applicationId: app.id, actorUserId: user.id }));
    await expect(refresh(next.refresh_token)).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('DOT #1816, #1617: with REFRESH_TOKEN_GRACE_PERIOD_SECONDS a just-rotated token is exchanged again; a concurrent loser is retried once', async () => {
    await withSettings({ REFRESH_TOKEN_GRACE_PERIOD_SECONDS: '30' }, async () => {
      const { store, t, refresh } = await setup();
      await refresh();
      const again = await refresh();
      expect(storedTokens(store, again).refresh!.familyId).toBe(t.stored.familyId);

      // A store whose first rotation lost a race (the token looked current, a concurrent request rotated it).
      const s = await setup();
      await s.refresh(); // the winner
      const calls: RefreshRotation[] = [];
      const racing = Object.assign(Object.create(s.store) as MemoryTokenStore, {
        rotateRefreshToken: async (r: RefreshRotation): Promise<RotationResult> => {
          calls.push(r);
          if (calls.length === 1) return { ok: false, reason: 'used', used: { familyId: s.t.stored.familyId!, userId: s.user.id, rotatedSecondsAgo: 0, concurrent: true } };
          return s.store.rotateRefreshToken(r);
        },
      });
      expect((await s.refresh(undefined, {}, racing)).access_token).toBeTruthy();
      expect(calls).toHaveLength(2);
    });
  });

  it('RFC 9700 §4.14.2: without a grace period a concurrent loser is refused, not retried, and revokes nothing', async () => {
    const s = await setup();
    const rotate = vi.fn(async (): Promise<RotationResult> => ({ ok: false, reason: 'used', used: { familyId: s.t.stored.familyId!, userId: s.user.id, rotatedSecondsAgo: 0, concurrent: true } }));
    const racing = Object.assign(Object.create(s.store) as MemoryTokenStore, { rotateRefreshToken: rotate });
    await expect(s.refresh(undefined, {}, racing)).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(rotate).toHaveBeenCalledTimes(1);
    expect(s.store.refresh.filter((r) => r.revokedAt)).toEqual([]);
  });

  it("OIDC Core §12.2 / RFC 6749 §5.2: an inactive user's refresh is refused, not spent, and stores nothing", async () => {
    const { store, t, user, refresh } = await setup();
    store.users.get(user.id)!.isActive = false;
    await expect(refresh()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The user account is inactive.' });
    expect(store.refreshByHash(t.stored.refreshHash!)!.rotatedAt).toBeNull();
    expect(store.access).toHaveLength(1);
  });

  it('OIDC Core §12.2: an ID token on refresh keeps auth_time and has no nonce; one that cannot be signed is server_error before storing', async () => {
    const { refresh, authTime, user } = await setup('openid profile', { algorithm: 'HS256' });
    const claims = decodeJwt((await refresh()).id_token!);
    expect(claims).toMatchObject({ sub: user.id, auth_time: Math.floor(authTime.getTime() / 1000), preferred_username: 'ada' });
    expect(claims.nonce).toBeUndefined();
    const hashed = await setup('openid', { algorithm: 'HS256', secretHashed: true });
    await expect(hashed.refresh()).rejects.toMatchObject({ code: 'server_error' });
    expect(hashed.store.refreshByHash(hashed.t.stored.refreshHash!)!.rotatedAt).toBeNull();
    expect(hashed.store.access).toHaveLength(1);
  });

  it('RFC 8707 §2: a rotation for the default resource, opaque with the default lifetime, stores the new access token once and never rewrites it', async () => {
    const { store, refresh } = await setup();
    const replace = vi.spyOn(store, 'replaceAccessToken');
    // Time passes between making the token and the store's answer (here 7 ms per reading of the clock).
    let t = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (t += 7));
    const body = await refresh().finally(() => clock.mockRestore());
    expect(replace).not.toHaveBeenCalled();
    expect(body.expires_in).toBe(env().ACCESS_TOKEN_EXPIRE_SECONDS);
    expect(storedTokens(store, body).access).toBeDefined();
  });
});
