// The one error type of the protocol core (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3; RFC 8628 §3.5).
// Endpoints throw OAuthError; exactly one place (toErrorResponse / the authorize renderer)
// turns it into HTTP. Anything else that escapes becomes `server_error`, logged and never shown.
import { jsonResponse, type OAuthResponse } from './http';
import { log } from '../log';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
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
  | 'invalid_client_id';

export class OAuthError extends Error {
  /** Extra response headers (e.g. Retry-After). */
  headers: Record<string, string> = {};
  /** Authentication scheme for WWW-Authenticate on 401/403: Basic for clients, Bearer for resources. */
  scheme: 'Basic' | 'Bearer' | null = null;
  /** Scope to name in a Bearer insufficient_scope challenge. */
  requiredScope?: string;

  constructor(
    public code: OAuthErrorCode,
    public description?: string,
    public status = 400,
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'OAuthError';
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
export const accessDenied = make('access_denied', 403);
export const loginRequired = make('login_required');
export const consentRequired = make('consent_required');
export const authorizationPending = make('authorization_pending');
export const slowDown = make('slow_down');
export const expiredToken = make('expired_token');
export const unsupportedTokenType = make('unsupported_token_type');
export const tooManyRequests = (description: string, retryAfter: number) =>
  new OAuthError('temporarily_unavailable', description, 429).withHeader('Retry-After', String(retryAfter));

/** RFC 6749 §5.2: 401 with a WWW-Authenticate challenge for the scheme the client tried. */
export function invalidClient(description = 'Client authentication failed.') {
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

export function insufficientScope(required: string) {
  const e = new OAuthError('insufficient_scope', `This resource needs the scope "${required}".`, 403);
  e.scheme = 'Bearer';
  e.requiredScope = required;
  return e;
}

export function serverError() {
  return new OAuthError('server_error', 'The server could not complete the request.', 500);
}

const quote = (s: string) => s.replace(/[\\"]/g, '');

function challenge(e: OAuthError, realm: string): string | null {
  if (!e.scheme) return null;
  if (e.scheme === 'Basic') return `Basic realm="${realm}"`;
  const parts = [`Bearer realm="${realm}"`];
  if (e.code) parts.push(`error="${e.code}"`);
  if (e.description) parts.push(`error_description="${quote(e.description)}"`);
  if (e.requiredScope) parts.push(`scope="${quote(e.requiredScope)}"`);
  return parts.join(', ');
}

/** Any thrown value → the protocol's JSON error response. Unknown errors are logged, never shown. */
export function toErrorResponse(err: unknown, realm = 'oauth'): OAuthResponse {
  const e = err instanceof OAuthError ? err : logUnexpected(err);
  const body = e.code ? e.toJSON() : {};
  const res = jsonResponse(body, e.status, e.headers);
  const c = challenge(e, realm);
  if (c) res.headers['www-authenticate'] = c;
  return res;
}

/**
 * Logs an unexpected error (lib/log.ts: message, causes and our own stack frames; never bound
 * values, tokens or secrets) and returns the `server_error` to answer with.
 */
export function logUnexpected(err: unknown): OAuthError {
  log.error('server_error', { err });
  return serverError();
}
