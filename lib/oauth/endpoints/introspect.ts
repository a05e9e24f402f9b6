// Token introspection (RFC 7662): POST /o/introspect/ with `token` and an optional `token_type_hint`.
// The caller is a confidential client (its own credentials) or presents a Bearer token that has
// the `introspection` scope (as django-oauth-toolkit allows). Like DOT, an authorized caller may
// introspect access tokens of any client: a resource server checks tokens issued to other apps.
import { jsonResponse, parseForm, required, type OAuthRequest, type OAuthResponse } from '../http';
import { insufficientScope, invalidRequest, invalidToken, toErrorResponse } from '../errors';
import { authenticateClient, nameClient } from '../client-auth';
import { preflight, withCors } from '../cors';
import { bearerTokenFrom, lookupAccessToken } from '../bearer';
import { parseScope } from '../scope';
import { sha256b64url } from '../random';
import type { Application } from '../../db/schema';
import { inactiveReason, type FoundToken } from '../store';
import { databaseTokenStore } from '../../db/queries/token-store';
import { env } from '../../env';

export const INTROSPECTION_SCOPE = 'introspection';

/** §2.2: "If the introspection call is properly authorized but the token is not active … the
 * authorization server MUST return an introspection response with the "active" field set to false." */
const INACTIVE = { active: false } as const;

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

interface Caller {
  applicationId: number;
  cors: Pick<Application, 'allowedOrigins'>;
}

/** §2.1: "the endpoint MUST also require some form of authorization to access this endpoint". */
async function authorizeCaller(req: OAuthRequest, params: Map<string, string>, setCors: (a: Pick<Application, 'allowedOrigins'> | null) => void): Promise<Caller> {
  const bearer = bearerTokenFrom(req);
  if (bearer !== null) {
    const state = await lookupAccessToken(bearer);
    setCors(state.row);
    if (!state.active) throw invalidToken(state.why);
    if (!parseScope(state.row.scope).includes(INTROSPECTION_SCOPE)) throw insufficientScope(INTROSPECTION_SCOPE);
    return { applicationId: state.row.applicationId, cors: state.row };
  }
  const named = await nameClient(req, params);
  setCors(named.app);
  // Public clients have no credentials, so they cannot introspect.
  const client = await authenticateClient(req, named, { allowPublic: false });
  return { applicationId: client.app.id, cors: client.app };
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
    aud: t.clientId,
    iss: env().ISSUER,
  };
}

export async function introspectEndpoint(req: OAuthRequest): Promise<OAuthResponse> {
  if (req.method === 'OPTIONS') return preflight(req);
  let cors: Pick<Application, 'allowedOrigins'> | null = null;
  try {
    // §2.1: "The protected resource calls the introspection endpoint using an HTTP POST request
    // with parameters sent as application/x-www-form-urlencoded".
    if (req.method !== 'POST') throw invalidRequest('The introspection endpoint takes POST.');
    const params = parseForm(req);
    const caller = await authorizeCaller(req, params, (a) => (cors = a));
    const token = required(params, 'token');
    if (token.length > env().limits.tokenMaxLength) return withCors(jsonResponse(INACTIVE), req, caller.cors);
    // §2.1 token_type_hint "MAY" be ignored: one read looks among access and refresh tokens at once.
    const found = await databaseTokenStore.findToken(sha256b64url(token), 'access_or_refresh');
    const answer = found ? answerFor(found, caller) : INACTIVE;
    return withCors(jsonResponse(answer), req, caller.cors);
  } catch (err) {
    return withCors(toErrorResponse(err), req, cors);
  }
}
