// Issuing opaque tokens: 256 random bits each, returned once, stored only as SHA-256. An issuance,
// in the words used everywhere: `newTokens` makes the values (nothing is stored yet), a token store
// operation (lib/oauth/store.ts) checks everything that can refuse and stores their hashes in one
// step, and `tokenResponse` answers with the values (RFC 6749 §5.1).
import crypto from 'node:crypto';
import { randomToken, sha256b64url } from './random';
import type { Application } from '../db/schema';
import type { StoredTokens, TokenUser } from './store';
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
  accessToken: string;
  /** Null when no refresh token is issued. */
  refreshToken: string | null;
  /** Their hashes, expiry times and (with a refresh token) a new family id: what the store receives. */
  stored: StoredTokens;
}

/**
 * Fresh token values (256 random bits each, base64url), before anything is stored: an access token
 * of ACCESS_TOKEN_EXPIRE_SECONDS and, when `withRefresh`, a refresh token of
 * REFRESH_TOKEN_EXPIRE_SECONDS (no expiry when unset) starting a new family (a random UUID).
 */
export function newTokens(withRefresh: boolean): NewTokens {
  const e = env();
  const now = Date.now();
  const accessToken = randomToken();
  const refreshToken = withRefresh ? randomToken() : null;
  return {
    accessToken,
    refreshToken,
    stored: {
      accessHash: sha256b64url(accessToken),
      refreshHash: refreshToken ? sha256b64url(refreshToken) : null,
      familyId: refreshToken ? crypto.randomUUID() : null,
      accessExpiresAt: new Date(now + e.ACCESS_TOKEN_EXPIRE_SECONDS * 1000),
      refreshExpiresAt: e.REFRESH_TOKEN_EXPIRE_SECONDS ? new Date(now + e.REFRESH_TOKEN_EXPIRE_SECONDS * 1000) : null,
    },
  };
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
    expires_in: env().ACCESS_TOKEN_EXPIRE_SECONDS,
    scope: i.scope,
  };
  if (t.refreshToken) response.refresh_token = t.refreshToken;
  return attachIdToken(response, t.accessToken, { app: i.app, user: i.user, scope: i.scope, nonce: i.nonce ?? null, authTime: i.authTime ?? null });
}
