// Protecting an API with the tokens (RFC 6750). `withBearer(opts, handler)` checks the
// `Authorization: Bearer` token (unknown, expired, revoked, user deactivated), its scopes, and hands
// the handler the token's user, client and scope. One indexed round trip per call, no cache: a
// revoked token is refused on the very next request. CORS follows the token's application.
import { OAuthError, insufficientScope, invalidToken, missingToken, toErrorResponse } from './errors';
import type { OAuthRequest, OAuthResponse } from './http';
import { preflight, withCors } from './cors';
import { sha256b64url } from './random';
import { parseScope } from './scope';
import { inactiveReason, type FoundToken, type InactiveReason } from './store';
import { databaseTokenStore } from '../db/queries/token-store';
import { clientIp } from '../http/client-ip';
import { env } from '../env';

export interface BearerContext {
  /** The resource owner; null for client_credentials tokens (the client acts for itself). */
  user: { id: string; username: string } | null;
  client: { clientId: string; applicationId: number };
  /** The token's granted scopes. */
  scope: string[];
  token: { id: number; grantType: string; issuedAt: Date; expiresAt: Date };
}

export interface BearerOptions {
  /** Every one of these scopes is required (403 insufficient_scope otherwise). */
  scopes?: string[];
  /** Refuse tokens that have no user (client_credentials). */
  requireUser?: boolean;
}

export type BearerHandler = (req: OAuthRequest, ctx: BearerContext) => Promise<OAuthResponse>;

/**
 * RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, with
 * b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". The scheme is
 * case-insensitive (RFC 9110 §11.1). The separator is one or more spaces and nothing else: neither
 * grammar (nor RFC 9110 §11.4's credentials) allows a tab there, so "Bearer<TAB>token" is malformed.
 */
const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** RFC 6750 §3.1 invalid_request (400), with a Bearer challenge. */
function malformed(description: string): OAuthError {
  const e = new OAuthError('invalid_request', description, 400);
  e.scheme = 'Bearer';
  return e;
}

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
  if (!m) throw malformed("The Authorization header must be 'Bearer', a space and one access token.");
  return m[1];
}

/**
 * The token of `Authorization: Bearer <token>` (parseBearerAuthorization), or null when the request
 * carries none. A token in the query (§2.3) is refused: it ends up in logs and Referer headers.
 */
export function bearerTokenFrom(req: Pick<OAuthRequest, 'headers' | 'url'>): string | null {
  const token = parseBearerAuthorization(req.headers.get('authorization'));
  if (token === null && req.url.searchParams.has('access_token')) {
    throw malformed('Send the access token in the Authorization header (Bearer), not in the URL.');
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
    // An access token always has both (only refresh tokens lack them).
    token: { id: row.id, grantType: row.grantType ?? '', issuedAt: row.createdAt, expiresAt: row.expiresAt ?? row.createdAt },
  };
}

/**
 * Wraps a framework-free handler (used by the node:http door, and by Next through nextDoor):
 *   fastRoute('/api/hello', withBearer({ scopes: ['read'] }, async (req, { user }) => jsonResponse({ hi: user?.username })));
 * OPTIONS is answered as a CORS preflight.
 */
export function withBearer(opts: BearerOptions, handler: BearerHandler): (req: OAuthRequest) => Promise<OAuthResponse> {
  const needed = opts.scopes ?? [];
  return async (req) => {
    if (req.method === 'OPTIONS') return preflight(req);
    let app: FoundToken | null = null;
    try {
      const token = bearerTokenFrom(req);
      if (token === null) throw missingToken();
      const state = await lookupAccessToken(token);
      app = state.row;
      if (!state.active) throw invalidToken(state.why);
      const ctx = contextOf(state.row);
      // RFC 6750 §3.1 insufficient_scope: "The request requires higher privileges than provided by
      // the access token. The resource server SHOULD respond with the HTTP 403 (Forbidden)".
      const missing = needed.filter((s) => !ctx.scope.includes(s));
      if (missing.length > 0) throw insufficientScope(needed.join(' '));
      if (opts.requireUser && !ctx.user) throw invalidToken('This resource needs a token issued to a user; client credentials tokens have none.');
      return withCors(await handler(req, ctx), req, app);
    } catch (err) {
      return withCors(toErrorResponse(err, 'api'), req, app);
    }
  };
}

// --- web-standard form, for route handlers written with Request/Response ---------------------------

function toWebResponse(r: OAuthResponse): Response {
  return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
}

function toCheckRequest(request: Request): OAuthRequest {
  return {
    method: request.method,
    url: new URL(request.url),
    headers: request.headers,
    body: '', // the check reads headers only; the handler gets the untouched Request
    ip: clientIp(request.headers),
  };
}

/**
 * The same check around a Next.js (or any Fetch-API) route handler, in one line:
 *   export const GET = withBearerRoute({ scopes: ['read'] }, async (request, { user }) => Response.json({ hi: user?.username }));
 * The handler receives the original Request (its body unread). OPTIONS is answered as a preflight.
 */
export function withBearerRoute(
  opts: BearerOptions,
  handler: (request: Request, ctx: BearerContext) => Response | Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    let inner: Response | null = null;
    const checked = withBearer(opts, async (_req, ctx) => {
      inner = await handler(request, ctx);
      return { status: inner.status, headers: {}, body: '' };
    });
    const out = await checked(toCheckRequest(request));
    if (!inner) return toWebResponse(out);
    const res = new Response((inner as Response).body, inner as Response); // mutable headers
    for (const [k, v] of Object.entries(out.headers)) {
      if (k === 'vary') res.headers.append('vary', v);
      else if (k.startsWith('access-control-')) res.headers.set(k, v);
    }
    return res;
  };
}

/** `export const OPTIONS = bearerPreflight;` next to a withBearerRoute handler. */
export const bearerPreflight = async (request: Request): Promise<Response> => toWebResponse(await preflight(toCheckRequest(request)));
