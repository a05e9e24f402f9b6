// Adds an ID token to a token response when `openid` was granted and the app has an Algorithm
// (OpenID Connect Core §3.1.3.3 for the code exchange, §12.2 for a refresh).
import type { Issued, TokenResponse } from '../tokens';
import type { Application } from '../../db/schema';
import { parseScope } from '../scope';
import { invalidGrant, serverError } from '../errors';
import { findUserById } from '../../db/queries/users';
import { idTokenClaims, signIdToken } from './id-token';
import { log } from '../../log';

export interface IdTokenContext {
  app: Application;
  userId: string | null;
  scope: string;
  nonce: string | null;
  authTime: Date | null;
}

export async function attachIdToken(issued: Issued, ctx: IdTokenContext): Promise<TokenResponse> {
  if (!ctx.app.algorithm || !ctx.userId) return issued.response;
  const scopes = parseScope(ctx.scope);
  if (!scopes.includes('openid')) return issued.response;
  // One query, only here: the profile and email claims need the user's current username and email.
  const user = await findUserById(ctx.userId);
  if (!user) {
    log.error('id_token.unavailable', { user_id: ctx.userId, reason: 'no such user' });
    throw serverError();
  }
  // A deactivated account signs in nowhere, not even through a refresh token issued before.
  if (!user.isActive) throw invalidGrant('The user account is inactive.');
  // §12.2: on refresh, auth_time stays the time of the original authentication, and there is no
  // nonce to echo (the grant passes nonce: null).
  const claims = idTokenClaims({ app: ctx.app, user, scopes, nonce: ctx.nonce, authTime: ctx.authTime, accessToken: issued.accessToken });
  return { ...issued.response, id_token: await signIdToken(ctx.app, claims) };
}
