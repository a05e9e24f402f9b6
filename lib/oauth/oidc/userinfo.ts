// The UserInfo endpoint (OpenID Connect Core §5.3): GET or POST with a bearer access token that
// carries `openid`; returns `sub` and the claims its scopes allow. Errors are RFC 6750 §3 challenges.
// CORS follows the token's application (its Allowed origins).
import { jsonResponse, parseParams, type OAuthRequest, type OAuthResponse } from '../http';
import { insufficientScope, invalidRequest, invalidToken, missingToken } from '../errors';
import type { EndpointContext } from '../endpoint';
import { bearerTokenFrom } from '../bearer';
import { sha256b64url } from '../random';
import { parseScope } from '../scope';
import { inactiveReason } from '../store';
import { databaseTokenStore } from '../../db/queries/token-store';
import { scopeClaims } from './id-token';
import { env } from '../../env';

/**
 * The access token from the Authorization header (RFC 6750 §2.1, the shared parser) or, on POST,
 * the form body (§2.2). Throws missingToken() when there is none.
 */
function bearerToken(req: OAuthRequest): string {
  const found: string[] = [];
  const header = bearerTokenFrom(req);
  if (header !== null) found.push(header);
  if (req.method === 'POST') {
    const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') {
      const t = parseParams(new URLSearchParams(req.body)).get('access_token');
      if (t !== undefined) found.push(t);
    }
  }
  // §2: "Clients MUST NOT use more than one method to transmit the token in each request."
  if (found.length > 1) throw invalidRequest('Send the access token in one place only (the Authorization header).');
  if (found.length === 0) throw missingToken(); // none, or another scheme: our challenge, no error code
  return found[0];
}

/**
 * OIDC Core §5.3: the claims of the access token's user, by its scopes. The route manifest gives
 * the methods (§5.3.1: GET and POST) and CORS by the token's application (Allowed origins); the
 * token is read here, from the header or the form (RFC 6750 §2.1, §2.2).
 * @throws OAuthError invalid_token (401) for a token that is unknown, expired, revoked, of a
 *   deactivated user or a suspended application; insufficient_scope (403) without `openid`
 */
export async function userinfoEndpoint(req: OAuthRequest, { allowOriginsOf }: EndpointContext): Promise<OAuthResponse> {
  const token = bearerToken(req);
  const row = token.length <= env().limits.tokenMaxLength ? await databaseTokenStore.findToken(sha256b64url(token), 'access') : null;
  if (!row) throw invalidToken();
  allowOriginsOf(row); // CORS follows the token's application (its allowed origins)
  if (inactiveReason(row) !== null || !row.userId) throw invalidToken();
  const scopes = parseScope(row.scope);
  // §5.3.1: the access token must have been obtained through an OpenID Connect request.
  if (!scopes.includes('openid')) throw insufficientScope('openid');
  const user = { id: row.userId, username: row.username ?? '', email: row.email ?? '' };
  return jsonResponse({ sub: user.id, ...scopeClaims(scopes, user) });
}
