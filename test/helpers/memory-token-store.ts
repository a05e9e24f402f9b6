// An in-memory TokenStore (lib/oauth/store.ts) for the grants' unit tests (lib/oauth/grants/*.test.ts).
// Tests only: production always uses the database store (lib/db/queries/token-store.ts). It keeps
// the documented contract, and test/features/storage/token-store.test.ts runs the same contract tests against it and
// against the database, so it cannot drift. Each method runs without awaiting between its checks
// and its writes, so it is atomic as the database's single statements are.
import crypto from 'node:crypto';
import type {
  AuthorizedApp,
  CodeRedemption,
  CodeRedemptionResult,
  DeviceCodeRedemption,
  DeviceCodeRedemptionResult,
  DeviceStatus,
  FoundToken,
  TokenKinds,
  IssueRefusal,
  IssueResult,
  PolledDeviceCode,
  RefreshRotation,
  ScopePolicyCheck,
  RevokedAuthorization,
  RevokedTokens,
  RotationRefusal,
  RotationResult,
  StoredTokens,
  TokenIssue,
  TokenKind,
  TokenListQuery,
  TokenListRow,
  TokenStore,
  TokenUser,
} from '@/lib/oauth/store';
import { tokenState } from '@/lib/oauth/store';
import { env } from '@/lib/env';
import { randomToken, sha256b64url } from '@/lib/oauth/random';
import { GRANT_DEVICE_CODE } from '@/lib/oauth/grants/catalogue';

export interface MemoryUser extends TokenUser {
  isActive: boolean;
}
export interface MemoryApp {
  id: number;
  clientId: string;
  name: string;
  allowedOrigins: string[];
  /** Its owner: the app is suspended while the owner is inactive. */
  ownerId: string | null;
}
export interface MemoryCode {
  id: number;
  codeHash: string;
  applicationId: number;
  userId: string;
  redirectUri: string;
  redirectUriSent: boolean;
  scope: string;
  /** RFC 8707: empty means the default resource. */
  resources?: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  nonce: string | null;
  authTime: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  createdAt: Date;
}
export interface MemoryAccessToken {
  id: number;
  tokenHash: string;
  applicationId: number;
  userId: string | null;
  scope: string;
  audience: string[];
  familyId: string | null;
  authorizationCodeId: number | null;
  grantType: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}
export interface MemoryRefreshToken {
  id: number;
  tokenHash: string;
  applicationId: number;
  userId: string | null;
  scope: string;
  resources: string[];
  familyId: string;
  authorizationCodeId: number | null;
  authTime: Date | null;
  nonce: string | null;
  expiresAt: Date | null;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}
export interface MemoryDeviceCode {
  id: number;
  deviceCodeHash: string;
  applicationId: number;
  scope: string;
  resources?: string[];
  status: DeviceStatus;
  userId: string | null;
  interval: number;
  lastPolledAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}
export interface MemoryConsent {
  userId: string;
  applicationId: number;
  scope: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The columns every issuance inserts tokens from (as the database store's `go` CTE). */
interface Source {
  applicationId: number;
  userId: string | null;
  accessScope: string;
  refreshScope: string;
  /** The grant's resources (the refresh token keeps them); the access token's audience is StoredTokens.audience or these. */
  resources: string[];
  familyId: string | null;
  authorizationCodeId: number | null;
  authTime: Date | null;
  nonce: string | null;
}

const covers = (have: string, requested: string) => {
  const set = new Set(have.split(' '));
  return requested.split(' ').every((s) => set.has(s));
};

/** The SQL's policyRefusal: a scope outside the allowed ones under 'refuse', or none inside them. */
const policyRefused = (scope: string, policy: ScopePolicyCheck | null | undefined) => {
  if (!policy) return false;
  const list = scope.split(' ').filter(Boolean);
  const outside = list.some((s) => !policy.allowed.includes(s));
  return outside && (policy.refuse || !list.some((s) => policy.allowed.includes(s)));
};

export class MemoryTokenStore implements TokenStore {
  readonly users = new Map<string, MemoryUser>();
  readonly apps = new Map<number, MemoryApp>();
  readonly codes: MemoryCode[] = [];
  readonly access: MemoryAccessToken[] = [];
  readonly refresh: MemoryRefreshToken[] = [];
  readonly devices: MemoryDeviceCode[] = [];
  readonly consents: MemoryConsent[] = [];
  /** The store's clock (the database's now()), in milliseconds. */
  now: () => number = () => Date.now();
  private nextId = 1;

  // --- seeding (tests) -------------------------------------------------------------------------------

  addUser(over: Partial<MemoryUser> = {}): MemoryUser {
    const id = over.id ?? crypto.randomUUID();
    const u: MemoryUser = { id, username: `user_${id.slice(0, 8)}`, email: 'user@example.com', isActive: true, ...over };
    this.users.set(id, u);
    return u;
  }

  addApp(over: Partial<MemoryApp> = {}): MemoryApp {
    const id = over.id ?? this.nextId++;
    const a: MemoryApp = { id, clientId: `client-${id}`, name: `App ${id}`, allowedOrigins: [], ownerId: null, ...over };
    this.apps.set(id, a);
    return a;
  }

  /** A remembered consent, as the consent page or the device page stores it. */
  addConsent(over: Partial<MemoryConsent> & { applicationId: number; userId: string }): MemoryConsent {
    const c: MemoryConsent = { scope: 'read', createdAt: new Date(this.now()), lastUsedAt: null, ...over };
    this.consents.push(c);
    return c;
  }

  /** An authorization code as the authorization endpoint stores it; returns its value. */
  addCode(over: Partial<MemoryCode> & { applicationId: number; userId: string }, value = randomToken()): { code: string; row: MemoryCode } {
    const now = this.now();
    const row: MemoryCode = {
      id: this.nextId++,
      codeHash: sha256b64url(value),
      redirectUri: 'https://client.example/cb',
      redirectUriSent: true,
      scope: 'read',
      codeChallenge: null,
      codeChallengeMethod: null,
      nonce: null,
      authTime: new Date(now),
      expiresAt: new Date(now + 60_000),
      consumedAt: null,
      createdAt: new Date(now),
      ...over,
    };
    this.codes.push(row);
    return { code: value, row };
  }

  /** A device code in the given state; returns its value. */
  addDeviceCode(over: Partial<MemoryDeviceCode> & { applicationId: number }, value = randomToken()): { deviceCode: string; row: MemoryDeviceCode } {
    const now = this.now();
    const row: MemoryDeviceCode = {
      id: this.nextId++,
      deviceCodeHash: sha256b64url(value),
      scope: 'read',
      status: 'pending',
      userId: null,
      interval: 5,
      lastPolledAt: null,
      expiresAt: new Date(now + 600_000),
      createdAt: new Date(now),
      ...over,
    };
    this.devices.push(row);
    return { deviceCode: value, row };
  }

  accessByHash = (hash: string) => this.access.find((t) => t.tokenHash === hash);
  refreshByHash = (hash: string) => this.refresh.find((t) => t.tokenHash === hash);

  // --- the contract ------------------------------------------------------------------------------

  private userOf(id: string | null): TokenUser | null {
    const u = id ? this.users.get(id) : undefined;
    return u ? { id: u.id, username: u.username, email: u.email } : null;
  }

  private suspended(applicationId: number): boolean {
    const owner = this.apps.get(applicationId)?.ownerId;
    const u = owner ? this.users.get(owner) : undefined;
    return u ? !u.isActive : false;
  }

  private issueRefusal(applicationId: number, userId: string | null, scope: string, idTokenUnavailable: boolean): IssueRefusal | null {
    if (userId !== null && !this.users.get(userId)?.isActive) return 'user_inactive';
    if (this.suspended(applicationId)) return 'client_suspended';
    if (userId !== null && idTokenUnavailable && scope.split(' ').includes('openid')) return 'id_token_unavailable';
    return null;
  }

  private insert(from: Source, t: StoredTokens, grantType: string): void {
    const now = new Date(this.now());
    const consent = this.consents.find((c) => c.userId === from.userId && c.applicationId === from.applicationId);
    const every = env().limits.authorizationUsedEverySeconds * 1000;
    if (consent && (!consent.lastUsedAt || consent.lastUsedAt.getTime() <= now.getTime() - every)) consent.lastUsedAt = now;
    this.access.push({
      id: this.nextId++,
      tokenHash: t.accessHash,
      applicationId: from.applicationId,
      userId: from.userId,
      scope: within(from.accessScope, t.scopeWithin),
      audience: t.audience ?? from.resources,
      familyId: from.familyId,
      authorizationCodeId: from.authorizationCodeId,
      grantType,
      expiresAt: t.accessExpiresAt,
      revokedAt: null,
      createdAt: now,
    });
    if (!t.refreshHash) return;
    this.refresh.push({
      id: this.nextId++,
      tokenHash: t.refreshHash,
      applicationId: from.applicationId,
      userId: from.userId,
      scope: from.refreshScope,
      resources: from.resources,
      familyId: from.familyId!,
      authorizationCodeId: from.authorizationCodeId,
      authTime: from.authTime,
      nonce: from.nonce,
      expiresAt: t.refreshExpiresAt,
      rotatedAt: null,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: now,
    });
  }

  async redeemAuthorizationCode(r: CodeRedemption): Promise<CodeRedemptionResult> {
    const now = this.now();
    const c = this.codes.find((x) => x.codeHash === r.codeHash);
    if (!c) return { ok: false, reason: 'unknown', replayed: null };
    const binding = this.bindingRefusal(c, r);
    if (c.applicationId !== r.applicationId) return { ok: false, reason: 'other_client', replayed: null };
    if (c.consumedAt) return { ok: false, reason: 'used', replayed: binding === null ? { codeId: c.id, userId: c.userId } : null };
    const resources = resourcesOf(c.resources, r.tokens);
    // RFC 8707 §2: only a wrong resource on a live, well-bound code leaves it unspent (as the SQL's `retry`).
    if (binding === null && c.expiresAt.getTime() > now && targetRefusal(resources, r.tokens)) return { ok: false, reason: 'invalid_target', replayed: null };
    c.consumedAt = new Date(now);
    const refusal =
      c.expiresAt.getTime() <= now ? 'expired' : (binding ?? targetRefusal(resources, r.tokens) ?? this.issueRefusal(c.applicationId, c.userId, c.scope, r.idTokenUnavailable));
    if (refusal) return { ok: false, reason: refusal, replayed: null };
    const source = { applicationId: c.applicationId, userId: c.userId, accessScope: c.scope, refreshScope: c.scope, resources };
    this.insert({ ...source, familyId: r.tokens.familyId, authorizationCodeId: c.id, authTime: c.authTime, nonce: c.nonce }, r.tokens, 'authorization_code');
    const code = { id: c.id, userId: c.userId, scope: within(c.scope, r.tokens.scopeWithin), audience: r.tokens.audience ?? resources, nonce: c.nonce, authTime: c.authTime };
    return { ok: true, code, user: this.userOf(c.userId)! };
  }

  private bindingRefusal(c: MemoryCode, r: CodeRedemption) {
    const redirectOk = c.redirectUriSent ? r.redirectUri === c.redirectUri : r.redirectUri === null || r.redirectUri === c.redirectUri;
    if (!redirectOk) return 'redirect_uri_mismatch' as const;
    if (c.codeChallenge === null) return r.verifier ? ('verifier_unexpected' as const) : null;
    if (!r.verifier) return 'verifier_missing' as const;
    const presented = c.codeChallengeMethod === 'plain' ? r.verifier.plain : r.verifier.s256;
    return presented === c.codeChallenge ? null : ('verifier_mismatch' as const);
  }

  async issueTokens(i: TokenIssue): Promise<IssueResult> {
    if (!this.apps.has(i.applicationId)) return { ok: false, reason: 'client_unknown' };
    const refusal = this.issueRefusal(i.applicationId, i.userId, i.scope, i.idTokenUnavailable);
    if (refusal) return { ok: false, reason: refusal };
    const source = { applicationId: i.applicationId, userId: i.userId, accessScope: i.scope, refreshScope: i.scope, resources: resourcesOf(i.tokens.audience ?? [], i.tokens) };
    this.insert({ ...source, familyId: i.tokens.familyId, authorizationCodeId: null, authTime: i.authTime, nonce: null }, i.tokens, i.grantType);
    return { ok: true, user: this.userOf(i.userId) };
  }

  async rotateRefreshToken(r: RefreshRotation): Promise<RotationResult> {
    const now = this.now();
    const t = this.refreshByHash(r.tokenHash);
    if (!t) return { ok: false, reason: 'unknown', used: null };
    const family = this.refresh.filter((f) => f.familyId === t.familyId);
    const familyRevoked = family.some((f) => f.revokedAt !== null);
    const newerRotated = family.some((f) => f.id > t.id && f.rotatedAt !== null);
    const ago = t.rotatedAt ? (now - t.rotatedAt.getTime()) / 1000 : null;
    const inGrace = ago !== null && r.graceSeconds > 0 && ago <= r.graceSeconds && !familyRevoked && !newerRotated;
    let refusal: RotationRefusal | null;
    if (t.applicationId !== r.applicationId) refusal = 'other_client';
    else if (t.revokedAt) refusal = 'revoked';
    else if (t.rotatedAt && !inGrace) refusal = 'used';
    else if (t.expiresAt && t.expiresAt.getTime() <= now) refusal = 'expired';
    else if (familyRevoked) refusal = 'revoked';
    else if (targetRefusal(resourcesOf(t.resources, r.tokens), r.tokens)) refusal = 'invalid_target';
    else if (r.scope !== null && !covers(t.scope, r.scope)) refusal = 'scope_widened';
    else if (policyRefused(r.scope ?? t.scope, r.scopePolicy)) refusal = 'scope_refused';
    else refusal = this.issueRefusal(t.applicationId, t.userId, r.scope ?? t.scope, r.idTokenUnavailable);
    if (refusal) {
      const used = refusal === 'used' ? { familyId: t.familyId, userId: t.userId, rotatedSecondsAgo: ago ?? 0, concurrent: false } : null;
      return { ok: false, reason: refusal, used };
    }
    const viaGrace = t.rotatedAt !== null;
    if (!viaGrace) t.rotatedAt = t.lastUsedAt = new Date(now);
    for (const a of this.access) if (a.familyId === t.familyId && !a.revokedAt) a.revokedAt = new Date(now);
    const scope = r.scope ?? t.scope;
    const resources = resourcesOf(t.resources, r.tokens);
    const source = { applicationId: t.applicationId, userId: t.userId, accessScope: scope, refreshScope: t.scope, familyId: t.familyId, resources };
    this.insert({ ...source, authorizationCodeId: t.authorizationCodeId, authTime: t.authTime, nonce: null }, r.tokens, 'refresh_token');
    const rotated = { userId: t.userId, scope: within(scope, r.tokens.scopeWithin), audience: r.tokens.audience ?? resources, familyId: t.familyId, authTime: t.authTime, viaGrace };
    return { ok: true, rotated, user: this.userOf(t.userId) };
  }

  async pollDeviceCode(deviceCodeHash: string, applicationId: number): Promise<PolledDeviceCode | null> {
    const now = this.now();
    const d = this.devices.find((x) => x.deviceCodeHash === deviceCodeHash && x.applicationId === applicationId);
    if (!d) return null;
    const expired = d.expiresAt.getTime() <= now;
    const tooFast = d.status === 'pending' && !expired && d.lastPolledAt !== null && now < d.lastPolledAt.getTime() + d.interval * 1000;
    d.lastPolledAt = new Date(now);
    if (tooFast) d.interval += 5;
    const user = d.userId ? this.users.get(d.userId) : undefined;
    return { id: d.id, status: d.status, userId: d.userId, scope: d.scope, interval: d.interval, expired, tooFast, userActive: user ? user.isActive : null };
  }

  async redeemDeviceCode(r: DeviceCodeRedemption): Promise<DeviceCodeRedemptionResult> {
    const d = this.devices.find((x) => x.id === r.id && x.applicationId === r.applicationId);
    if (!d) return { ok: false, reason: 'used' };
    const issue = this.issueRefusal(d.applicationId, d.userId, d.scope, r.idTokenUnavailable);
    const refusal =
      issue === 'user_inactive'
        ? issue
        : d.status !== 'approved' || !d.userId
          ? 'used'
          : d.expiresAt.getTime() <= this.now()
            ? 'expired'
            : (targetRefusal(resourcesOf(d.resources, r.tokens), r.tokens) ?? (policyRefused(d.scope, r.scopePolicy) ? 'scope_refused' : issue));
    if (refusal) return { ok: false, reason: refusal };
    d.status = 'consumed';
    const resources = resourcesOf(d.resources, r.tokens);
    const source = { applicationId: d.applicationId, userId: d.userId, accessScope: d.scope, refreshScope: d.scope, resources };
    this.insert({ ...source, familyId: r.tokens.familyId, authorizationCodeId: null, authTime: null, nonce: null }, r.tokens, GRANT_DEVICE_CODE);
    return { ok: true, userId: d.userId!, scope: within(d.scope, r.tokens.scopeWithin), audience: r.tokens.audience ?? resources, user: this.userOf(d.userId)! };
  }

  async findToken(tokenHash: string, kinds: TokenKinds): Promise<FoundToken | null> {
    const a = this.accessByHash(tokenHash);
    const r = a || kinds === 'access' ? undefined : this.refreshByHash(tokenHash);
    const t = a ?? r;
    if (!t) return null;
    const app = this.apps.get(t.applicationId)!;
    const user = t.userId ? this.users.get(t.userId) : undefined;
    return {
      kind: a ? 'access' : 'refresh',
      id: t.id,
      applicationId: t.applicationId,
      clientId: app.clientId,
      allowedOrigins: app.allowedOrigins,
      userId: t.userId,
      username: user?.username ?? null,
      email: user?.email ?? null,
      userActive: user ? user.isActive : null,
      clientSuspended: this.suspended(t.applicationId),
      scope: t.scope,
      audience: a ? a.audience : (r?.resources ?? []),
      grantType: a ? a.grantType : null,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
      revokedAt: t.revokedAt ?? this.familyRevokedAt(t.familyId),
      usedAt: r ? r.rotatedAt : null,
    };
  }

  /** When the family was revoked (the revocation time of one of its revoked refresh tokens), as the database store's findToken reads it; null if it was not. */
  private familyRevokedAt(familyId: string | null): Date | null {
    if (familyId === null) return null;
    return this.refresh.find((x) => x.familyId === familyId && x.revokedAt)?.revokedAt ?? null;
  }

  /** Revokes the matching tokens not yet revoked: counts of revoked ones, and of those that were active. */
  private revoke(access: (t: MemoryAccessToken) => boolean, refresh: (t: MemoryRefreshToken) => boolean) {
    const now = this.now();
    const out = { accessTokens: 0, refreshTokens: 0, liveAccess: 0, liveRefresh: 0 };
    for (const t of this.access) {
      if (t.revokedAt || !access(t)) continue;
      if (tokenState({ revokedAt: null, usedAt: null, expiresAt: t.expiresAt }, now) === 'active') out.liveAccess++;
      t.revokedAt = new Date(now);
      out.accessTokens++;
    }
    for (const t of this.refresh) {
      if (t.revokedAt || !refresh(t)) continue;
      if (tokenState({ revokedAt: null, usedAt: t.rotatedAt, expiresAt: t.expiresAt }, now) === 'active') out.liveRefresh++;
      t.revokedAt = new Date(now);
      out.refreshTokens++;
    }
    return out;
  }

  async revokeToken(tokenHash: string, applicationId: number) {
    const at = this.access.find((t) => t.tokenHash === tokenHash && t.applicationId === applicationId);
    const rt = this.refresh.find((t) => t.tokenHash === tokenHash && t.applicationId === applicationId);
    if (!at && !rt) return null;
    const n = this.revoke(
      (t) => t === at || (!!rt && t.familyId === rt.familyId),
      (t) => !!rt && t.familyId === rt.familyId,
    );
    return { kind: at ? ('access' as const) : ('refresh' as const), userId: (at ?? rt)!.userId, accessTokens: n.accessTokens, refreshTokens: n.refreshTokens };
  }

  async replaceAccessToken(oldHash: string, newHash: string, expiresAt: Date): Promise<boolean> {
    const a = this.accessByHash(oldHash);
    if (!a) return false;
    Object.assign(a, { tokenHash: newHash, expiresAt });
    return true;
  }

  async revokeFamily(familyId: string): Promise<RevokedTokens> {
    const n = this.revoke(
      (t) => t.familyId === familyId,
      (t) => t.familyId === familyId,
    );
    return { accessTokens: n.accessTokens, refreshTokens: n.refreshTokens };
  }

  async revokeByAuthorizationCode(codeId: number): Promise<RevokedTokens> {
    const n = this.revoke(
      (t) => t.authorizationCodeId === codeId,
      (t) => t.authorizationCodeId === codeId,
    );
    return { accessTokens: n.accessTokens, refreshTokens: n.refreshTokens };
  }

  async revokeAuthorization(userId: string, applicationId: number): Promise<RevokedAuthorization> {
    const now = this.now();
    const mine = (t: { userId: string | null; applicationId: number }) => t.userId === userId && t.applicationId === applicationId;
    const i = this.consents.findIndex(mine);
    const consent = i >= 0;
    if (consent) this.consents.splice(i, 1);
    const n = this.revoke(mine, mine);
    let codes = 0;
    for (const c of this.codes) {
      if (!mine(c) || tokenState({ revokedAt: null, usedAt: c.consumedAt, expiresAt: c.expiresAt }, now) !== 'active') continue;
      c.consumedAt = new Date(now);
      codes++;
    }
    let deviceCodes = 0;
    for (const d of this.devices) {
      if (!mine(d) || (d.status !== 'pending' && d.status !== 'approved')) continue;
      d.status = 'denied';
      deviceCodes++;
    }
    return { consent, accessTokens: n.liveAccess, refreshTokens: n.liveRefresh, codes, deviceCodes };
  }

  async revokeByIds(kind: TokenKind, ids: number[]): Promise<number> {
    const selected = new Set(ids);
    if (kind === 'code') {
      let n = 0;
      for (const c of this.codes) {
        if (!selected.has(c.id) || c.consumedAt) continue;
        c.consumedAt = new Date(this.now());
        n++;
      }
      return n;
    }
    if (kind === 'access') return this.revoke((t) => selected.has(t.id), () => false).accessTokens;
    const families = new Set(this.refresh.filter((t) => selected.has(t.id) && !t.revokedAt).map((t) => t.familyId));
    return this.revoke(
      (t) => t.familyId !== null && families.has(t.familyId),
      (t) => selected.has(t.id),
    ).refreshTokens;
  }

  async listTokens(q: TokenListQuery): Promise<{ rows: TokenListRow[]; next: string | null }> {
    const now = this.now();
    const rows: TokenListRow[] = [];
    const base = (t: { id: number; applicationId: number; userId: string | null; scope: string; createdAt: Date }) => ({
      id: t.id,
      kind: q.kind,
      applicationId: t.applicationId,
      applicationName: this.apps.get(t.applicationId)?.name ?? '',
      userId: t.userId,
      username: t.userId ? (this.users.get(t.userId)?.username ?? null) : null,
      scope: t.scope,
      createdAt: t.createdAt,
    });
    if (q.kind === 'access') {
      for (const t of this.access) {
        const state = tokenState({ revokedAt: t.revokedAt, usedAt: null, expiresAt: t.expiresAt }, now);
        rows.push({ ...base(t), grantType: t.grantType, expiresAt: t.expiresAt, endedAt: t.revokedAt, state, lastUsedAt: null });
      }
    } else if (q.kind === 'refresh') {
      for (const t of this.refresh) {
        const state = tokenState({ revokedAt: t.revokedAt, usedAt: t.rotatedAt, expiresAt: t.expiresAt }, now);
        rows.push({ ...base(t), grantType: null, expiresAt: t.expiresAt, endedAt: t.revokedAt ?? t.rotatedAt, state, lastUsedAt: t.lastUsedAt });
      }
    } else {
      for (const t of this.codes) {
        const state = tokenState({ revokedAt: null, usedAt: t.consumedAt, expiresAt: t.expiresAt }, now);
        rows.push({ ...base(t), grantType: 'authorization_code', expiresAt: t.expiresAt, endedAt: t.consumedAt, state, lastUsedAt: null });
      }
    }
    const matching = rows
      .filter((r) => (!q.applicationId || r.applicationId === q.applicationId) && (!q.userId || r.userId === q.userId))
      .filter((r) => (!q.state || r.state === q.state) && (!q.after || r.id < q.after))
      .sort((a, b) => b.id - a.id);
    const shown = matching.slice(0, q.limit);
    return { rows: shown, next: matching.length > q.limit ? String(shown[shown.length - 1].id) : null };
  }

  async listAuthorizedApps(userId: string): Promise<AuthorizedApp[]> {
    const now = this.now();
    const later = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b);
    const out = new Map<number, AuthorizedApp & { firstAt: Date | null }>();
    const entry = (applicationId: number) => {
      let e = out.get(applicationId);
      if (!e) {
        const app = this.apps.get(applicationId)!;
        const owner = app.ownerId ? this.users.get(app.ownerId) : undefined;
        e = { applicationId, name: app.name, ownerUsername: owner?.username ?? null, scopes: [], grantedAt: null, lastUsedAt: null, expiresAt: null, neverExpires: false, liveTokens: 0, firstAt: null };
        out.set(applicationId, e);
      }
      return e;
    };
    const addScopes = (e: AuthorizedApp, scope: string) => {
      for (const s of scope.split(' ')) if (s && !e.scopes.includes(s)) e.scopes.push(s);
    };
    for (const c of this.consents.filter((x) => x.userId === userId)) {
      const e = entry(c.applicationId);
      addScopes(e, c.scope);
      e.grantedAt = c.createdAt;
      e.lastUsedAt = c.lastUsedAt;
    }
    for (const t of this.access.filter((x) => x.userId === userId && tokenState({ revokedAt: x.revokedAt, usedAt: null, expiresAt: x.expiresAt }, now) === 'active')) {
      const e = entry(t.applicationId);
      addScopes(e, t.scope);
      e.firstAt = e.firstAt && e.firstAt < t.createdAt ? e.firstAt : t.createdAt;
      e.lastUsedAt = later(e.lastUsedAt, t.createdAt);
      e.expiresAt = later(e.expiresAt, t.expiresAt);
      e.liveTokens++;
    }
    for (const t of this.refresh.filter((x) => x.userId === userId && tokenState({ revokedAt: x.revokedAt, usedAt: x.rotatedAt, expiresAt: x.expiresAt }, now) === 'active')) {
      const e = entry(t.applicationId);
      addScopes(e, t.scope);
      e.firstAt = e.firstAt && e.firstAt < t.createdAt ? e.firstAt : t.createdAt;
      e.lastUsedAt = later(e.lastUsedAt, t.lastUsedAt ?? t.createdAt);
      if (t.expiresAt === null) e.neverExpires = true;
      else e.expiresAt = later(e.expiresAt, t.expiresAt);
      e.liveTokens++;
    }
    return [...out.values()]
      .map(({ firstAt, ...e }) => ({ ...e, grantedAt: e.grantedAt ?? firstAt, expiresAt: e.neverExpires ? null : e.expiresAt }))
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.applicationId - b.applicationId);
  }
}

/** A grant's stored resources; empty stands for the default resource (as the database store's resourcesOf). */
function resourcesOf(stored: string[] | undefined, t: StoredTokens): string[] {
  return stored && stored.length ? stored : [t.defaultResource];
}

/** RFC 8707 §2.2: a token request may name only resources the grant was for. */
function targetRefusal(resources: string[], t: StoredTokens): 'invalid_target' | null {
  return t.audience && t.audience.some((x) => !resources.includes(x)) ? 'invalid_target' : null;
}

/** `scope` narrowed to `list` (null: unchanged), in its order. */
function within(scope: string, list: string[] | null): string {
  return list === null ? scope : scope.split(' ').filter((s) => list.includes(s)).join(' ');
}
