// The token store's contract (lib/oauth/store.ts), run against both implementations: the database
// (lib/db/queries/token-store.ts, the only one production uses) and the in-memory fake the grants'
// unit tests use (test/helpers/memory-token-store.ts), so the fake cannot drift from the real one.
// Then what only the database can show: the SQL definition of token state equals tokenState().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { MemoryTokenStore } from '@/test/helpers/memory-token-store';
import { query, sql } from '@/lib/db';
import { databaseTokenStore } from '@/lib/db/queries/token-store';
import { tokenStateSql } from '@/lib/db/queries/token-state';
import { dateOrNull } from '@/lib/db/queries/values';
import { inactiveReason, tokenState, type CodeRedemption, type TokenKind, type TokenStore } from '@/lib/oauth/store';
import { newTokens, type NewTokens } from '@/lib/oauth/tokens';
import { randomToken, sha256b64url } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { DEFAULT_LIMITS } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const CALLBACK = 'https://client.example/cb';

interface CodeSeed {
  appId: number;
  userId: string;
  scope?: string;
  redirectUriSent?: boolean;
  challenge?: { value: string; method: 'S256' | 'plain' };
  nonce?: string;
}

/** Seeds and inspects one implementation through what each stores, so the same tests run on both. */
interface Harness {
  store: TokenStore;
  user(active?: boolean): Promise<{ id: string; username: string; email: string }>;
  app(ownerId?: string): Promise<{ id: number; clientId: string }>;
  setUserActive(id: string, active: boolean): Promise<void>;
  /** An authorization code as the authorization endpoint stores it; returns the code's value. */
  code(c: CodeSeed): Promise<string>;
  /** A device code, already entered by `userId` and in `status`. */
  deviceCode(d: { appId: number; userId: string; status: 'pending' | 'approved' | 'denied' }): Promise<{ hash: string; id: number }>;
  /** Moves a timestamp of the row with this hash `seconds` into the past. */
  shift(what: 'code_expiry' | 'refresh_expiry' | 'refresh_rotation' | 'access_expiry', hash: string, seconds: number): Promise<void>;
  /** How many access and refresh tokens the application holds. */
  stored(appId: number): Promise<{ access: number; refresh: number }>;
  /** A remembered consent of `userId` for the application, as the consent page stores it. */
  consent(userId: string, appId: number): Promise<void>;
  /** The consent's recorded last use; `ageBy` first moves it that many seconds into the past. */
  consentUsedAt(userId: string, appId: number, ageBy?: number): Promise<Date | null>;
}

const database = (): Harness => ({
  store: databaseTokenStore,
  user: async (active = true) => makeUser({ isActive: active }),
  app: async (ownerId) => makeApp(ownerId ? { userId: ownerId } : {}),
  setUserActive: async (id, active) => void (await query(sql`UPDATE users SET is_active = ${active} WHERE id = ${id}`)),
  code: async (c) => {
    const value = randomToken();
    await query(sql`
      INSERT INTO authorization_codes (code_hash, application_id, user_id, redirect_uri, redirect_uri_sent, scope, code_challenge,
                                       code_challenge_method, nonce, auth_time, expires_at)
      VALUES (${sha256b64url(value)}, ${c.appId}, ${c.userId}, ${CALLBACK}, ${c.redirectUriSent ?? true}, ${c.scope ?? 'read'},
              ${c.challenge?.value ?? null}, ${c.challenge?.method ?? null}, ${c.nonce ?? null}, now(), now() + interval '60 seconds')`);
    return value;
  },
  deviceCode: async (d) => {
    const hash = sha256b64url(randomToken());
    const userCode = crypto.randomBytes(4).toString('hex').toUpperCase();
    const [row] = await query<{ id: number }>(sql`
      INSERT INTO device_codes (device_code_hash, user_code, application_id, scope, status, user_id, interval, expires_at)
      VALUES (${hash}, ${userCode}, ${d.appId}, 'read', ${d.status}, ${d.userId}, 5, now() + interval '600 seconds')
      RETURNING id::int AS id`);
    return { hash, id: Number(row.id) };
  },
  shift: async (what, hash, s) => {
    const q = {
      code_expiry: sql`UPDATE authorization_codes SET expires_at = now() - make_interval(secs => ${s}) WHERE code_hash = ${hash}`,
      refresh_expiry: sql`UPDATE refresh_tokens SET expires_at = now() - make_interval(secs => ${s}) WHERE token_hash = ${hash}`,
      refresh_rotation: sql`UPDATE refresh_tokens SET rotated_at = now() - make_interval(secs => ${s}) WHERE token_hash = ${hash}`,
      access_expiry: sql`UPDATE access_tokens SET expires_at = now() - make_interval(secs => ${s}) WHERE token_hash = ${hash}`,
    }[what];
    await query(q);
  },
  stored: async (appId) => {
    const [r] = await query<{ access: number; refresh: number }>(sql`
      SELECT (SELECT count(*) FROM access_tokens WHERE application_id = ${appId})::int AS access,
             (SELECT count(*) FROM refresh_tokens WHERE application_id = ${appId})::int AS refresh`);
    return r;
  },
  consent: async (userId, appId) => void (await query(sql`INSERT INTO consents (user_id, application_id, scope) VALUES (${userId}, ${appId}, 'read write')`)),
  consentUsedAt: async (userId, appId, ageBy = 0) => {
    const [r] = await query<{ at: unknown }>(sql`
      UPDATE consents SET last_used_at = last_used_at - make_interval(secs => ${ageBy})
      WHERE user_id = ${userId} AND application_id = ${appId} RETURNING last_used_at AS at`);
    return dateOrNull(r?.at);
  },
});

const memory = (): Harness => {
  const m = new MemoryTokenStore();
  const past = (s: number) => new Date(m.now() - s * 1000);
  return {
    store: m,
    user: async (active = true) => m.addUser({ isActive: active }),
    app: async (ownerId) => m.addApp({ ownerId: ownerId ?? null }),
    setUserActive: async (id, active) => void (m.users.get(id)!.isActive = active),
    code: async (c) =>
      m.addCode({
        applicationId: c.appId,
        userId: c.userId,
        redirectUri: CALLBACK,
        redirectUriSent: c.redirectUriSent ?? true,
        scope: c.scope ?? 'read',
        codeChallenge: c.challenge?.value ?? null,
        codeChallengeMethod: c.challenge?.method ?? null,
        nonce: c.nonce ?? null,
      }).code,
    deviceCode: async (d) => {
      const { deviceCode, row } = m.addDeviceCode({ applicationId: d.appId, userId: d.userId, status: d.status });
      return { hash: sha256b64url(deviceCode), id: row.id };
    },
    shift: async (what, hash, s) => {
      if (what === 'code_expiry') m.codes.find((c) => c.codeHash === hash)!.expiresAt = past(s);
      if (what === 'refresh_expiry') m.refreshByHash(hash)!.expiresAt = past(s);
      if (what === 'refresh_rotation') m.refreshByHash(hash)!.rotatedAt = past(s);
      if (what === 'access_expiry') m.accessByHash(hash)!.expiresAt = past(s);
    },
    stored: async (appId) => ({
      access: m.access.filter((t) => t.applicationId === appId).length,
      refresh: m.refresh.filter((t) => t.applicationId === appId).length,
    }),
    consent: async (userId, appId) => void m.addConsent({ userId, applicationId: appId, scope: 'read write' }),
    consentUsedAt: async (userId, appId, ageBy = 0) => {
      const c = m.consents.find((x) => x.userId === userId && x.applicationId === appId)!;
      if (c.lastUsedAt) c.lastUsedAt = new Date(c.lastUsedAt.getTime() - ageBy * 1000);
      return c.lastUsedAt;
    },
  };
};

describe.each([
  ['the database store', database],
  ['the in-memory fake', memory],
])('token store contract: %s', (_name, make) => {
  let h: Harness;
  let store: TokenStore;
  beforeAll(() => {
    h = make();
    store = h.store;
  });

  /** The redemption of `code` by `appId` with the Postman-like defaults of a valid request. */
  const redemption = (code: string, appId: number, t: NewTokens, over: Partial<CodeRedemption> = {}): CodeRedemption => ({
    codeHash: sha256b64url(code),
    applicationId: appId,
    redirectUri: CALLBACK,
    verifier: null,
    tokens: t.stored,
    idTokenUnavailable: false,
    ...over,
  });
  const presented = (v: string) => ({ plain: v, s256: s256(v) });

  /** Tokens issued by the store (client_credentials-like when userId is null). */
  async function issued(appId: number, userId: string | null, scope = 'read write', withRefresh = true) {
    const t = newTokens(withRefresh);
    const r = await store.issueTokens({ applicationId: appId, userId, scope, grantType: 'password', tokens: t.stored, authTime: new Date(), idTokenUnavailable: false });
    expect(r.ok).toBe(true);
    return t;
  }
  const rotation = (t: NewTokens, appId: number, over: Record<string, unknown> = {}) => {
    const next = newTokens(true);
    return { next, r: { tokenHash: t.stored.refreshHash!, applicationId: appId, scope: null, tokens: next.stored, graceSeconds: 0, idTokenUnavailable: false, ...over } };
  };

  describe('redeemAuthorizationCode (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
    it('stores the tokens for the code and answers what it was issued for, with the user', async () => {
      const user = await h.user();
      const app = await h.app();
      const code = await h.code({ appId: app.id, userId: user.id, scope: 'openid read', nonce: 'n-1' });
      const t = newTokens(true);
      const r = await store.redeemAuthorizationCode(redemption(code, app.id, t));
      expect(r).toMatchObject({ ok: true, code: { userId: user.id, scope: 'openid read', nonce: 'n-1' }, user: { id: user.id, username: user.username, email: user.email } });
      const found = await store.findToken(t.stored.accessHash, 'access');
      expect(found).toMatchObject({ kind: 'access', applicationId: app.id, userId: user.id, scope: 'openid read', grantType: 'authorization_code' });
      expect(await store.findToken(t.stored.refreshHash!, 'access_or_refresh')).toMatchObject({ kind: 'refresh', scope: 'openid read' });
    });

    it('RFC 6749 §4.1.2: a code is spent once; the second redemption answers used, and a replay of the same valid request says which code to revoke', async () => {
      const user = await h.user();
      const app = await h.app();
      const verifier = randomToken();
      const code = await h.code({ appId: app.id, userId: user.id, challenge: { value: s256(verifier), method: 'S256' } });
      expect((await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true), { verifier: presented(verifier) }))).ok).toBe(true);
      const again = await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true), { verifier: presented(verifier) }));
      expect(again).toMatchObject({ ok: false, reason: 'used', replayed: { userId: user.id } });
      // A replay with a wrong verifier is not the client's: nothing to revoke.
      const wrong = await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true), { verifier: presented(randomToken()) }));
      expect(wrong).toEqual({ ok: false, reason: 'used', replayed: null });
      expect(await h.stored(app.id)).toEqual({ access: 1, refresh: 1 });
    });

    it('answers unknown for a code that does not exist', async () => {
      const app = await h.app();
      expect(await store.redeemAuthorizationCode(redemption('no-such-code', app.id, newTokens(true)))).toEqual({ ok: false, reason: 'unknown', replayed: null });
    });

    it('RFC 6749 §4.1.3: another client gets other_client and does not spend the code', async () => {
      const user = await h.user();
      const [app, other] = [await h.app(), await h.app()];
      const code = await h.code({ appId: app.id, userId: user.id });
      expect(await store.redeemAuthorizationCode(redemption(code, other.id, newTokens(true)))).toEqual({ ok: false, reason: 'other_client', replayed: null });
      expect((await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true)))).ok).toBe(true);
      expect(await h.stored(other.id)).toEqual({ access: 0, refresh: 0 });
    });

    it('says which binding failed, spends the code, and stores nothing', async () => {
      const user = await h.user();
      const app = await h.app();
      const verifier = randomToken();
      const cases: [CodeSeed, Partial<CodeRedemption>, string][] = [
        [{ appId: app.id, userId: user.id }, { redirectUri: 'https://client.example/other' }, 'redirect_uri_mismatch'],
        [{ appId: app.id, userId: user.id }, { redirectUri: null }, 'redirect_uri_mismatch'],
        [{ appId: app.id, userId: user.id, challenge: { value: s256(verifier), method: 'S256' } }, {}, 'verifier_missing'],
        [{ appId: app.id, userId: user.id, challenge: { value: s256(verifier), method: 'S256' } }, { verifier: presented(randomToken()) }, 'verifier_mismatch'],
        [{ appId: app.id, userId: user.id, challenge: { value: s256(verifier), method: 'S256' } }, { verifier: { plain: null, s256: null } }, 'verifier_mismatch'],
        [{ appId: app.id, userId: user.id, challenge: { value: verifier, method: 'plain' } }, { verifier: presented(randomToken()) }, 'verifier_mismatch'],
        [{ appId: app.id, userId: user.id }, { verifier: presented(verifier) }, 'verifier_unexpected'],
      ];
      for (const [seed, over, reason] of cases) {
        const code = await h.code(seed);
        expect(await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true), over)), reason).toEqual({ ok: false, reason, replayed: null });
        // Spent: the right request now finds it used.
        expect((await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true)))).ok).toBe(false);
      }
      expect(await h.stored(app.id)).toEqual({ access: 0, refresh: 0 });
    });

    it('accepts a redirect_uri omitted at authorize and at the token request, and a plain verifier', async () => {
      const user = await h.user();
      const app = await h.app();
      const verifier = randomToken();
      const omitted = await h.code({ appId: app.id, userId: user.id, redirectUriSent: false });
      expect((await store.redeemAuthorizationCode(redemption(omitted, app.id, newTokens(true), { redirectUri: null }))).ok).toBe(true);
      const plain = await h.code({ appId: app.id, userId: user.id, challenge: { value: verifier, method: 'plain' } });
      expect((await store.redeemAuthorizationCode(redemption(plain, app.id, newTokens(true), { verifier: presented(verifier) }))).ok).toBe(true);
    });

    it('answers expired for a code past its expiry', async () => {
      const user = await h.user();
      const app = await h.app();
      const code = await h.code({ appId: app.id, userId: user.id });
      await h.shift('code_expiry', sha256b64url(code), 1);
      expect(await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true)))).toEqual({ ok: false, reason: 'expired', replayed: null });
      expect(await h.stored(app.id)).toEqual({ access: 0, refresh: 0 });
    });

    it('OIDC Core §3.1.3.3 / RFC 6749 §5.2: an inactive user, a suspended client or an ID token that cannot be signed refuses the code before any token is stored', async () => {
      const user = await h.user();
      const owner = await h.user();
      const app = await h.app(owner.id);
      const inactive = await h.code({ appId: app.id, userId: user.id });
      await h.setUserActive(user.id, false);
      expect(await store.redeemAuthorizationCode(redemption(inactive, app.id, newTokens(true)))).toMatchObject({ ok: false, reason: 'user_inactive' });
      await h.setUserActive(user.id, true);
      const openid = await h.code({ appId: app.id, userId: user.id, scope: 'openid' });
      expect(await store.redeemAuthorizationCode(redemption(openid, app.id, newTokens(true), { idTokenUnavailable: true }))).toMatchObject({
        ok: false,
        reason: 'id_token_unavailable',
      });
      // Without openid no ID token is due, so none is missing.
      const plain = await h.code({ appId: app.id, userId: user.id, scope: 'read' });
      expect((await store.redeemAuthorizationCode(redemption(plain, app.id, newTokens(true), { idTokenUnavailable: true }))).ok).toBe(true);
      const suspended = await h.code({ appId: app.id, userId: user.id });
      await h.setUserActive(owner.id, false);
      expect(await store.redeemAuthorizationCode(redemption(suspended, app.id, newTokens(true)))).toMatchObject({ ok: false, reason: 'client_suspended' });
      expect(await h.stored(app.id)).toEqual({ access: 1, refresh: 1 });
    });
  });

  describe('issueTokens (RFC 6749 §4.3, §4.4)', () => {
    it('stores tokens without a user (client_credentials) and with one, answering the user', async () => {
      const user = await h.user();
      const app = await h.app();
      const cc = newTokens(false);
      expect(await store.issueTokens({ applicationId: app.id, userId: null, scope: 'read', grantType: 'client_credentials', tokens: cc.stored, authTime: null, idTokenUnavailable: false })).toEqual({
        ok: true,
        user: null,
      });
      expect(await store.findToken(cc.stored.accessHash, 'access')).toMatchObject({ userId: null, grantType: 'client_credentials', scope: 'read' });
      const t = newTokens(true);
      const r = await store.issueTokens({ applicationId: app.id, userId: user.id, scope: 'read', grantType: 'password', tokens: t.stored, authTime: null, idTokenUnavailable: false });
      expect(r).toEqual({ ok: true, user: { id: user.id, username: user.username, email: user.email } });
      expect(await h.stored(app.id)).toEqual({ access: 2, refresh: 1 });
    });

    it('RFC 6749 §5.2: refuses an inactive user, a suspended client, an unknown client and an ID token it cannot sign, storing nothing', async () => {
      const owner = await h.user();
      const app = await h.app(owner.id);
      const inactive = await h.user(false);
      const issue = (userId: string | null, over: Record<string, unknown> = {}) =>
        store.issueTokens({ applicationId: app.id, userId, scope: 'openid read', grantType: 'password', tokens: newTokens(true).stored, authTime: null, idTokenUnavailable: false, ...over });
      expect(await issue(inactive.id)).toEqual({ ok: false, reason: 'user_inactive' });
      expect(await issue(owner.id, { idTokenUnavailable: true })).toEqual({ ok: false, reason: 'id_token_unavailable' });
      expect(await issue(owner.id, { applicationId: 987_654_321 })).toEqual({ ok: false, reason: 'client_unknown' });
      await h.setUserActive(owner.id, false);
      expect(await issue(null)).toEqual({ ok: false, reason: 'client_suspended' });
      expect(await h.stored(app.id)).toEqual({ access: 0, refresh: 0 });
    });
  });

  describe('rotateRefreshToken (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
    it('rotates: the new tokens continue the family, the earlier access token is revoked, the refresh token keeps its scope while the access token narrows', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id, 'read write');
      const { next, r } = rotation(t, app.id, { scope: 'read' });
      const res = await store.rotateRefreshToken(r);
      expect(res).toMatchObject({ ok: true, rotated: { userId: user.id, scope: 'read', viaGrace: false }, user: { id: user.id } });
      const [oldAccess, newAccess, newRefresh, oldRefresh] = await Promise.all([
        store.findToken(t.stored.accessHash, 'access'),
        store.findToken(next.stored.accessHash, 'access'),
        store.findToken(next.stored.refreshHash!, 'access_or_refresh'),
        store.findToken(t.stored.refreshHash!, 'access_or_refresh'),
      ]);
      expect(tokenState(oldAccess!)).toBe('revoked');
      expect(tokenState(oldRefresh!)).toBe('used');
      expect(newAccess).toMatchObject({ scope: 'read', grantType: 'refresh_token' });
      expect(tokenState(newAccess!)).toBe('active');
      expect(newRefresh).toMatchObject({ scope: 'read write' });
      if (res.ok) expect(res.rotated.familyId).toBe(t.stored.familyId);
    });

    it('answers unknown, and other_client without spending the token (§6: bound to its client)', async () => {
      const user = await h.user();
      const [app, other] = [await h.app(), await h.app()];
      const t = await issued(app.id, user.id);
      expect(await store.rotateRefreshToken({ ...rotation(t, app.id).r, tokenHash: 'nope' })).toEqual({ ok: false, reason: 'unknown', used: null });
      expect(await store.rotateRefreshToken(rotation(t, other.id).r)).toEqual({ ok: false, reason: 'other_client', used: null });
      expect((await store.rotateRefreshToken(rotation(t, app.id).r)).ok).toBe(true);
    });

    it('RFC 9700 §4.14.2: a used token answers used with its family and how long ago it was rotated, and stores nothing', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      expect((await store.rotateRefreshToken(rotation(t, app.id).r)).ok).toBe(true);
      await h.shift('refresh_rotation', t.stored.refreshHash!, 60);
      const again = await store.rotateRefreshToken(rotation(t, app.id).r);
      expect(again).toMatchObject({ ok: false, reason: 'used', used: { familyId: t.stored.familyId, userId: user.id, concurrent: false } });
      if (!again.ok) expect(again.used!.rotatedSecondsAgo).toBeGreaterThanOrEqual(59);
      expect(await h.stored(app.id)).toEqual({ access: 2, refresh: 2 });
    });

    it('RFC 9700 §4.14.2: issues nothing into a family with a revoked token, and does not spend the presented one', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      await store.revokeFamily(t.stored.familyId!); // e.g. the user revoked the app while a refresh was in flight
      expect(await store.rotateRefreshToken(rotation(t, app.id).r)).toEqual({ ok: false, reason: 'revoked', used: null });
      // Nor can the current token continue a family of which staff revoked an older token.
      const u = await issued(app.id, user.id);
      const { next, r } = rotation(u, app.id);
      expect((await store.rotateRefreshToken(r)).ok).toBe(true);
      expect(await store.revokeByIds('refresh', [(await store.findToken(u.stored.refreshHash!, 'access_or_refresh'))!.id])).toBe(1);
      expect(await store.rotateRefreshToken(rotation(next, app.id).r)).toEqual({ ok: false, reason: 'revoked', used: null });
      // Not spent (no rotation recorded); and, its family revoked, judged revoked wherever it is read.
      const presented = (await store.findToken(next.stored.refreshHash!, 'access_or_refresh'))!;
      expect(presented.usedAt).toBeNull();
      expect(tokenState(presented)).toBe('revoked');
      expect(await h.stored(app.id)).toEqual({ access: 3, refresh: 3 });
    });

    it('answers expired for a token past its expiry, before checking the scope, and does not spend it', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      await h.shift('refresh_expiry', t.stored.refreshHash!, 1);
      expect(await store.rotateRefreshToken(rotation(t, app.id, { scope: 'read write admin' }).r)).toEqual({ ok: false, reason: 'expired', used: null });
      expect(tokenState((await store.findToken(t.stored.refreshHash!, 'access_or_refresh'))!)).toBe('expired');
    });

    it('RFC 6749 §6: a widened scope answers scope_widened and does not spend the token', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id, 'read');
      expect(await store.rotateRefreshToken(rotation(t, app.id, { scope: 'read write' }).r)).toEqual({ ok: false, reason: 'scope_widened', used: null });
      expect((await store.rotateRefreshToken(rotation(t, app.id, { scope: 'read' }).r)).ok).toBe(true);
    });

    it('DOT #1816, #1617: a used token is exchanged again within the grace period, unless its family has a revoked token or a newer token was rotated', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      const first = rotation(t, app.id, { graceSeconds: 30 });
      expect((await store.rotateRefreshToken(first.r)).ok).toBe(true);
      const retry = await store.rotateRefreshToken(rotation(t, app.id, { graceSeconds: 30 }).r);
      expect(retry).toMatchObject({ ok: true, rotated: { viaGrace: true, familyId: t.stored.familyId } });
      // A newer token was rotated since: t is two generations old.
      expect((await store.rotateRefreshToken(rotation(first.next, app.id, { graceSeconds: 30 }).r)).ok).toBe(true);
      expect(await store.rotateRefreshToken(rotation(t, app.id, { graceSeconds: 30 }).r)).toMatchObject({ ok: false, reason: 'used' });
      // Past the grace period.
      const u = await issued(app.id, user.id);
      expect((await store.rotateRefreshToken(rotation(u, app.id, { graceSeconds: 30 }).r)).ok).toBe(true);
      await h.shift('refresh_rotation', u.stored.refreshHash!, 31);
      expect(await store.rotateRefreshToken(rotation(u, app.id, { graceSeconds: 30 }).r)).toMatchObject({ ok: false, reason: 'used' });
      // A revoked family.
      const v = await issued(app.id, user.id);
      expect((await store.rotateRefreshToken(rotation(v, app.id, { graceSeconds: 30 }).r)).ok).toBe(true);
      await store.revokeFamily(v.stored.familyId!);
      expect(await store.rotateRefreshToken(rotation(v, app.id, { graceSeconds: 30 }).r)).toMatchObject({ ok: false, reason: 'revoked' });
    });

    it('OIDC Core §12.2 / RFC 6749 §5.2: an inactive user or an ID token that cannot be signed refuses the refresh without spending it', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id, 'openid read');
      expect(await store.rotateRefreshToken(rotation(t, app.id, { idTokenUnavailable: true }).r)).toEqual({ ok: false, reason: 'id_token_unavailable', used: null });
      expect((await store.rotateRefreshToken(rotation(t, app.id, { idTokenUnavailable: true, scope: 'read' }).r)).ok).toBe(true);
      const u = await issued(app.id, user.id);
      await h.setUserActive(user.id, false);
      expect(await store.rotateRefreshToken(rotation(u, app.id).r)).toEqual({ ok: false, reason: 'user_inactive', used: null });
      await h.setUserActive(user.id, true);
      expect((await store.rotateRefreshToken(rotation(u, app.id).r)).ok).toBe(true);
    });
  });

  describe('device codes (RFC 8628 §3.5)', () => {
    it('polls by hash and client, and redeems an approved code once, storing its tokens', async () => {
      const user = await h.user();
      const [app, other] = [await h.app(), await h.app()];
      const d = await h.deviceCode({ appId: app.id, userId: user.id, status: 'approved' });
      expect(await store.pollDeviceCode(d.hash, other.id)).toBeNull();
      expect(await store.pollDeviceCode(d.hash, app.id)).toMatchObject({ id: d.id, status: 'approved', userId: user.id, expired: false, tooFast: false, userActive: true });
      const t = newTokens(false);
      expect(await store.redeemDeviceCode({ id: d.id, applicationId: app.id, tokens: t.stored, idTokenUnavailable: false })).toMatchObject({
        ok: true,
        userId: user.id,
        scope: 'read',
        user: { id: user.id },
      });
      expect(await store.redeemDeviceCode({ id: d.id, applicationId: app.id, tokens: newTokens(false).stored, idTokenUnavailable: false })).toEqual({ ok: false, reason: 'used' });
      expect(await h.stored(app.id)).toEqual({ access: 1, refresh: 0 });
    });

    it('RFC 8628 §3.5 / RFC 6749 §5.2: refuses an inactive user and a code not approved, storing nothing', async () => {
      const user = await h.user();
      const app = await h.app();
      const pending = await h.deviceCode({ appId: app.id, userId: user.id, status: 'pending' });
      expect(await store.redeemDeviceCode({ id: pending.id, applicationId: app.id, tokens: newTokens(false).stored, idTokenUnavailable: false })).toEqual({ ok: false, reason: 'used' });
      const approved = await h.deviceCode({ appId: app.id, userId: user.id, status: 'approved' });
      await h.setUserActive(user.id, false);
      expect(await store.redeemDeviceCode({ id: approved.id, applicationId: app.id, tokens: newTokens(false).stored, idTokenUnavailable: false })).toEqual({
        ok: false,
        reason: 'user_inactive',
      });
      expect(await h.stored(app.id)).toEqual({ access: 0, refresh: 0 });
    });
  });

  describe('findToken and inactiveReason (RFC 6750 §3.1, RFC 7662 §2.2)', () => {
    it('finds access tokens for `access`, and refresh tokens only for `access_or_refresh`', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      expect(await store.findToken(t.stored.refreshHash!, 'access')).toBeNull();
      expect(await store.findToken(t.stored.refreshHash!, 'access_or_refresh')).toMatchObject({ kind: 'refresh', grantType: null, usedAt: null });
      const found = (await store.findToken(t.stored.accessHash, 'access_or_refresh'))!;
      expect(found).toMatchObject({ kind: 'access', applicationId: app.id, clientId: app.clientId, userId: user.id, username: user.username, userActive: true, clientSuspended: false });
      expect(inactiveReason(found)).toBeNull();
      expect(await store.findToken('unknown', 'access_or_refresh')).toBeNull();
    });

    it('says why a token is not active: expired, revoked, its user inactive, its client suspended', async () => {
      const owner = await h.user();
      const user = await h.user();
      const app = await h.app(owner.id);
      const [a, b, c] = [await issued(app.id, user.id), await issued(app.id, user.id), await issued(app.id, user.id)];
      await h.shift('access_expiry', a.stored.accessHash, 1);
      expect(inactiveReason((await store.findToken(a.stored.accessHash, 'access'))!)).toBe('expired');
      await store.revokeToken(b.stored.accessHash, app.id);
      expect(inactiveReason((await store.findToken(b.stored.accessHash, 'access'))!)).toBe('revoked');
      await h.setUserActive(user.id, false);
      expect(inactiveReason((await store.findToken(c.stored.accessHash, 'access'))!)).toBe('user_inactive');
      await h.setUserActive(user.id, true);
      await h.setUserActive(owner.id, false);
      expect(inactiveReason((await store.findToken(c.stored.accessHash, 'access'))!)).toBe('client_suspended');
    });
  });

  describe('revocation (RFC 7009 §2.1, RFC 6749 §4.1.2)', () => {
    it('revokes an access token alone, or a refresh token with its family, only for its own client', async () => {
      const user = await h.user();
      const [app, other] = [await h.app(), await h.app()];
      const t = await issued(app.id, user.id);
      expect(await store.revokeToken(t.stored.accessHash, other.id)).toBeNull();
      expect(await store.revokeToken(t.stored.accessHash, app.id)).toEqual({ kind: 'access', userId: user.id, accessTokens: 1, refreshTokens: 0 });
      expect(await store.revokeToken(t.stored.accessHash, app.id)).toEqual({ kind: 'access', userId: user.id, accessTokens: 0, refreshTokens: 0 });
      const u = await issued(app.id, user.id);
      const { next, r } = rotation(u, app.id);
      await store.rotateRefreshToken(r);
      // The rotation revoked u's access token; the family's two refresh tokens and next's access token are revoked now.
      expect(await store.revokeToken(next.stored.refreshHash!, app.id)).toEqual({ kind: 'refresh', userId: user.id, accessTokens: 1, refreshTokens: 2 });
      expect(tokenState((await store.findToken(next.stored.accessHash, 'access'))!)).toBe('revoked');
    });

    it('revokes by family and by authorization code', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      expect(await store.revokeFamily(t.stored.familyId!)).toEqual({ accessTokens: 1, refreshTokens: 1 });
      const code = await h.code({ appId: app.id, userId: user.id });
      const c = newTokens(true);
      const redeemed = await store.redeemAuthorizationCode(redemption(code, app.id, c));
      const { r } = rotation(c, app.id);
      await store.rotateRefreshToken(r);
      // Two refresh tokens and the second access token (the rotation revoked the first).
      if (redeemed.ok) expect(await store.revokeByAuthorizationCode(redeemed.code.id)).toEqual({ accessTokens: 1, refreshTokens: 2 });
      else expect.fail('redeemed');
    });

    it("revokes one user's authorization of one application, counting the tokens that were active, and voids their codes and device codes", async () => {
      const [user, other] = [await h.user(), await h.user()];
      const app = await h.app();
      const mine = await issued(app.id, user.id);
      await store.rotateRefreshToken(rotation(mine, app.id).r); // one used refresh token, one revoked access token
      const theirs = await issued(app.id, other.id);
      const code = await h.code({ appId: app.id, userId: user.id });
      await h.deviceCode({ appId: app.id, userId: user.id, status: 'approved' });
      expect(await store.revokeAuthorization(user.id, app.id)).toEqual({ consent: false, accessTokens: 1, refreshTokens: 1, codes: 1, deviceCodes: 1 });
      expect((await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true)))).ok).toBe(false);
      expect(inactiveReason((await store.findToken(theirs.stored.accessHash, 'access'))!)).toBeNull();
      expect(await store.revokeAuthorization(user.id, app.id)).toEqual({ consent: false, accessTokens: 0, refreshTokens: 0, codes: 0, deviceCodes: 0 });
    });

    it('revokes the staff’s selection; a refresh token takes its family’s access tokens along', async () => {
      const user = await h.user();
      const app = await h.app();
      const t = await issued(app.id, user.id);
      const accessId = (await store.findToken(t.stored.accessHash, 'access'))!.id;
      const refreshId = (await store.findToken(t.stored.refreshHash!, 'access_or_refresh'))!.id;
      expect(await store.revokeByIds('refresh', [refreshId])).toBe(1);
      expect(tokenState((await store.findToken(t.stored.accessHash, 'access'))!)).toBe('revoked');
      expect(await store.revokeByIds('access', [accessId])).toBe(0);
      const code = await h.code({ appId: app.id, userId: user.id });
      const [row] = (await store.listTokens({ kind: 'code', applicationId: app.id, state: 'active', limit: 10 })).rows;
      expect(await store.revokeByIds('code', [row.id])).toBe(1);
      expect(await store.redeemAuthorizationCode(redemption(code, app.id, newTokens(true)))).toMatchObject({ ok: false, reason: 'used' });
    });
  });

  describe('lists', () => {
    it('lists tokens by state, newest first, in pages', async () => {
      const user = await h.user();
      const app = await h.app();
      const [a, b, c] = [await issued(app.id, user.id), await issued(app.id, user.id), await issued(app.id, user.id)];
      await h.shift('access_expiry', a.stored.accessHash, 1);
      await store.revokeToken(b.stored.accessHash, app.id);
      const all = await store.listTokens({ kind: 'access', applicationId: app.id, limit: 2 });
      expect(all.rows.map((r) => r.state)).toEqual(['active', 'revoked']);
      expect(all.next).toBe(String(all.rows[1].id));
      const rest = await store.listTokens({ kind: 'access', applicationId: app.id, limit: 2, after: Number(all.next) });
      expect(rest).toMatchObject({ rows: [{ state: 'expired' }], next: null });
      expect((await store.listTokens({ kind: 'access', applicationId: app.id, state: 'active', limit: 10 })).rows.map((r) => r.id)).toEqual([
        (await store.findToken(c.stored.accessHash, 'access'))!.id,
      ]);
      expect((await store.listTokens({ kind: 'refresh', applicationId: app.id, userId: user.id, state: 'active', limit: 10 })).rows).toHaveLength(3);
    });

    it('lists the applications a user authorized, from their active tokens', async () => {
      const user = await h.user();
      const app = await h.app();
      await issued(app.id, user.id, 'read');
      const dead = await issued(app.id, user.id, 'write');
      await store.revokeToken(dead.stored.refreshHash!, app.id);
      const [entry, ...more] = await store.listAuthorizedApps(user.id);
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ applicationId: app.id, scopes: ['read'], neverExpires: true, expiresAt: null, liveTokens: 2 });
    });

    it('"Last used" outlives the tokens: an issuance is recorded on the user\'s consent, which still shows it once they are revoked', async () => {
      const [user, other] = [await h.user(), await h.user()];
      const app = await h.app();
      await h.consent(user.id, app.id);
      await h.consent(other.id, app.id);
      expect((await store.listAuthorizedApps(user.id))[0]).toMatchObject({ lastUsedAt: null, liveTokens: 0 });
      const t = await issued(app.id, user.id);
      const recorded = await h.consentUsedAt(user.id, app.id);
      expect(recorded).not.toBeNull();
      expect(await h.consentUsedAt(other.id, app.id)).toBeNull();
      await store.revokeToken(t.stored.refreshHash!, app.id);
      const [entry] = await store.listAuthorizedApps(user.id);
      expect(entry).toMatchObject({ applicationId: app.id, liveTokens: 0 });
      expect(entry.lastUsedAt).toEqual(recorded);
    });

    it(`every issuance for a user (code, refresh, device code, password) records its use at most once per ${DEFAULT_LIMITS.authorizationUsedEverySeconds} s; a bearer check records nothing`, async () => {
      const user = await h.user();
      const app = await h.app();
      await h.consent(user.id, app.id);
      const first = await issued(app.id, user.id);
      const at = await h.consentUsedAt(user.id, app.id);
      // Within the window: not written again.
      await issued(app.id, user.id);
      expect(await h.consentUsedAt(user.id, app.id)).toEqual(at);
      const window = DEFAULT_LIMITS.authorizationUsedEverySeconds + 1;
      const issuances: Array<[string, () => Promise<unknown>]> = [
        ['password', () => issued(app.id, user.id)],
        ['refresh', async () => expect((await store.rotateRefreshToken(rotation(first, app.id).r)).ok).toBe(true)],
        ['code', async () => expect((await store.redeemAuthorizationCode(redemption(await h.code({ appId: app.id, userId: user.id }), app.id, newTokens(true)))).ok).toBe(true)],
        ['device code', async () => {
          const d = await h.deviceCode({ appId: app.id, userId: user.id, status: 'approved' });
          expect((await store.redeemDeviceCode({ id: d.id, applicationId: app.id, tokens: newTokens(true).stored, idTokenUnavailable: false })).ok).toBe(true);
        }],
      ];
      for (const [name, issue] of issuances) {
        const aged = (await h.consentUsedAt(user.id, app.id, window))!;
        await store.findToken(first.stored.accessHash, 'access');
        expect(await h.consentUsedAt(user.id, app.id), `${name}: after a bearer check`).toEqual(aged);
        await issue();
        expect((await h.consentUsedAt(user.id, app.id))!.getTime(), name).toBeGreaterThan(aged.getTime());
      }
    });
  });
});

describe('token state is defined once (lib/oauth/store.ts tokenState = lib/db/queries/token-state.ts)', () => {
  it('labels every state of every kind in SQL as tokenState() does in TypeScript', async () => {
    const user = await makeUser();
    const app = await makeApp();
    const h = database();
    // Every state of access and refresh tokens and codes.
    const t = [await h.code({ appId: app.id, userId: user.id }), await h.code({ appId: app.id, userId: user.id }), await h.code({ appId: app.id, userId: user.id })];
    await h.shift('code_expiry', sha256b64url(t[1]), 1);
    await databaseTokenStore.redeemAuthorizationCode({ codeHash: sha256b64url(t[2]), applicationId: app.id, redirectUri: CALLBACK, verifier: null, tokens: newTokens(true).stored, idTokenUnavailable: false });
    const issue = async () => {
      const n = newTokens(true);
      await databaseTokenStore.issueTokens({ applicationId: app.id, userId: user.id, scope: 'read', grantType: 'password', tokens: n.stored, authTime: null, idTokenUnavailable: false });
      return n;
    };
    const [expired, revoked, used] = [await issue(), await issue(), await issue()];
    await h.shift('access_expiry', expired.stored.accessHash, 1);
    await h.shift('refresh_expiry', expired.stored.refreshHash!, 1);
    await databaseTokenStore.revokeFamily(revoked.stored.familyId!);
    await databaseTokenStore.rotateRefreshToken({ tokenHash: used.stored.refreshHash!, applicationId: app.id, scope: null, tokens: newTokens(true).stored, graceSeconds: 0, idTokenUnavailable: false });

    const tables: [TokenKind, string, string, string][] = [
      ['access', 'access_tokens', 'NULL::timestamptz', 'revoked_at'],
      ['refresh', 'refresh_tokens', 'rotated_at', 'revoked_at'],
      ['code', 'authorization_codes', 'consumed_at', 'NULL::timestamptz'],
    ];
    const seen = new Set<string>();
    for (const [kind, table, used, revokedCol] of tables) {
      const s = tokenStateSql(kind, 'x');
      const rows = await query<{ label: string; revoked_at: unknown; used_at: unknown; expires_at: unknown; states: string[] }>(sql`
        SELECT ${s.label} AS label, ${sql.raw(revokedCol)} AS revoked_at, ${sql.raw(used)} AS used_at, x.expires_at,
               array_remove(ARRAY[CASE WHEN ${s.is('active')} THEN 'active' END, CASE WHEN ${s.is('expired')} THEN 'expired' END,
                                  CASE WHEN ${s.is('revoked')} THEN 'revoked' END, CASE WHEN ${s.is('used')} THEN 'used' END], NULL) AS states
        FROM ${sql.raw(table)} x WHERE x.application_id = ${app.id}`);
      for (const r of rows) {
        const ts = tokenState({ revokedAt: dateOrNull(r.revoked_at), usedAt: dateOrNull(r.used_at), expiresAt: dateOrNull(r.expires_at) });
        expect(r.label, `${kind} ${JSON.stringify(r)}`).toBe(ts);
        // is(state) holds for exactly the labelled state.
        expect(r.states).toEqual([ts]);
        seen.add(`${kind}:${ts}`);
      }
    }
    expect([...seen].sort()).toEqual(
      ['access:active', 'access:expired', 'access:revoked', 'code:active', 'code:expired', 'code:used', 'refresh:active', 'refresh:expired', 'refresh:revoked', 'refresh:used'].sort(),
    );
  });
});
