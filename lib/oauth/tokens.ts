// Issuing opaque tokens: 256 random bits each, returned once, stored only as SHA-256.
import crypto from 'node:crypto';
import { randomToken, sha256b64url } from './random';
import { insertTokens } from '../db/queries/tokens';
import type { Application } from '../db/schema';
import { audit } from '../db/queries/audit';
import { invalidGrant } from './errors';
import { env } from '../env';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface IssueInput {
  app: Application;
  userId: string | null;
  scope: string;
  /** Scope of the new refresh token when it differs from the access token's (RFC 6749 §6). */
  refreshScope?: string;
  grantType: string;
  /** Continue this refresh family (refresh grant); otherwise a new one starts. */
  familyId?: string;
  grantId?: number | null;
  withRefresh: boolean;
  authTime?: Date | null;
  nonce?: string | null;
  ip: string;
}

export interface Issued {
  response: TokenResponse;
  accessToken: string;
  familyId: string | null;
}

/** Fresh token values, their hashes and expiry times, before anything is stored. */
export interface Minted {
  accessToken: string;
  refreshToken: string | null;
  accessHash: string;
  refreshHash: string | null;
  familyId: string | null;
  accessExpiresAt: Date;
  refreshExpiresAt: Date | null;
}

export function mintTokens(withRefresh: boolean, familyId?: string): Minted {
  const e = env();
  const now = Date.now();
  const accessToken = randomToken();
  const refreshToken = withRefresh ? randomToken() : null;
  return {
    accessToken,
    refreshToken,
    accessHash: sha256b64url(accessToken),
    refreshHash: refreshToken ? sha256b64url(refreshToken) : null,
    familyId: familyId ?? (refreshToken ? crypto.randomUUID() : null),
    accessExpiresAt: new Date(now + e.ACCESS_TOKEN_EXPIRE_SECONDS * 1000),
    refreshExpiresAt: e.REFRESH_TOKEN_EXPIRE_SECONDS ? new Date(now + e.REFRESH_TOKEN_EXPIRE_SECONDS * 1000) : null,
  };
}

/** The §5.1 response for tokens that have been stored; audits the issuance. */
export function issued(m: Minted, i: { app: Application; userId: string | null; scope: string; grantType: string; ip: string }): Issued {
  audit('token.issued', { actorUserId: i.userId, applicationId: i.app.id, ip: i.ip, detail: { grant_type: i.grantType, scope: i.scope } });
  const response: TokenResponse = {
    access_token: m.accessToken,
    token_type: 'Bearer',
    expires_in: env().ACCESS_TOKEN_EXPIRE_SECONDS,
    scope: i.scope,
  };
  if (m.refreshToken) response.refresh_token = m.refreshToken;
  return { response, accessToken: m.accessToken, familyId: m.familyId };
}

export async function issueTokens(i: IssueInput): Promise<Issued> {
  const m = mintTokens(i.withRefresh, i.familyId);
  const inserted = await insertTokens({
    ...m,
    applicationId: i.app.id,
    userId: i.userId,
    scope: i.scope,
    refreshScope: i.refreshScope,
    grantId: i.grantId ?? null,
    grantType: i.grantType,
    authTime: i.authTime ?? null,
    nonce: i.nonce ?? null,
    revokePreviousAccess: i.familyId !== undefined,
  });
  // The family was revoked while this refresh was in flight (see insertTokens).
  if (!inserted) throw invalidGrant('The refresh token is invalid, expired or revoked.');
  return issued(m, i);
}
