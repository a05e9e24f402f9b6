// Bearer tokens at protected resources (RFC 6750): the one parser of `Authorization: Bearer`, the
// token's state, and the check (`authenticateBearer`: unknown, expired, revoked, user deactivated,
// scopes) that the endpoint wrapper (lib/oauth/endpoint.ts: route manifest entries whose caller is
// a bearer, and `withBearerRoute` for your own route handlers) runs before the resource's handler.
import { insufficientScope, invalidBearerRequest, invalidToken, missingToken } from './errors';
import type { OAuthRequest } from './http';
import { sha256b64url } from './random';
import { parseScope } from './scope';
import { inactiveReason, type FoundToken, type InactiveReason } from './store';
import { databaseTokenStore } from '../db/queries/token-store';
import { env } from '../env';
import { builtInIdentifier } from './resources';

export interface BearerContext {
  /** The resource owner; null for client_credentials tokens (the client acts for itself). */
  user: { id: string; username: string } | null;
  client: { clientId: string; applicationId: number };
  /** The token's granted scopes. */
  scope: string[];
  /**
   * The resources the token is for (RFC 8707; `access_tokens.audience`, the JWT's `aud`); empty for
   * a token from before resources, which is the default resource's (builtInIdentifier).
   */
  audience: string[];
  token: { id: number; grantType: string; issuedAt: Date; expiresAt: Date };
}

export interface BearerOptions {
  /**
   * Every one of these scopes is required (403 insufficient_scope otherwise): one list for every
   * method, or one per method (`{ GET: ['read'], POST: ['write'] }`; HEAD uses GET's).
   */
  scopes?: readonly string[] | Readonly<Record<string, readonly string[]>>;
  /** Refuse tokens that have no user (client_credentials). */
  requireUser?: boolean;
  /**
   * RFC 8707 / RFC 9068 §4: the resource this endpoint is (its identifier, or BUILT_IN_RESOURCE
   * for this server's /api): a token whose audience does not include it is not for us (401
   * invalid_token). Unset: any audience (UserInfo and introspection are the server's own).
   */
  resource?: string;
}

/** BearerOptions.resource for the built-in resource, `${ISSUER}/api` (lib/oauth/resources.ts). */
export const BUILT_IN_RESOURCE = 'built-in';

/**
 * Whether a token with `audience` is for the resource `resource` (an identifier or
 * BUILT_IN_RESOURCE). An empty audience (a token from before resources) is the default resource's.
 */
export function audienceIncludes(audience: readonly string[], resource: string): boolean {
  const builtIn = builtInIdentifier();
  const id = resource === BUILT_IN_RESOURCE ? builtIn : resource;
  return audience.length === 0 ? id === builtIn : audience.includes(id);
}

/**
 * RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, with
 * b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". The scheme is
 * case-insensitive (RFC 9110 §11.1). The separator is one or more spaces and nothing else: neither
 * grammar (nor RFC 9110 §11.4's credentials) allows a tab there, so "Bearer<TAB>token" is malformed.
 */
const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The one parser of `Authorization: Bearer` (RFC 6750 §2.1), for every endpoint that takes a bearer
 * token (/api/*, /o/userinfo/, /o/introspect/).
 *
 * @param header the Authorization header's value, or null when absent
 * @returns the b64token; null when there is no header or it names another scheme (§3.1: "If the
 *   request lacks any authentication information … the resource server SHOULD NOT include an
 *   error code")
 * @throws OAuthError invalid_request (400, Bearer challenge) when the scheme is Bearer but the rest
 *   is not 1*SP b64token (no token, two tokens, a tab, other characters)
 */
export function parseBearerAuthorization(header: string | null): string | null {
  if (header === null) return null;
  // The scheme is the first token, ended by a space or a tab (RFC 9110 §11.4).
  const scheme = header.split(/[ \t]/, 1)[0];
  if (scheme.toLowerCase() !== 'bearer') return null;
  const m = BEARER_CREDENTIALS.exec(header);
  if (!m) throw invalidBearerRequest("The Authorization header must be 'Bearer', a space and one access token.");
  return m[1];
}

/**
 * The token of `Authorization: Bearer <token>` (parseBearerAuthorization), or null when the request
 * carries none. A token in the query (§2.3) is refused: it ends up in logs and Referer headers.
 */
export function bearerTokenFrom(req: Pick<OAuthRequest, 'headers' | 'url'>): string | null {
  const token = parseBearerAuthorization(req.headers.get('authorization'));
  if (token === null && req.url.searchParams.has('access_token')) {
    throw invalidBearerRequest('Send the access token in the Authorization header (Bearer), not in the URL.');
  }
  return token;
}

export type AccessTokenState = { active: true; row: FoundToken } | { active: false; row: FoundToken | null; why: string };

/** RFC 6750 §3.1 invalid_token's description for each reason a found access token is not active. */
function describeInactive(reason: InactiveReason): string {
  switch (reason) {
    case 'revoked':
      return 'The access token has been revoked.';
    case 'expired':
      return 'The access token has expired.';
    case 'client_suspended':
      return 'The application this token was issued to is suspended.';
    default: // a deactivated user: the token simply no longer counts
      return 'The access token is invalid.';
  }
}

/**
 * Looks the access token up (one indexed read, the token store's findToken) and decides whether it
 * is active now (inactiveReason, lib/oauth/store.ts).
 */
export async function lookupAccessToken(token: string, now = Date.now()): Promise<AccessTokenState> {
  // Tokens we issue are 43 characters; anything far longer is not ours and costs no query.
  const row = token.length <= env().limits.tokenMaxLength ? await databaseTokenStore.findToken(sha256b64url(token), 'access') : null;
  if (!row) return { active: false, row: null, why: 'The access token is invalid.' };
  const why = inactiveReason(row, now);
  return why ? { active: false, row, why: describeInactive(why) } : { active: true, row };
}

function contextOf(row: FoundToken): BearerContext {
  return {
    user: row.userId !== null && row.username !== null ? { id: row.userId, username: row.username } : null,
    client: { clientId: row.clientId, applicationId: row.applicationId },
    scope: parseScope(row.scope),
    audience: row.audience,
    // An access token always has both (only refresh tokens lack them).
    token: { id: row.id, grantType: row.grantType ?? '', issuedAt: row.createdAt, expiresAt: row.expiresAt ?? row.createdAt },
  };
}

/** The scopes a request needs: the same for every method, or per method (HEAD as GET). */
function scopesFor(opts: BearerOptions, method: string): readonly string[] {
  const scopes = opts.scopes ?? [];
  if (Array.isArray(scopes)) return scopes;
  const needed = (scopes as Readonly<Record<string, readonly string[]>>)[method === 'HEAD' ? 'GET' : method];
  // A method without its own list is a mistake in the route manifest, never "no scope needed".
  if (!needed) throw new Error(`no scopes are set for ${method}`);
  return needed;
}

/**
 * The bearer token a request carries (RFC 6750 §2.1), checked: active (lookupAccessToken), with
 * every scope `opts` requires, for `opts.resource` when set, and a user when `opts.requireUser`. The endpoint wrapper
 * (lib/oauth/endpoint.ts) runs it for every endpoint whose caller is a bearer. One indexed round
 * trip, no cache: a revoked token is refused on the very next request.
 *
 * @param onToken called with the token's row as soon as it is found, active or not: its
 *   application's Allowed origins decide CORS for the answer, errors included
 * @returns the token's user, client and scope
 * @throws OAuthError 401 without an error code when no token is sent (RFC 6750 §3.1), 400
 *   invalid_request for a malformed header, 401 invalid_token, 403 insufficient_scope
 */
export async function authenticateBearer(req: Pick<OAuthRequest, 'headers' | 'url' | 'method'>, opts: BearerOptions, onToken: (row: FoundToken | null) => void): Promise<BearerContext> {
  const token = bearerTokenFrom(req);
  if (token === null) throw missingToken();
  const state = await lookupAccessToken(token);
  onToken(state.row);
  if (!state.active) throw invalidToken(state.why);
  // RFC 9068 §4: "The resource server MUST validate that the aud claim contains a resource indicator
  // value corresponding to an identifier the resource server expects for itself." One rule for both
  // formats: the stored audience.
  if (opts.resource !== undefined && !audienceIncludes(state.row.audience, opts.resource)) throw invalidToken('The access token is not for this resource.');
  const ctx = contextOf(state.row);
  // RFC 6750 §3.1 insufficient_scope: "The request requires higher privileges than provided by
  // the access token. The resource server SHOULD respond with the HTTP 403 (Forbidden)".
  const needed = scopesFor(opts, req.method);
  if (needed.some((s) => !ctx.scope.includes(s))) throw insufficientScope(needed.join(' '));
  if (opts.requireUser && !ctx.user) throw invalidToken('This resource needs a token issued to a user; client credentials tokens have none.');
  return ctx;
}
