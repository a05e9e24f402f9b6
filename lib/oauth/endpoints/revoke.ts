// Token revocation (RFC 7009): POST /o/revoke_token/ with `token` and an optional `token_type_hint`.
// §2.1: "The client requests the revocation of a particular token by making an HTTP POST request";
// the method, the form and the client authentication are the route manifest's and the wrapper's
// (lib/server/manifest.ts, lib/oauth/endpoint.ts).
import { required, type OAuthRequest, type OAuthResponse } from '../http';
import type { ClientCall } from '../endpoint';
import { sha256b64url } from '../random';
import { revokeAccessToken, revokeRefreshTokenFamily, type Revoked } from '../../db/queries/revocation';
import { audit } from '../../db/queries/audit';

type Kind = 'access_token' | 'refresh_token';
const REVOKE: Record<Kind, (hash: string, applicationId: number) => Promise<Revoked | null>> = {
  access_token: revokeAccessToken,
  refresh_token: revokeRefreshTokenFamily,
};

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
  // MUST extend its search across all of its supported token types." Unknown hints are ignored.
  const first: Kind = params.get('token_type_hint') === 'refresh_token' ? 'refresh_token' : 'access_token';
  const order: Kind[] = first === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
  if (token.length <= 512) {
    const hash = sha256b64url(token);
    for (const kind of order) {
      // Bound to this client: "If this validation fails, the request is refused and the client is
      // informed of the error" — yet §2.2 answers 200 for invalid tokens, so another client's token
      // is simply not found here and left untouched.
      const r = await REVOKE[kind](hash, client.app.id);
      if (!r) continue;
      audit('token.revoked', {
        applicationId: client.app.id,
        actorUserId: r.userId,
        ip: req.ip,
        detail: { via: 'revocation_endpoint', token_type: kind, revoked_access_tokens: r.access, revoked_refresh_tokens: r.refresh },
      });
      break;
    }
  }
  return revokedResponse();
}
