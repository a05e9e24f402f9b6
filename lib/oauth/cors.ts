// Per-application CORS (the tutorial's CORS_ORIGIN_ALLOW_ALL, done properly): the token, revoke,
// introspect and userinfo endpoints and the example API answer an origin only if the calling
// application lists it in its Allowed origins. Discovery and JWKS are public (`*`). Which policy an
// endpoint has is said once, in the route manifest (lib/server/manifest.ts); the endpoint wrapper
// (lib/oauth/endpoint.ts) applies it to every answer, errors included.
import type { OAuthRequest, OAuthResponse } from './http';
import type { Application } from '../db/schema';
import { canonicalOrigin } from '../canonical';
import { anyApplicationAllowsOrigin } from '../db/queries/clients';
import { env } from '../env';

const ALLOW_HEADERS = 'Authorization, Content-Type';

/** The application whose Allowed origins an answer follows. */
export type CorsApplication = Pick<Application, 'allowedOrigins'>;

/** Access-Control-Allow-Methods: the endpoint's methods and OPTIONS. */
const allowMethods = (methods: readonly string[]) => [...methods, 'OPTIONS'].join(', ');

/**
 * Adds CORS headers when the request's Origin, in canonical form (RFC 6454), is one of `app`'s
 * allowed origins (stored canonical by the application forms and migration 0002).
 */
export function withCors(res: OAuthResponse, req: OAuthRequest, app: CorsApplication | null | undefined): OAuthResponse {
  const origin = req.headers.get('origin');
  if (!origin) return res;
  res.headers.vary = res.headers.vary ? `${res.headers.vary}, Origin` : 'Origin';
  const o = canonicalOrigin(origin);
  if (o && app?.allowedOrigins.includes(o)) {
    res.headers['access-control-allow-origin'] = o;
    res.headers['access-control-expose-headers'] = 'WWW-Authenticate';
  }
  return res;
}

/** A public document's answer (discovery, JWKS): any origin may read it. */
export function withPublicCors(res: OAuthResponse): OAuthResponse {
  res.headers['access-control-allow-origin'] = '*';
  return res;
}

// A preflight carries no credentials, so it is answered for an origin that *any* application
// allows; the real request is then checked against its own application.
const KEY = Symbol.for('oauth.originCache');
type G = typeof globalThis & { [KEY]?: Map<string, { ok: boolean; at: number }> };
const originCache = ((globalThis as G)[KEY] ??= new Map());

async function anyAppAllows(origin: string): Promise<boolean> {
  const hit = originCache.get(origin);
  if (hit && Date.now() - hit.at < 30_000) return hit.ok;
  const ok = await anyApplicationAllowsOrigin(origin);
  if (originCache.size > 10_000) originCache.clear();
  originCache.set(origin, { ok, at: Date.now() });
  return ok;
}

/**
 * A CORS preflight for a per-application endpoint: 204, with the CORS headers when the Origin is
 * one that any application allows.
 * @param methods the endpoint's methods (OPTIONS is added)
 */
export async function preflight(req: OAuthRequest, methods: readonly string[] = ['GET', 'POST']): Promise<OAuthResponse> {
  const res: OAuthResponse = { status: 204, headers: { vary: 'Origin' }, body: '' };
  const o = canonicalOrigin(req.headers.get('origin') ?? '');
  if (o && (await anyAppAllows(o))) {
    Object.assign(res.headers, {
      'access-control-allow-origin': o,
      'access-control-allow-methods': allowMethods(methods),
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': String(env().CORS_MAX_AGE_SECONDS),
    });
  }
  return res;
}

/**
 * A CORS preflight for a public document: any origin.
 * @param methods the endpoint's methods (OPTIONS is added)
 */
export function publicPreflight(methods: readonly string[] = ['GET']): OAuthResponse {
  return {
    status: 204,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': allowMethods(methods),
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': String(env().CORS_MAX_AGE_SECONDS),
    },
    body: '',
  };
}
