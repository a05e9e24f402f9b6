// Adds an ID token to a token response when `openid` was granted and the app has an Algorithm.
import type { Issued, TokenResponse } from '../tokens';
import type { Application } from '../../db/schema';

export interface IdTokenContext {
  app: Application;
  userId: string | null;
  scope: string;
  nonce: string | null;
  authTime: Date | null;
}

// TEMPORARY until the OIDC module lands: no ID token yet.
export async function attachIdToken(issued: Issued, _ctx: IdTokenContext): Promise<TokenResponse> {
  return issued.response;
}
