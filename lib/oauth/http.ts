// A minimal, framework-free request/response shape for the protocol core. The node:http door and
// the Next.js route handlers both adapt to it (lib/server/*), so each endpoint is one function.
import { invalidRequest, quoteValue } from './errors';
import { hasNul } from '../fields';

export interface HeaderReader {
  get(name: string): string | null;
}

export interface OAuthRequest {
  method: string;
  url: URL;
  headers: HeaderReader;
  /** Raw body text ('' when none). The doors refuse a body over its route manifest entry's limit with 413. */
  body: string;
  /** Client IP, for rate limits and the audit log. */
  ip: string;
}

export interface OAuthResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

/** RFC 6749 §5.1: token responses and errors must not be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function jsonResponse(body: unknown, status = 200, extra: Record<string, string> = {}): OAuthResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...extra },
    body: JSON.stringify(body),
  };
}

/**
 * A redirect. 302 answers a GET; a POST's redirect is 303 See Other (RFC 9110 §15.4.4), so the
 * browser follows it with a GET and never re-sends the form (RFC 9700 §4.12: never 307).
 */
export function redirectResponse(location: string, extra: Record<string, string> = {}, status: 302 | 303 = 302): OAuthResponse {
  return { status, headers: { location, ...NO_STORE, ...extra }, body: '' };
}

export type Params = Map<string, string>;

/**
 * Parses query or form parameters. RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT
 * be included more than once." Parameters sent without a value are treated as omitted.
 */
export function parseParams(search: URLSearchParams): Params {
  const out: Params = new Map();
  for (const [k, v] of search) {
    refuseNul(k, v);
    if (REPEATABLE.has(k) && out.has(k) && v !== '') {
      out.set(k, `${out.get(k)}\0${v}`);
      continue;
    }
    if (out.has(k)) throw invalidRequest(`The parameter ${quoteValue(k)} was sent more than once.`);
    if (v !== '') out.set(k, v);
  }
  return out;
}

/** Parameters that may be sent more than once: RFC 8707 §2 `resource` ("may be used multiple times"). */
const REPEATABLE = new Set(['resource']);

/**
 * Every value of a repeatable parameter (REPEATABLE), in request order; [] when absent. They are
 * kept NUL-separated in the one map entry: no value can hold a NUL (refuseNul).
 */
export const paramValues = (p: Params, name: string): string[] => p.get(name)?.split('\0') ?? [];

/**
 * No parameter of ours may hold a NUL in its name or value (and PostgreSQL text cannot store one).
 * @throws OAuthError invalid_request naming the parameter
 */
export function refuseNul(name: string, value: string): void {
  if (hasNul(value) || hasNul(name)) throw invalidRequest(`The parameter ${quoteValue(name)} contains a NUL character.`);
}

/**
 * RFC 6749 §3.2: the token endpoint (and those built like it: revocation, introspection, device
 * authorization) takes application/x-www-form-urlencoded. The endpoint wrapper (lib/oauth/endpoint.ts)
 * runs it after the method check, on the body the door has already bounded.
 * @throws OAuthError invalid_request for another content type, a repeated parameter or a NUL
 */
export function parseForm(req: OAuthRequest): Params {
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('The request body must be application/x-www-form-urlencoded.');
  }
  return parseParams(new URLSearchParams(req.body));
}

export function required(p: Params, name: string): string {
  const v = p.get(name);
  if (v === undefined) throw invalidRequest(`The parameter '${name}' is missing.`);
  return v;
}
