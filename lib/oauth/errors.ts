// The one error type of the protocol core (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3; RFC 8628 §3.5).
// Endpoints throw OAuthError; exactly one place (toErrorResponse / the authorize renderer)
// turns it into HTTP. Anything else that escapes becomes `server_error`, logged and never shown.
import { jsonResponse, type OAuthResponse } from './http';
import { log } from '../log';
import { outageCode, OUTAGE_RETRY_AFTER_SECONDS } from '../db/outage';
import { resourceMetadataParam } from './protected-resource';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'unsupported_token_type'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_client_id';

/**
 * RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ), printable ASCII without
 * '"' and '\\' (so it also fits a quoted-string in WWW-Authenticate, RFC 6750 §3). Strict clients
 * reject anything else.
 */
const DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;
const NOT_DESCRIPTION_CHARS = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/g;

/** True when `s` may be sent as an error_description (RFC 6749 §5.2: one or more allowed characters). */
export function isValidErrorDescription(s: string): boolean {
  return typeof s === 'string' && DESCRIPTION.test(s);
}

/**
 * Text we did not write (a request value, a library's message) made fit for an error_description:
 * at most `max` characters (then '...'); typographic quotes and the ellipsis of our own sentences
 * become their ASCII forms (' and ...), and every other character RFC 6749 §5.2 forbids becomes '?'.
 *
 * @param text any string, e.g. a parameter name or value from the request
 * @param max the longest part of `text` kept, in UTF-16 code units
 * @returns a string of allowed characters only ('?' for an empty input)
 */
export function sanitizeDescription(text: string, max = 200): string {
  const s = String(text);
  const cut = s.length > max ? `${s.slice(0, max)}...` : s;
  return cut.replace(/[\u2018\u2019\u201c\u201d]/g, "'").replace(/\u2026/g, '...').replace(NOT_DESCRIPTION_CHARS, '?') || '?';
}

/**
 * A request value quoted into an error_description, in single quotes: `'value'`. Values echoed
 * from the request must go through here (or sanitizeDescription), never straight into a message.
 *
 * @param value the value as received
 * @param max the longest part of `value` kept (default 50 characters)
 */
export function quoteValue(value: string, max = 50): string {
  return `'${sanitizeDescription(value, max)}'`;
}

export class OAuthError extends Error {
  /** Extra response headers (e.g. Retry-After). */
  headers: Record<string, string> = {};
  /** Authentication scheme for WWW-Authenticate on 401/403: Basic for clients, Bearer for resources. */
  scheme: 'Basic' | 'Bearer' | null = null;
  /** Scope to name in a Bearer insufficient_scope challenge. */
  requiredScope?: string;

  /**
   * @param code the RFC 6749 §5.2 / RFC 6750 §3.1 / RFC 8628 §3.5 error code
   * @param description human-readable text for the client developer; only the characters RFC 6749
   *   §5.2 allows (see isValidErrorDescription), else a TypeError: a programming error, caught by
   *   lib/oauth/errors.test.ts, which builds every message in lib/. Echo request values with quoteValue().
   * @param status the HTTP status of the answer
   */
  constructor(
    public code: OAuthErrorCode,
    public description?: string,
    public status = 400,
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'OAuthError';
    if (description !== undefined && !isValidErrorDescription(description)) {
      // Names the first bad character only: the text may hold a request value, which is not logged.
      const at = description.search(NOT_DESCRIPTION_CHARS);
      const cp = at < 0 ? 'none (empty)' : `U+${description.codePointAt(at)!.toString(16).toUpperCase().padStart(4, '0')} at ${at}`;
      throw new TypeError(`error_description of ${code} has a character RFC 6749 section 5.2 forbids: ${cp}`);
    }
  }

  withHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  /** The §5.2 body. */
  toJSON(): Record<string, string> {
    return this.description ? { error: this.code, error_description: this.description } : { error: this.code };
  }
}

const make =
  (code: OAuthErrorCode, status = 400) =>
  (description?: string) =>
    new OAuthError(code, description, status);

export const invalidRequest = make('invalid_request');
export const invalidGrant = make('invalid_grant');
export const unauthorizedClient = make('unauthorized_client');
export const unsupportedGrantType = make('unsupported_grant_type');
export const unsupportedResponseType = make('unsupported_response_type');
export const invalidScope = make('invalid_scope');
/** RFC 8707 §2: "The requested resource is invalid, missing, unknown, or malformed." */
export const invalidTarget = make('invalid_target');
export const accessDenied = make('access_denied', 403);
export const loginRequired = make('login_required');
export const consentRequired = make('consent_required');
export const authorizationPending = make('authorization_pending');
export const slowDown = make('slow_down');
export const expiredToken = make('expired_token');
/** RFC 8628 §3.5 access_denied while the device polls: a token endpoint error (RFC 6749 §5.2), so 400. */
export const deviceAccessDenied = make('access_denied');
export const unsupportedTokenType = make('unsupported_token_type');
/** RFC 7591 §3.2.2: a redirect URI (or post-logout redirect URI) of a registration request is not acceptable. */
export const invalidRedirectUri = make('invalid_redirect_uri');
/** RFC 7591 §3.2.2: another client metadata field is missing, malformed or not allowed. */
export const invalidClientMetadata = make('invalid_client_metadata');
export const tooManyRequests = (description: string, retryAfter: number) =>
  new OAuthError('temporarily_unavailable', description, 429).withHeader('Retry-After', String(retryAfter));

/**
 * RFC 9110 §15.5.6 405 Method Not Allowed, for endpoints that answer other methods with HTTP's own
 * refusal rather than the protocol's invalid_request (discovery, JWKS, the example API).
 * @param description the error_description (RFC 6749 §5.2 characters), e.g. 'Use GET.'
 * @param allow the Allow header: the methods the resource serves (RFC 9110 §10.2.1)
 */
export const methodNotAllowed = (description: string, allow: string) => new OAuthError('invalid_request', description, 405).withHeader('allow', allow);

/**
 * RFC 6749 §5.2 invalid_client. "If the client attempted to authenticate via the "Authorization"
 * request header field, the authorization server MUST respond with an HTTP 401 (Unauthorized) status
 * code and include the WWW-Authenticate response header field matching the authentication scheme
 * used by the client." Client authentication here is Basic, so that is the challenge.
 * Otherwise (credentials in the body, or none) the answer is §5.2's default 400 without a challenge:
 * a 401 must carry one (RFC 9110 §15.5.2), and a Basic challenge makes a browser's fetch() raise
 * its own sign-in prompt.
 *
 * @param description the error_description
 * @param opts.challenge true when the request carried an Authorization header
 */
export function invalidClient(description = 'Client authentication failed.', opts: { challenge: boolean } = { challenge: false }) {
  if (!opts.challenge) return new OAuthError('invalid_client', description, 400);
  const e = new OAuthError('invalid_client', description, 401);
  e.scheme = 'Basic';
  return e;
}

/** RFC 6750 §3.1. With no description and no code, the challenge carries no error (no token sent). */
export function invalidToken(description?: string) {
  const e = new OAuthError('invalid_token', description ?? 'The access token is missing, expired, revoked or invalid.', 401);
  e.scheme = 'Bearer';
  return e;
}

export function missingToken() {
  const e = invalidToken();
  e.description = undefined;
  (e as { code: OAuthErrorCode | '' }).code = '';
  return e;
}

/** RFC 6750 §3.1 invalid_request (400) at a protected resource, with a Bearer challenge: a malformed request. */
export function invalidBearerRequest(description: string) {
  const e = new OAuthError('invalid_request', description, 400);
  e.scheme = 'Bearer';
  return e;
}

/** RFC 9110 §15.5.14 413 Content Too Large, as an RFC 6749 §5.2 invalid_request. */
export const contentTooLarge = (description: string) => new OAuthError('invalid_request', description, 413);

export function insufficientScope(required: string) {
  const e = new OAuthError('insufficient_scope', `This resource needs the scope '${sanitizeDescription(required)}'.`, 403);
  e.scheme = 'Bearer';
  e.requiredScope = required;
  return e;
}

/**
 * RFC 6749 §4.1.2.1, §5.2 temporarily_unavailable as 503 Service Unavailable (RFC 9110 §15.6.4)
 * with Retry-After (§10.2.3): the server cannot answer now (the database is unreachable or
 * restarting) and will again without anything changing on the client's side.
 * @param retryAfter seconds the client should wait before trying again
 */
export function temporarilyUnavailable(description = 'The service is temporarily unavailable; retry later.', retryAfter = OUTAGE_RETRY_AFTER_SECONDS) {
  return new OAuthError('temporarily_unavailable', description, 503).withHeader('Retry-After', String(retryAfter));
}

export function serverError() {
  return new OAuthError('server_error', 'The server could not complete the request.', 500);
}

const quote = (s: string) => s.replace(/[\\"]/g, '');

/** What a protected resource adds to its Bearer challenges. */
export interface BearerChallengeParams {
  /** RFC 9728 §5.1: the URL of the resource's protected resource metadata. */
  resourceMetadata?: string;
}

function challenge(e: OAuthError, realm: string, params: BearerChallengeParams): string | null {
  if (!e.scheme) return null;
  if (e.scheme === 'Basic') return `Basic realm="${realm}"`;
  const parts = [`Bearer realm="${realm}"`];
  if (e.code) parts.push(`error="${e.code}"`);
  if (e.description) parts.push(`error_description="${quote(e.description)}"`);
  if (e.requiredScope) parts.push(`scope="${quote(e.requiredScope)}"`);
  if (params.resourceMetadata) parts.push(resourceMetadataParam(params.resourceMetadata));
  return parts.join(', ');
}

/**
 * Any thrown value → the protocol's JSON error response. Unknown errors are logged, never shown.
 * @param realm the realm of a WWW-Authenticate challenge (RFC 9110 §11.6.1)
 * @param params what a protected resource adds to a Bearer challenge (RFC 9728 §5.1 resource_metadata)
 */
export function toErrorResponse(err: unknown, realm = 'oauth', params: BearerChallengeParams = {}): OAuthResponse {
  const e = err instanceof OAuthError ? err : logUnexpected(err);
  const body = e.code ? e.toJSON() : {};
  const res = jsonResponse(body, e.status, e.headers);
  const c = challenge(e, realm, params);
  if (c) res.headers['www-authenticate'] = c;
  return res;
}

/**
 * Logs an unexpected error (lib/log.ts: message, causes and our own stack frames; never bound
 * values, tokens or secrets) and returns the error to answer with: for a database outage
 * (lib/db/outage.ts) `temporarily_unavailable` (503, Retry-After), else `server_error` (500).
 */
export function logUnexpected(err: unknown): OAuthError {
  const outage = outageCode(err);
  if (outage) {
    // Expected while the database is away, and the same for every request: the code says which.
    log.warn('database.unavailable', { error_code: outage });
    return temporarilyUnavailable('The database is temporarily unavailable; retry later.');
  }
  log.error('server_error', { err });
  return serverError();
}

// --- The authorization endpoint's errors (RFC 6749 §4.1.2.1) ------------------------------------

/**
 * Where an authorization response goes back to the client: the redirect URI verified against the
 * client's registration (RFC 6749 §3.1.2.3), the request's `state` and the issuer (RFC 9207 §2).
 */
export interface ClientRedirect {
  /** The verified redirect URI, absolute; a registered query is kept (RFC 6749 §3.1.2). */
  redirectUri: string;
  /** The request's state, sent back exactly as received (§4.1.2, §4.1.2.1); undefined when there is none to send. */
  state?: string;
  /** This server's issuer identifier (RFC 9207 §2: `iss` in every authorization response, errors included). */
  iss: string;
}

/** A way on from an error page: a link to a page of this site. */
export interface PageLink {
  /** A same-site path (with its query), never a URL a request named. */
  href: string;
  label: string;
}

/** The words of an error page: what happened and how to fix it, as plain text (the view escapes it). */
export interface ErrorPageText {
  title: string;
  message: string;
  hint?: string;
  /** Links that carry out the fix (the page of the applications, "Add this callback"), first the main one. */
  links?: PageLink[];
}

/**
 * The authorization response URI (RFC 6749 §4.1.2 success, §4.1.2.1 error): the client's redirect
 * URI with `params` (code, or error and error_description), then `state` and `iss` appended to its
 * query; undefined values are left out.
 * @returns an absolute URL
 */
export function authorizationResponseUri(to: ClientRedirect, params: Record<string, string | undefined>): string {
  const u = new URL(to.redirectUri);
  for (const [k, v] of Object.entries({ ...params, state: to.state, iss: to.iss })) {
    if (v !== undefined) u.searchParams.append(k, v);
  }
  return u.toString();
}

/**
 * An error of the authorization endpoint, which knows whether it may redirect (RFC 6749 §4.1.2.1).
 * - Before the client and its redirect URI are verified it may not: "the authorization server
 *   SHOULD inform the resource owner of the error and MUST NOT automatically redirect the
 *   user-agent to the invalid redirection URI" (else it is an open redirector, RFC 9700 §4.11.2).
 *   The user reads `page` (`AuthorizationError.page`); `location` is null.
 * - Afterwards it goes back to the client (`AuthorizationError.toClient`): `location` is the verified
 *   redirect URI with error, error_description, state and iss (RFC 9207 §2).
 * The authorization endpoint's HTTP form turns it into that redirect or the HTML error page.
 */
export class AuthorizationError extends OAuthError {
  private constructor(
    code: OAuthErrorCode,
    description: string | undefined,
    status: number,
    /** The client to send the error to, or null: shown as a page. */
    readonly redirect: ClientRedirect | null,
    private readonly text: ErrorPageText | null,
  ) {
    super(code, description, status);
    this.name = 'AuthorizationError';
  }

  /**
   * An error shown to the user as a page, never sent to a redirect URI.
   * @param text the page's words (any characters: they are not an error_description)
   * @param status the page's HTTP status (400, or 403 for an application that may not ask)
   * @param code the RFC 6749 error code it stands for (for logs and tests)
   */
  static page(text: ErrorPageText, status = 400, code: OAuthErrorCode = 'invalid_request'): AuthorizationError {
    return new AuthorizationError(code, undefined, status, null, text);
  }

  /**
   * Any thrown value as an error for the client at its verified redirect URI: an OAuthError keeps
   * its code and description; anything else is logged and becomes server_error (logUnexpected). An
   * AuthorizationError passes unchanged (a page stays a page).
   */
  static toClient(err: unknown, to: ClientRedirect): AuthorizationError {
    if (err instanceof AuthorizationError) return err;
    const e = err instanceof OAuthError ? err : logUnexpected(err);
    return new AuthorizationError(e.code, e.description, e.status, to, null);
  }

  /** The error response's URI (RFC 6749 §4.1.2.1) when it goes to the client; null for a page. */
  get location(): string | null {
    return this.redirect && authorizationResponseUri(this.redirect, { error: this.code, error_description: this.description });
  }

  /** The page's words; for an error meant for the client, its code and description. */
  get page(): ErrorPageText {
    return this.text ?? { title: 'Authorization failed', message: this.description ? `${this.code}: ${this.description}` : this.code };
  }
}
