// ID tokens (OpenID Connect Core 1.0 §2, §3.1.3.6): the claims, and signing them with RS256 (our
// current key) or HS256 (the client's PLAIN secret, never its hash: DOT #1737).
import { createHash } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { Application, User } from '../../db/schema';
import { serverError } from '../errors';
import { env } from '../../env';
import { currentSigningKey } from './keys';
import { log } from '../../log';

export type ClaimsUser = Pick<User, 'id' | 'username' | 'email'>;

/** Every claim this server can put in an ID token or a UserInfo response (discovery's claims_supported). */
export const CLAIMS_SUPPORTED = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp', 'preferred_username', 'name', 'email', 'email_verified'];

export const ID_TOKEN_ALGS = ['RS256', 'HS256'] as const;

/**
 * §5.4: the claims each scope releases. `sub` is users.id: stable and never reassigned (§2).
 * There is no separate display name, so `name` is the username; emails are not verified here.
 */
export function scopeClaims(scopes: readonly string[], user: ClaimsUser): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (scopes.includes('profile')) {
    out.preferred_username = user.username;
    out.name = user.username;
  }
  // §5.1: a claim with no value is omitted rather than sent empty.
  if (scopes.includes('email') && user.email) {
    out.email = user.email;
    out.email_verified = false;
  }
  return out;
}

/**
 * §3.1.3.6: "at_hash … is the base64url encoding of the left-most half of the hash of the octets of
 * the ASCII representation of the access_token value, where the hash algorithm used is the hash
 * algorithm used in the alg Header Parameter of the ID Token's JOSE Header." (SHA-256 for RS256/HS256.)
 */
export function atHash(accessToken: string): string {
  const d = createHash('sha256').update(accessToken, 'ascii').digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

export interface IdTokenInput {
  app: Pick<Application, 'clientId'>;
  user: ClaimsUser;
  scopes: readonly string[];
  nonce: string | null;
  authTime: Date | null;
  accessToken?: string;
  /** Seconds since the epoch (tests). */
  now?: number;
}

export function idTokenClaims(i: IdTokenInput): JWTPayload {
  const e = env();
  const now = i.now ?? Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: e.ISSUER,
    sub: i.user.id,
    // A single audience, so azp is not needed (§2: "It MAY be included even when the authorized
    // party is the same as the sole audience"): it is left out.
    aud: i.app.clientId,
    exp: now + e.ID_TOKEN_EXPIRE_SECONDS,
    iat: now,
  };
  if (i.authTime) claims.auth_time = Math.floor(i.authTime.getTime() / 1000);
  // §3.1.2.1: "If present in the Authentication Request, Authorization Servers MUST include a nonce
  // Claim in the ID Token with the Claim Value being the nonce value sent in the Authentication Request."
  if (i.nonce) claims.nonce = i.nonce;
  if (i.accessToken) claims.at_hash = atHash(i.accessToken);
  return { ...claims, ...scopeClaims(i.scopes, i.user) };
}

/** Why an HS256 ID token cannot be signed for `app`, or null when it can. */
export function hs256Problem(app: Pick<Application, 'clientSecret' | 'secretHashed' | 'clientType'>): string | null {
  if (app.clientType === 'public' || !app.clientSecret) return 'it has no client secret';
  // The stored value of a hashed secret is an argon2 PHC string: signing with it is DOT #1737.
  if (app.secretHashed || app.clientSecret.startsWith('$argon2')) return 'its client secret is hashed';
  return null;
}

/** Signs the claims with the application's Algorithm. Throws server_error (logged) when it cannot. */
export async function signIdToken(app: Pick<Application, 'clientId' | 'algorithm' | 'clientSecret' | 'secretHashed' | 'clientType'>, claims: JWTPayload): Promise<string> {
  if (app.algorithm === 'RS256') {
    const { kid, key } = await currentSigningKey();
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
  }
  if (app.algorithm === 'HS256') {
    const problem = hs256Problem(app);
    if (problem) {
      // Refuse rather than sign with the hash: no client could verify it, and it invites DOT #1737.
      log.error('id_token.unavailable', { client_id: app.clientId, reason: `no HS256 ID token: ${problem}. Set a new, unhashed secret, or switch the application to RS256.` });
      throw serverError();
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(app.clientSecret));
  }
  log.error('id_token.unavailable', { client_id: app.clientId, reason: 'the application has no ID token algorithm' });
  throw serverError();
}
