// Token introspection (RFC 7662): POST /o/introspect/ with `token` and an optional `token_type_hint`.
// The caller is a confidential client (its own credentials) or presents a Bearer token that has
// the `introspection` scope (as django-oauth-toolkit allows). Like DOT, an authorized caller may
// introspect access tokens of any client: a resource server checks tokens issued to other apps.
// §2.1: "The protected resource calls the introspection endpoint using an HTTP POST request with
// parameters sent as application/x-www-form-urlencoded": the route manifest's entry.
import { jsonResponse, required, type OAuthRequest, type OAuthResponse } from '../http';
import type { ClientOrBearerCall } from '../endpoint';
import { lookupAccessToken } from '../bearer';
import { sha256b64url } from '../random';
import { findRefreshTokenForIntrospection, type BearerRow } from '../../db/queries/bearer';
import { env } from '../../env';

export const INTROSPECTION_SCOPE = 'introspection';

/** §2.2: "If the introspection call is properly authorized but the token is not active … the
 * authorization server MUST return an introspection response with the "active" field set to false." */
const INACTIVE = { active: false } as const;

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** Who asks (authenticated by the wrapper): a confidential client, or the application of a bearer token with the `introspection` scope. */
interface Caller {
  applicationId: number;
}

function accessTokenAnswer(row: BearerRow) {
  return {
    active: true,
    scope: row.scope,
    client_id: row.clientId,
    ...(row.username !== null ? { username: row.username } : {}),
    token_type: 'Bearer',
    exp: epoch(row.expiresAt),
    iat: epoch(row.createdAt),
    // The resource owner; for client_credentials the client itself is the resource owner.
    sub: row.userId ?? row.clientId,
    aud: row.clientId,
    iss: env().ISSUER,
  };
}

async function refreshTokenAnswer(hash: string, caller: Caller) {
  const row = await findRefreshTokenForIntrospection(hash);
  if (!row) return null;
  // Refresh tokens are for their client only; a resource server has no business with them (§4:
  // the server may limit what a caller learns). Another caller is told it is not active.
  if (row.applicationId !== caller.applicationId) return INACTIVE;
  const live =
    !row.revokedAt &&
    !row.rotatedAt &&
    (row.expiresAt === null || row.expiresAt.getTime() > Date.now()) &&
    (row.userId === null || row.userActive === true) &&
    !row.clientSuspended;
  if (!live) return INACTIVE;
  return {
    active: true,
    scope: row.scope,
    client_id: row.clientId,
    ...(row.username !== null ? { username: row.username } : {}),
    ...(row.expiresAt ? { exp: epoch(row.expiresAt) } : {}),
    iat: epoch(row.createdAt),
    sub: row.userId ?? row.clientId,
    aud: row.clientId,
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
  if (token.length > 512) return jsonResponse(INACTIVE);
  const preferRefresh = params.get('token_type_hint') === 'refresh_token';
  let answer: object | null = null;
  if (preferRefresh) answer = await refreshTokenAnswer(sha256b64url(token), caller);
  if (!answer) {
    const state = await lookupAccessToken(token);
    if (state.row) answer = state.active ? accessTokenAnswer(state.row) : INACTIVE;
  }
  if (!answer && !preferRefresh) answer = await refreshTokenAnswer(sha256b64url(token), caller);
  return jsonResponse(answer ?? INACTIVE);
}
