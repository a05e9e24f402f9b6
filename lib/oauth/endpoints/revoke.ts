// Token revocation (RFC 7009): POST /o/revoke_token/ with `token` and an optional `token_type_hint`.
// §2.1: "The client requests the revocation of a particular token by making an HTTP POST request";
// the method, the form and the client authentication are the route manifest's and the wrapper's
// (lib/server/manifest.ts, lib/oauth/endpoint.ts).
import { required, type OAuthRequest, type OAuthResponse } from '../http';
import type { ClientCall } from '../endpoint';
import { sha256b64url } from '../random';
import { databaseTokenStore } from '../../db/queries/token-store';
import { audit } from '../../db/queries/audit';
import { env } from '../../env';

/**
 * §2.2: "The authorization server responds with HTTP status code 200 if the token has been revoked
 * successfully or if the client submitted an invalid token. … The content of the response body is
 * ignored by the client".
 */
const revokedResponse = (): OAuthResponse => ({ status: 200, headers: { 'cache-control': 'no-store', pragma: 'no-cache' }, body: '' });

/**
 * RFC 7009 §2.1: revokes `token` if it was issued to the calling client (authenticated by the
 * endpoint wrapper; public clients identify with client_id alone), and answers 200 either way.
 */
export async function revokeEndpoint(req: OAuthRequest, { params, client }: ClientCall): Promise<OAuthResponse> {
  // §2.1: "The authorization server first validates the client credentials (in case of a
  // confidential client) and then verifies whether the token was issued to the client making the
  // revocation request." Public clients identify with client_id alone (the manifest's client rule).
  const token = required(params, 'token');
  // §2.1 token_type_hint: "If the server is unable to locate the token using the given hint, it
  // MUST extend its search across all of its supported token types." The store searches both at
  // once (a value is never in both), so the hint changes nothing.
  if (token.length <= env().limits.tokenMaxLength) {
    // Bound to this client: "If this validation fails, the request is refused and the client is
    // informed of the error" — yet §2.2 answers 200 for invalid tokens, so another client's token
    // is simply not found here and left untouched.
    const r = await databaseTokenStore.revokeToken(sha256b64url(token), client.app.id);
    if (r) {
      audit('token.revoked', {
        applicationId: client.app.id,
        actorUserId: r.userId,
        ip: req.ip,
        detail: {
          via: 'revocation_endpoint',
          token_type: r.kind === 'access' ? 'access_token' : 'refresh_token',
          revoked_access_tokens: r.accessTokens,
          revoked_refresh_tokens: r.refreshTokens,
        },
      });
    }
  }
  return revokedResponse();
}
