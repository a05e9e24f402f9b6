// The token store: every read and write of authorization codes, access tokens, refresh tokens and
// device codes that the protocol makes, behind one interface with its rules written on each method
// (the pattern of fosite's handler/oauth2/storage.go and node-oidc-provider's adapter). The grants
// receive it in their context (grants/types.ts), so each can be tested against an in-memory fake
// (test/helpers/memory-token-store.ts); production always uses the database implementation,
// `databaseTokenStore` (lib/db/queries/token-store.ts), the only one with SQL.
//
// Rules every implementation keeps:
//  - Values are never stored: the store receives and looks up SHA-256 hashes (base64url) only.
//  - Every operation that changes state is atomic (one SQL statement in the database store): of N
//    concurrent redemptions of one code or rotations of one refresh token exactly one wins.
//  - Every check that can refuse an issuance (the code's bindings, the user deactivated, the
//    client suspended, an ID token that cannot be signed) is decided in the same operation that
//    would store the tokens, so a refusal never leaves a token stored (issue 13; fosite uses a
//    transaction for the same reason). A refusal says which condition failed, so the caller words
//    its error from it without reading or checking again.
//  - Token state (tokenState below) has one definition; the database store's SQL form of it is
//    lib/db/queries/token-state.ts, and a contract test keeps the two equal.

// --- token state ------------------------------------------------------------------------------------

/** What a token or authorization code can be on the server, decided by tokenState. */
export const TOKEN_STATES = ['active', 'expired', 'revoked', 'used'] as const;
export type TokenState = (typeof TOKEN_STATES)[number];

/** The kinds of stored credential the store lists and revokes. */
export const TOKEN_KINDS = ['access', 'refresh', 'code'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** The timestamps a state is decided from. */
export interface StateFields {
  /** Set by revocation (RFC 7009, reuse detection, deactivation); codes have none (null). */
  revokedAt: Date | null;
  /** A refresh token's rotation, an authorization code's redemption; null for access tokens. */
  usedAt: Date | null;
  /** Null: never expires (a refresh token when REFRESH_TOKEN_EXPIRE_SECONDS is unset). */
  expiresAt: Date | null;
}

/**
 * The one definition of a token's state, in order of precedence: `revoked` (revoked_at set),
 * `used` (a rotated refresh token, a redeemed or voided authorization code, RFC 6749 §4.1.2 and
 * §6), `expired` (expires_at at or before `now`), else `active`. Only an `active` token or code may
 * be used. lib/db/queries/token-state.ts is the same definition in SQL.
 *
 * @param now milliseconds since the epoch (default: the current time)
 */
export function tokenState(t: StateFields, now: number = Date.now()): TokenState {
  if (t.revokedAt) return 'revoked';
  if (t.usedAt) return 'used';
  if (t.expiresAt !== null && t.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

// --- what an issuance stores ------------------------------------------------------------------------

/** The tokens one issuance stores: hashes and expiry times only (lib/oauth/tokens.ts newTokens makes them). */
export interface StoredTokens {
  /** SHA-256 (base64url) of the new access token. */
  accessHash: string;
  /** SHA-256 of the new refresh token; null when none is issued. */
  refreshHash: string | null;
  /** The new refresh family (a UUID); null without a refresh token. Rotation ignores it: the new tokens continue the presented token's family. */
  familyId: string | null;
  accessExpiresAt: Date;
  /** Null: the refresh token never expires (REFRESH_TOKEN_EXPIRE_SECONDS unset). */
  refreshExpiresAt: Date | null;
  /**
   * RFC 8707: the resource identifiers the access token is for (its `aud`). Null: all the grant's
   * resources (the code's, refresh token's or device code's). When given for a grant that has
   * resources, each must be one of them, else the store refuses `invalid_target` (RFC 8707 §2.2).
   * For grants without (client_credentials, password) it is required and is also the new refresh
   * token's resources. A grant's stored empty list means the default resource, `defaultResource`.
   */
  audience: string[] | null;
  /**
   * RFC 8707 §2.2: the access token gets only those of the grant's scopes that are in this list
   * (the requested resources' scopes and OIDC's); null: all of them. The refresh token keeps the
   * grant's scope and resources.
   */
  scopeWithin: string[] | null;
  /** The default resource's identifier: what a stored empty resource list stands for. */
  defaultResource: string;
}

/** The resource owner as the ID token and UserInfo need them (OIDC Core §5.1: sub, preferred_username, email). */
export interface TokenUser {
  id: string;
  username: string;
  email: string;
}

/**
 * Refusals any issuance can answer:
 *  - `user_inactive`: the resource owner was deactivated (RFC 6749 §5.2 invalid_grant);
 *  - `client_suspended`: the client's owner was deactivated (lib/db/queries/clients.ts);
 *  - `id_token_unavailable`: the caller said no ID token can be signed for this client and the
 *    scope to issue includes `openid` (OIDC Core §3.1.3.3 needs one): refused before storing.
 */
export type IssueRefusal = 'user_inactive' | 'client_suspended' | 'id_token_unavailable';

/** RFC 8707 §2.2: the token request named a resource the grant was not for (not spent). */
export type TargetRefusal = 'invalid_target';

// --- authorization codes (RFC 6749 §4.1.3, RFC 7636 §4.6) ---------------------------------------------

export interface CodeRedemption {
  /** SHA-256 of the presented `code`. */
  codeHash: string;
  /** The authenticated client: a code is bound to the client it was issued to. */
  applicationId: number;
  /** The `redirect_uri` parameter, or null when the request has none. */
  redirectUri: string | null;
  /**
   * The `code_verifier`: null when the request has none; otherwise the value itself (compared with a
   * `plain` challenge) and its S256 transform (RFC 7636 §4.6), both null when it is malformed (§4.1:
   * 43–128 unreserved characters), which matches no challenge.
   */
  verifier: { plain: string | null; s256: string | null } | null;
  tokens: StoredTokens;
  /** True when the client has an ID token algorithm but no ID token can be signed now. */
  idTokenUnavailable: boolean;
}

/**
 * Why a redemption was refused, in the order checked:
 *  - `unknown` (no such code), `other_client` (RFC 6749 §4.1.3 "issued to another client": not
 *    spent), `invalid_target` for a live code with the right redirect_uri and verifier (RFC 8707
 *    §2.2, a resource the code was not for: not spent, the client may retry), `used` (already
 *    redeemed or voided, or a concurrent redemption won);
 *  then, for a code this redemption spent: `expired`, `redirect_uri_mismatch` (§4.1.3: missing when
 *  it was sent at authorize, or different), `verifier_missing` (a challenge and no verifier),
 *  `verifier_mismatch` (RFC 7636 §4.6, a malformed verifier included), `verifier_unexpected` (a
 *  verifier and no challenge: a PKCE downgrade), then the IssueRefusal reasons.
 */
export type CodeRefusal =
  | 'unknown'
  | 'other_client'
  | 'used'
  | 'expired'
  | 'redirect_uri_mismatch'
  | 'verifier_missing'
  | 'verifier_mismatch'
  | 'verifier_unexpected'
  | TargetRefusal
  | IssueRefusal;

/** The redeemed code: what the tokens were issued for. */
export interface RedeemedCode {
  id: number;
  userId: string;
  /** The access token's scope (the code's, within `scopeWithin`). */
  scope: string;
  /** The access token's audience (RFC 8707). */
  audience: string[];
  nonce: string | null;
  authTime: Date;
}

export type CodeRedemptionResult =
  | { ok: true; code: RedeemedCode; user: TokenUser }
  | {
      ok: false;
      reason: CodeRefusal;
      /**
       * Set when `reason` is `used` and the request is otherwise this client's valid redemption
       * (redirect_uri and code_verifier match): a replay, whose tokens RFC 6749 §4.1.2 says to
       * revoke (revokeByAuthorizationCode). Null for anything else, so another client or a wrong
       * verifier cannot revoke someone's tokens.
       */
      replayed: { codeId: number; userId: string } | null;
    };

// --- other issuances (RFC 6749 §4.3, §4.4) -----------------------------------------------------------

export interface TokenIssue {
  applicationId: number;
  /** The resource owner; null for client_credentials (the client acts for itself). */
  userId: string | null;
  scope: string;
  grantType: string;
  tokens: StoredTokens;
  authTime: Date | null;
  idTokenUnavailable: boolean;
}

export type IssueResult =
  | { ok: true; user: TokenUser | null }
  | { ok: false; reason: IssueRefusal | 'client_unknown' };

// --- refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2) ----------------------------------------------------

export interface RefreshRotation {
  /** SHA-256 of the presented `refresh_token`. */
  tokenHash: string;
  applicationId: number;
  /** §6 `scope`: the new access token's scope, which must be covered by the refresh token's; null: the same scope. */
  scope: string | null;
  /** The new access and refresh token (refreshHash required); they continue the presented token's family. */
  tokens: StoredTokens;
  /** REFRESH_TOKEN_GRACE_PERIOD_SECONDS: how long a rotated token may still be exchanged (0: never). */
  graceSeconds: number;
  idTokenUnavailable: boolean;
  /** The client's allowed scopes now (scopePolicyCheck in lib/oauth/grants/scope-policy.ts); null: all. */
  scopePolicy?: ScopePolicyCheck | null;
}

/**
 * The client's allowed scopes as they are now, checked again when a grant issued earlier is used
 * (a refresh, a device code poll): the owner may have narrowed them since. `allowed` includes the
 * OIDC scopes (always allowed). With `refuse`, a scope outside them refuses the issuance
 * (`scope_refused`, not spent); otherwise the access token loses those scopes (the caller narrows
 * StoredTokens.scopeWithin), and only a scope with nothing allowed left is `scope_refused`.
 */
export interface ScopePolicyCheck {
  allowed: string[];
  refuse: boolean;
}

/**
 * Why a rotation was refused, in the order checked: `unknown`, `other_client` (§6: "bound to the
 * client to which it was issued"; not spent), `revoked` (the token, or any token of its family:
 * DOT #1816), `used` (rotated before and not within the grace period, or a concurrent rotation
 * won), `expired`, `scope_widened` (§6: "MUST NOT include any scope not originally granted"; the
 * token is not spent), `scope_refused` (the client may no longer have a scope: ScopePolicyCheck; not
 * spent), then the IssueRefusal reasons.
 */
export type RotationRefusal = 'unknown' | 'other_client' | 'revoked' | 'used' | 'expired' | TargetRefusal | 'scope_widened' | 'scope_refused' | IssueRefusal;

export interface RotatedRefreshToken {
  userId: string | null;
  /** The scope of the new access token (the requested one, else the refresh token's, within `scopeWithin`). */
  scope: string;
  /** The new access token's audience (RFC 8707). */
  audience: string[];
  familyId: string;
  authTime: Date | null;
  /** True when the presented token had been rotated already and was accepted within the grace period. */
  viaGrace: boolean;
}

export type RotationResult =
  | { ok: true; rotated: RotatedRefreshToken; user: TokenUser | null }
  | {
      ok: false;
      reason: RotationRefusal;
      /**
       * Set when `reason` is `used`: the family, its user, how long ago the presented token was
       * rotated, and whether it was rotated concurrently with this request (it looked current when
       * this operation began). The caller decides whether this is reuse (RFC 9700 §4.14.2).
       */
      used: { familyId: string; userId: string | null; rotatedSecondsAgo: number; concurrent: boolean } | null;
    };

// --- device codes (RFC 8628 §3.4–3.5) ------------------------------------------------------------------

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface PolledDeviceCode {
  id: number;
  status: DeviceStatus;
  userId: string | null;
  scope: string;
  /** The interval now in force (already raised by 5 s when this poll came too early). */
  interval: number;
  expired: boolean;
  /** This poll came before `interval` seconds had passed since the previous one. */
  tooFast: boolean;
  /** Whether the user who entered the code is active; null while nobody has entered it. */
  userActive: boolean | null;
}

export interface DeviceCodeRedemption {
  /** The polled code's id (PolledDeviceCode.id). */
  id: number;
  applicationId: number;
  tokens: StoredTokens;
  idTokenUnavailable: boolean;
  /** As RefreshRotation.scopePolicy: a code approved before the owner narrowed the allowed scopes. */
  scopePolicy?: ScopePolicyCheck | null;
}

export type DeviceCodeRedemptionResult =
  | { ok: true; userId: string; scope: string; audience: string[]; user: TokenUser }
  | { ok: false; reason: 'used' | 'expired' | TargetRefusal | 'scope_refused' | IssueRefusal };

// --- finding a token by hash (RFC 6750, RFC 7662, OIDC Core §5.3) ------------------------------------

/**
 * Where TokenStore.findToken looks, in order: `access` among access tokens only (bearer checks,
 * UserInfo); `access_or_refresh` and `refresh_or_access` among both (introspection, in the order
 * RFC 7662 §2.1's token_type_hint suggests; a value is never in both).
 */
export type TokenKinds = 'access' | 'access_or_refresh' | 'refresh_or_access';

/** A stored access or refresh token with its client and user, as bearer checks, introspection and UserInfo read it. */
export interface FoundToken {
  kind: 'access' | 'refresh';
  id: number;
  applicationId: number;
  clientId: string;
  allowedOrigins: string[];
  /** Null for client_credentials tokens. */
  userId: string | null;
  username: string | null;
  email: string | null;
  /** Null when the token has no user. */
  userActive: boolean | null;
  /** The client's owner is deactivated: none of its tokens is active. */
  clientSuspended: boolean;
  scope: string;
  /**
   * RFC 8707 / RFC 9068 `aud` of an access token, the resources of a refresh token; an empty list
   * (rows from before resources) is the default resource.
   */
  audience: string[];
  /** The grant that issued an access token; null for refresh tokens. */
  grantType: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** A refresh token's rotation; null for access tokens. */
  usedAt: Date | null;
}

/** Why a found token is not active: its state, its user deactivated, or its client suspended. */
export type InactiveReason = Exclude<TokenState, 'active'> | 'user_inactive' | 'client_suspended';

/**
 * Whether a found token may be used now (RFC 7662 §2.2 `active`; RFC 6750 §3.1 invalid_token
 * otherwise): its state (tokenState) is active, its user (if any) is active and its client is not
 * suspended. Returns null when it may, else the first reason it may not.
 */
export function inactiveReason(t: FoundToken, now: number = Date.now()): InactiveReason | null {
  const state = tokenState(t, now);
  if (state !== 'active') return state;
  if (t.userId !== null && t.userActive !== true) return 'user_inactive';
  if (t.clientSuspended) return 'client_suspended';
  return null;
}

// --- revocation and lists --------------------------------------------------------------------------

/** Tokens newly revoked by one operation (already revoked ones are not counted). */
export interface RevokedTokens {
  accessTokens: number;
  refreshTokens: number;
}

export interface RevokedAuthorization {
  /** A remembered consent was removed. */
  consent: boolean;
  /** Access and refresh tokens that were active and are now revoked. */
  accessTokens: number;
  refreshTokens: number;
  /** Unused authorization codes voided. */
  codes: number;
  /** Pending or approved device codes denied. */
  deviceCodes: number;
}

/** One stored token or code as the staff's token list shows it: never its hash. */
export interface TokenListRow {
  id: number;
  kind: TokenKind;
  applicationId: number;
  applicationName: string;
  userId: string | null;
  username: string | null;
  scope: string;
  /** Access tokens: the grant that issued it; codes: authorization_code; refresh tokens: null. */
  grantType: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  /** Revoked, rotated or redeemed at. */
  endedAt: Date | null;
  state: TokenState;
  lastUsedAt: Date | null;
}

export interface TokenListQuery {
  kind: TokenKind;
  applicationId?: number;
  userId?: string;
  state?: TokenState;
  /** Keyset cursor: the id of the last row of the previous page. */
  after?: number;
  limit: number;
}

/** An application a user has authorized (/o/authorized_tokens/): their consent ∪ their active tokens. */
export interface AuthorizedApp {
  applicationId: number;
  name: string;
  ownerUsername: string | null;
  /** Consented scopes ∪ scopes of active tokens, de-duplicated. */
  scopes: string[];
  /** When the user first approved it (the consent), else when the oldest active token was issued. */
  grantedAt: Date | null;
  /**
   * Latest refresh or token issuance: of the active tokens, or recorded on the consent (to within
   * limits.authorizationUsedEverySeconds), which outlives expired and revoked tokens.
   */
  lastUsedAt: Date | null;
  /** Latest expiry among active tokens; null when none is active or one never expires. */
  expiresAt: Date | null;
  /** An active refresh token without expiry (REFRESH_TOKEN_EXPIRE_SECONDS unset). */
  neverExpires: boolean;
  liveTokens: number;
}

// --- the interface -------------------------------------------------------------------------------------

/**
 * Every read and write of codes and tokens the protocol makes. Every issuance for a user (code,
 * refresh, device code, password) also records the use on that user's consent for the client, in
 * the same statement, at most once per limits.authorizationUsedEverySeconds and never waiting for
 * it (AuthorizedApp.lastUsedAt); nothing else writes on a token's use.
 */
export interface TokenStore {
  /**
   * RFC 6749 §4.1.3 + RFC 7636 §4.6: spends the authorization code and, when everything it is bound
   * to holds, stores `tokens` for it, atomically. The code is spent by any redemption by its own
   * client, refused or not (a failed attempt must not leave it open to guessing a verifier); a
   * redemption by another client spends nothing. Refusals (CodeRefusal) store no token. Of
   * concurrent redemptions of one code exactly one can succeed; the others answer `used`.
   */
  redeemAuthorizationCode(r: CodeRedemption): Promise<CodeRedemptionResult>;

  /**
   * Stores an access token (and refresh token, starting family `tokens.familyId`) for a grant that
   * spends nothing (client_credentials, password), atomically with its checks: refuses when the
   * user is inactive, the client is suspended, or the client no longer exists.
   */
  issueTokens(i: TokenIssue): Promise<IssueResult>;

  /**
   * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): atomically marks the presented refresh token used
   * and stores the new access and refresh token in its family, revoking the family's earlier access
   * tokens. Within `graceSeconds` of its rotation a used token is exchanged again (DOT's grace
   * period) unless its family has a revoked token or a newer token was itself rotated (DOT #1816,
   * #1617). Refusals store nothing and spend nothing; the new refresh token keeps the presented
   * one's scope, the access token gets `scope` (§6 "MUST be identical"). Of concurrent rotations of
   * one token exactly one wins. Reuse is reported (`used`), never acted on: revokeFamily is the caller's.
   */
  rotateRefreshToken(r: RefreshRotation): Promise<RotationResult>;

  /**
   * RFC 8628 §3.5: records a poll of a device code by its client and returns the code's state;
   * null when the hash is unknown or the code is another client's. A poll sooner than the code's
   * interval after the previous one raises the interval by 5 s (slow_down), while it is pending.
   */
  pollDeviceCode(deviceCodeHash: string, applicationId: number): Promise<PolledDeviceCode | null>;

  /**
   * RFC 8628 §3.5: an approved device code becomes consumed and its tokens are stored, atomically,
   * only while it is approved and unexpired, its user active and its client not suspended. Of
   * concurrent polls exactly one gets the tokens; the others answer `used`.
   */
  redeemDeviceCode(r: DeviceCodeRedemption): Promise<DeviceCodeRedemptionResult>;

  /**
   * The token whose hash this is, with its client and user (never cached: a revocation takes effect
   * on the very next request). `kinds` says where to look, in order (TokenKinds). Null when
   * unknown. The caller decides what the state means (tokenState, inactiveReason).
   */
  findToken(tokenHash: string, kinds: TokenKinds): Promise<FoundToken | null>;

  /**
   * RFC 7009 §2.1: revokes the token with this hash if `applicationId` is its client: an access token
   * alone, or a refresh token with its whole family (every access and refresh token descended from
   * the same authorization). Null when the client has no such token (another client's is left
   * alone); an already revoked token is still found, with zero counts.
   */
  revokeToken(tokenHash: string, applicationId: number): Promise<(RevokedTokens & { kind: 'access' | 'refresh'; userId: string | null }) | null>;

  /**
   * A stored access token gets its final value and expiry: a JWT (RFC 9068) signed once the
   * issuance told who it is for, or another lifetime than the one assumed. Only the access token
   * with `oldHash` changes; false when there is none.
   */
  replaceAccessToken(oldHash: string, newHash: string, expiresAt: Date): Promise<boolean>;

  /** RFC 9700 §4.14.2 (refresh token reuse): revokes every access and refresh token of the family. */
  revokeFamily(familyId: string): Promise<RevokedTokens>;

  /** RFC 6749 §4.1.2: revokes every token issued from the authorization code, refreshed ones included. */
  revokeByAuthorizationCode(codeId: number): Promise<RevokedTokens>;

  /**
   * The user withdraws their authorization of the application (/o/authorized_tokens/): forgets the
   * consent, revokes that user's access and refresh tokens for it, voids their unused codes and
   * pending or approved device codes, atomically. Other users' tokens are untouched. (Deactivating
   * a user revokes the same way, for every application: lib/db/queries/users.ts setUserActive.)
   */
  revokeAuthorization(userId: string, applicationId: number): Promise<RevokedAuthorization>;

  /**
   * Staff revoke the selected tokens, or void the selected codes; returns how many changed (already
   * revoked or used ones do not count). A refresh token takes the access tokens of its family along
   * (RFC 7009 §2.1).
   */
  revokeByIds(kind: TokenKind, ids: number[]): Promise<number>;

  /** The staff's token list: newest first, keyset-paginated, filtered by application, user and state. */
  listTokens(q: TokenListQuery): Promise<{ rows: TokenListRow[]; next: string | null }>;

  /** The applications `userId` has authorized, by name (/o/authorized_tokens/). */
  listAuthorizedApps(userId: string): Promise<AuthorizedApp[]>;
}
