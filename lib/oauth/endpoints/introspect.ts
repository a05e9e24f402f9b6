// Token introspection (RFC 7662): POST /o/introspect/ with `token` and an optional `token_type_hint`.
// The caller is a confidential client (its own credentials) or presents a Bearer token that has
// the `introspection` scope (as django-oauth-toolkit allows). Like DOT, an authorized caller may
// introspect access tokens of any client: a resource server checks tokens issued to other apps.
// §2.1: "The protected resource calls the introspection endpoint using an HTTP POST request with
// parameters sent as application/x-www-form-urlencoded": the route manifest's entry.
import { jsonResponse, required, type OAuthRequest, type OAuthResponse } from '../http';
import type { ClientOrBearerCall } from '../endpoint';
import { sha256b64url } from '../random';
import { inactiveReason, type FoundToken } from '../store';
import { databaseTokenStore } from '../../db/queries/token-store';
import { env } from '../../env';
import { builtInIdentifier } from '../resources';

export const INTROSPECTION_SCOPE = 'introspection';

/** §2.2: "If the introspection call is properly authorized but the token is not active … the
 * authorization server MUST return an introspection response with the "active" field set to false." */
const INACTIVE = { active: false } as const;

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

const audienceClaim = (aud: string[]): string | string[] => (aud.length === 1 ? aud[0] : aud);

/** Who asks (authenticated by the wrapper): a confidential client, or the application of a bearer token with the `introspection` scope. */
interface Caller {
  applicationId: number;
}

/** §2.2: the answer for a token found by hash (access or refresh), as `caller` may see it. */
function answerFor(t: FoundToken, caller: Caller) {
  // Refresh tokens are for their client only; a resource server has no business with them (§4:
  // the server may limit what a caller learns). Another caller is told it is not active.
  if (t.kind === 'refresh' && t.applicationId !== caller.applicationId) return INACTIVE;
  if (inactiveReason(t) !== null) return INACTIVE;
  return {
    active: true,
    scope: t.scope,
    client_id: t.clientId,
    ...(t.username !== null ? { username: t.username } : {}),
    ...(t.kind === 'access' ? { token_type: 'Bearer' } : {}),
    ...(t.expiresAt ? { exp: epoch(t.expiresAt) } : {}),
    iat: epoch(t.createdAt),
    // The resource owner; for client_credentials the client itself is the resource owner.
    sub: t.userId ?? t.clientId,
    // RFC 7662 §2.2 / RFC 8707: the resources the token is for (an old token's empty audience is
    // the default resource's). One identifier as a string, several as an array, as in a JWT.
    aud: audienceClaim(t.audience.length ? t.audience : [builtInIdentifier()]),
    iss: env().ISSUER,
  };
}

/**
 * RFC 7662 §2.1: the state of `token` for an authorized caller: a confidential client, or a bearer
 * token with the `introspection` scope (the route manifest's caller rule; the wrapper authenticates
 * either, §2.1: "the endpoint MUST also require some form of authorization to access this endpoint").
 * Public clients have no credentials, so they cannot introspect.
 */
export async function introspectEndpoint(_req: OAuthRequest, { params, client, bearer }: ClientOrBearerCall): Promise<OAuthResponse> {
  const caller: Caller = { applicationId: client ? client.app.id : bearer.client.applicationId };
  const token = required(params, 'token');
  if (token.length > env().limits.tokenMaxLength) return jsonResponse(INACTIVE);
  // §2.1 token_type_hint: "A hint about the type of the token submitted for introspection. The
  // protected resource MAY pass this parameter to help the authorization server optimize the token
  // lookup. If the server is unable to locate the token using the given hint, it MUST extend its
  // search across all of its supported token types." Access tokens first otherwise.
  const kinds = params.get('token_type_hint') === 'refresh_token' ? 'refresh_or_access' : 'access_or_refresh';
  const found = await databaseTokenStore.findToken(sha256b64url(token), kinds);
  return jsonResponse(found ? answerFor(found, caller) : INACTIVE);
}
