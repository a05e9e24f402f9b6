// The ID token of a token response (OpenID Connect Core §3.1.3.3 for the code exchange, §12.2 for a
// refresh), in two steps around the token store: before anything is stored, idTokenProblem says
// whether one could be signed (the store then refuses an `openid` issuance it could not complete,
// instead of storing tokens and failing afterwards); after, attachIdToken signs it from what the
// store answered (the user's claims included: no read here).
import type { TokenResponse } from '../tokens';
import type { TokenUser } from '../store';
import type { Application } from '../../db/schema';
import { parseScope } from '../scope';
import { hs256Problem, idTokenClaims, signIdToken } from './id-token';
import { currentSigningKey } from './keys';

type SigningApp = Pick<Application, 'clientId' | 'algorithm' | 'clientSecret' | 'secretHashed' | 'clientType'>;

/**
 * Why no ID token can be signed for `app` now, or null when one can (or the app has no ID token
 * algorithm, so none is ever due). RS256 loads the current key (cached in-process, so usually no
 * read), so that signing after the tokens are stored cannot fail for want of it. Call it before
 * storing and pass `idTokenUnavailable: problem !== null` to the token store.
 */
export async function idTokenProblem(app: SigningApp): Promise<string | null> {
  if (app.algorithm === 'HS256') {
    const problem = hs256Problem(app);
    return problem ? `no HS256 ID token: ${problem}. Set a new, unhashed secret, or switch the application to RS256.` : null;
  }
  if (app.algorithm === 'RS256') {
    try {
      await currentSigningKey();
      return null;
    } catch {
      return 'no RS256 signing key is available (see signing_keys.unavailable)';
    }
  }
  return null;
}

export interface IdTokenContext {
  app: SigningApp;
  /** The resource owner as the token store answered; null: no user, no ID token. */
  user: TokenUser | null;
  /** The scope granted to the access token. */
  scope: string;
  nonce: string | null;
  authTime: Date | null;
}

/**
 * Adds `id_token` to `response` when `openid` was granted, the app has an ID token algorithm and
 * there is a user; `accessToken` gives at_hash (§3.1.3.6). The checks that could refuse (inactive
 * user, no key) ran in the token store's statement, before anything was stored.
 */
export async function attachIdToken(response: TokenResponse, accessToken: string, ctx: IdTokenContext): Promise<TokenResponse> {
  if (!ctx.app.algorithm || !ctx.user) return response;
  const scopes = parseScope(ctx.scope);
  if (!scopes.includes('openid')) return response;
  // §12.2: on refresh, auth_time stays the time of the original authentication, and there is no
  // nonce to echo (the grant passes nonce: null).
  const claims = idTokenClaims({ app: ctx.app, user: ctx.user, scopes, nonce: ctx.nonce, authTime: ctx.authTime, accessToken });
  return { ...response, id_token: await signIdToken(ctx.app, claims) };
}
