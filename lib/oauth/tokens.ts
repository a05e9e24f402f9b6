// Issuing tokens: opaque ones are 256 random bits each, JWT access tokens (RFC 9068, for resources
// that ask for them) are signed; both are returned once and stored only as SHA-256. An issuance,
// in the words used everywhere: `newTokens` makes the values (nothing is stored yet), a token store
// operation (lib/oauth/store.ts) checks everything that can refuse and stores their hashes in one
// step, and `tokenResponse` answers with the values (RFC 6749 §5.1).
import crypto from 'node:crypto';
import { randomToken, sha256b64url } from './random';
import type { Application } from '../db/schema';
import type { StoredTokens, TokenStore, TokenUser } from './store';
import { SignJWT, type JWTPayload } from 'jose';
import { currentSigningKey, SIGNING_ALG } from './oidc/keys';
import { accessTargetOf, builtInIdentifier, type AccessTarget } from './resources';
import { audit } from '../db/queries/audit';
import { attachIdToken } from './oidc/attach';
import { env } from '../env';

/** RFC 6749 §5.1 "Successful Response" (with OIDC Core §3.1.3.3's id_token when one is due). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds. */
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** The values of one issuance, and what the token store keeps of them. */
export interface NewTokens {
  /** An opaque value, or an RFC 9068 JWT once signed (signAccessToken, settleAccessToken). */
  accessToken: string;
  /** Null when no refresh token is issued. */
  refreshToken: string | null;
  /** Their hashes, expiry times and (with a refresh token) a new family id: what the store receives. */
  stored: StoredTokens;
  /** What the access token was made as: its target when known up front, else the default resource's. */
  target: AccessTarget | null;
  /** The access token is final: a JWT signed before storing, or an opaque value of its target. */
  final: boolean;
  /** The access token's lifetime, seconds (RFC 6749 §5.1 expires_in). */
  expiresIn: number;
}

/** An access token's format and lifetime when none of its resources says otherwise. */
const DEFAULT_TARGET = (): Omit<AccessTarget, 'audience'> => ({ format: 'opaque', lifetimeSeconds: env().ACCESS_TOKEN_EXPIRE_SECONDS });

/**
 * Fresh token values (256 random bits each, base64url), before anything is stored: an access token
 * for `target` (its lifetime; a JWT is signed by signAccessToken before storing, or by
 * settleAccessToken after) and, when `withRefresh`, a refresh token of REFRESH_TOKEN_EXPIRE_SECONDS
 * (no expiry when unset) starting a new family (a random UUID).
 * @param target the resources the access token is for when known now (client_credentials, password,
 *   or a request naming `resource`); null: the grant's own resources, known once the store answers
 * @param scopeWithin RFC 8707 §2.2: the scopes a token for fewer resources than its grant may keep
 */
export function newTokens(withRefresh: boolean, target: AccessTarget | null = null, scopeWithin: string[] | null = null): NewTokens {
  const e = env();
  const now = Date.now();
  const accessToken = randomToken();
  const refreshToken = withRefresh ? randomToken() : null;
  const lifetime = (target ?? DEFAULT_TARGET()).lifetimeSeconds;
  return {
    accessToken,
    refreshToken,
    target,
    final: target !== null && target.format === 'opaque',
    expiresIn: lifetime,
    stored: {
      accessHash: sha256b64url(accessToken),
      refreshHash: refreshToken ? sha256b64url(refreshToken) : null,
      familyId: refreshToken ? crypto.randomUUID() : null,
      accessExpiresAt: new Date(now + lifetime * 1000),
      refreshExpiresAt: e.REFRESH_TOKEN_EXPIRE_SECONDS ? new Date(now + e.REFRESH_TOKEN_EXPIRE_SECONDS * 1000) : null,
      audience: target ? target.audience : null,
      scopeWithin,
      defaultResource: builtInIdentifier(e),
    },
  };
}

/** The subject of a JWT access token (RFC 9068 §2.2) and when they authenticated. */
export interface JwtSubject {
  /** The user's id; for client_credentials the client_id ("sub … the client identifier"). */
  sub: string;
  authTime: Date | null;
}

/**
 * RFC 9068 §2: the JWT access token for `target`: header `typ: at+jwt`, RS256 with the current
 * JWKS key (lib/oauth/oidc/keys.ts); claims iss, exp, aud (one identifier as a string, several as
 * an array), sub, client_id, iat, jti, scope and auth_time when known (§2.2). `jti` is the opaque
 * value the token would otherwise have been, so it is unique and unguessable.
 * @throws OAuthError server_error (logged) when no signing key is available
 */
async function signJwtAccessToken(jti: string, target: AccessTarget, scope: string, clientId: string, who: JwtSubject, expiresAt: Date): Promise<string> {
  const { kid, key } = await currentSigningKey();
  // The issuance's own instant: exp - iat is exactly the lifetime.
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const iat = exp - target.lifetimeSeconds;
  const claims: JWTPayload = {
    iss: env().ISSUER,
    sub: who.sub,
    aud: target.audience.length === 1 ? target.audience[0] : target.audience,
    client_id: clientId,
    scope,
    jti,
    iat,
    exp,
    ...(who.authTime ? { auth_time: Math.floor(who.authTime.getTime() / 1000) } : {}),
  };
  return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' }).sign(key);
}

/**
 * Before storing, for grants that know everything up front (client_credentials, password): makes
 * the access token of a JWT target the signed JWT, whose SHA-256 the store then keeps like any
 * token's. No-op for an opaque target.
 */
export async function signAccessToken(t: NewTokens, scope: string, clientId: string, who: JwtSubject): Promise<void> {
  if (!t.target || t.target.format !== 'jwt') return;
  t.accessToken = await signJwtAccessToken(t.accessToken, t.target, scope, clientId, who, t.stored.accessExpiresAt);
  t.stored.accessHash = sha256b64url(t.accessToken);
  t.final = true;
}

/**
 * After the store issued tokens for a grant's own resources (a code, a refresh token, a device
 * code): gives the stored access token its final form for the audience the store answered, its
 * resources' lifetime and, when one of them wants JWTs, the signed JWT (one more statement,
 * replaceAccessToken, only then). Nothing to do in the common case: opaque, default lifetime.
 */
export async function settleAccessToken(t: NewTokens, store: TokenStore, audience: string[], scope: string, clientId: string, who: JwtSubject): Promise<void> {
  if (t.final) return;
  const target = t.target ?? (await accessTargetOf(audience));
  t.final = true;
  // From the issuance's own instant (newTokens: expiry = instant + expiresIn), so that the same
  // lifetime gives the same expiry: then an opaque token is already stored as it must be.
  const expiresAt = new Date(t.stored.accessExpiresAt.getTime() + (target.lifetimeSeconds - t.expiresIn) * 1000);
  t.expiresIn = target.lifetimeSeconds;
  if (target.format === 'opaque' && expiresAt.getTime() === t.stored.accessExpiresAt.getTime()) return;
  const oldHash = t.stored.accessHash;
  if (target.format === 'jwt') {
    t.accessToken = await signJwtAccessToken(t.accessToken, { ...target, audience }, scope, clientId, who, expiresAt);
    t.stored.accessHash = sha256b64url(t.accessToken);
  }
  t.stored.accessExpiresAt = expiresAt;
  await store.replaceAccessToken(oldHash, t.stored.accessHash, expiresAt);
}

/** What the tokens were issued for, as the token store answered it. */
export interface Issuance {
  app: Application;
  /** The resource owner (from the store's answer); null for client_credentials. */
  user: TokenUser | null;
  /** The scope granted to the access token. */
  scope: string;
  grantType: string;
  ip: string;
  /** OIDC Core §3.1.2.1: echoed in the ID token of a code exchange; null otherwise. */
  nonce?: string | null;
  /** When the user authenticated (OIDC `auth_time`); kept across refreshes (§12.2). */
  authTime?: Date | null;
}

/**
 * RFC 6749 §5.1: the successful response for tokens the token store has saved, with an ID token
 * when `openid` was granted to a client with an ID token algorithm (lib/oauth/oidc/attach.ts, which
 * reads nothing: the store's answer carries the user). Audits the issuance (`token.issued`).
 */
export async function tokenResponse(t: NewTokens, i: Issuance): Promise<TokenResponse> {
  audit('token.issued', { actorUserId: i.user?.id ?? null, applicationId: i.app.id, ip: i.ip, detail: { grant_type: i.grantType, scope: i.scope } });
  const response: TokenResponse = {
    access_token: t.accessToken,
    token_type: 'Bearer',
    expires_in: t.expiresIn,
    scope: i.scope,
  };
  if (t.refreshToken) response.refresh_token = t.refreshToken;
  return attachIdToken(response, t.accessToken, { app: i.app, user: i.user, scope: i.scope, nonce: i.nonce ?? null, authTime: i.authTime ?? null });
}
