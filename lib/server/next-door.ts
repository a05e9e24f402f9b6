// The Next.js door: the route manifest's endpoints (manifest.ts) as App Router route handlers, for
// plain `next dev` / `next start` without the custom server (server.ts serves the same entries from
// the node:http door). Each endpoint's route file is one line over its entry:
//   export const { GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = routeHandlers('token');
import type { OAuthRequest, OAuthResponse } from '../oauth/http';
import { toErrorResponse } from '../oauth/errors';
import type { EndpointName } from '../oauth/paths';
import { clientIp } from '../http/client-ip';
import { payloadTooLarge, readBoundedText } from '../http/body';
import { env } from '../env';
import { MANIFEST, type ManifestEntry } from './manifest';

/**
 * The methods an App Router route file can export (Next.js's HTTP_METHODS). An endpoint's route
 * exports them all, so that its wrapper, not Next.js, answers each one, as the node door does: an
 * unexported method would get Next.js's bare 405, an unexported OPTIONS its automatic 204.
 */
export const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];
export type RouteHandler = (request: Request) => Promise<Response>;

/**
 * The endpoint's answer as a Fetch-API Response.
 * @param head the request was HEAD: the same status and headers, no content (RFC 9110 §9.3.2)
 */
export function toResponse(r: OAuthResponse, head = false): Response {
  return new Response(head || r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
}

/**
 * A HEAD handler for a Next.js route whose GET handler knows only GET (next-auth's): the request
 * runs as GET and the answer goes out without its content (RFC 9110 §9.3.2).
 */
export function headAsGet<R extends Request>(get: (req: R) => Promise<Response>, asGet: (req: R) => R) {
  return async (request: R): Promise<Response> => {
    const r = await get(asGet(request));
    return new Response(null, { status: r.status, statusText: r.statusText, headers: r.headers });
  };
}

/**
 * A Fetch Request as an OAuthRequest: its URL under `issuer` (never the Host the request names),
 * its body as read. The client IP is `clientIp()`'s: without the front door in this process (plain
 * `next start`) it is 'unknown', never the x-oauth-client-ip header a client sent (lib/http/client-ip.ts).
 * @param issuer ISSUER
 */
export function toOAuthRequest(request: Request, body: string, issuer: string): OAuthRequest {
  const u = new URL(request.url);
  return { method: request.method, url: new URL(u.pathname + u.search, issuer), headers: request.headers, body, ip: clientIp(request.headers) };
}

/**
 * Serves a Fetch Request with a manifest entry: the body read up to the entry's limit (413 in the
 * entry's error form past it), the entry's wrapper, the answer as a Response (security headers:
 * next.config.mjs).
 */
function adapt(entry: ManifestEntry): RouteHandler {
  return async (request) => {
    const head = request.method === 'HEAD';
    try {
      const e = env();
      const limit = entry.bodyLimit(e);
      const body = request.method === 'GET' || head ? '' : await readBoundedText(request, limit);
      if (body === null) return toResponse(payloadTooLarge(entry.errors, limit), head);
      return toResponse(await entry.serve(toOAuthRequest(request, body, e.ISSUER)), head);
    } catch (err) {
      // Reading the body failed (the client went away); the entry itself never throws.
      return toResponse(toErrorResponse(err), head);
    }
  };
}

const made = new Map<EndpointName, Readonly<Record<RouteMethod, RouteHandler>>>();

/**
 * The route handlers of a manifest entry, one per method Next.js dispatches (all the same
 * function: the entry's wrapper tells the methods apart). The same object for the same name, so a
 * test can check that a route file exports exactly these.
 */
export function routeHandlers(name: EndpointName): Readonly<Record<RouteMethod, RouteHandler>> {
  let handlers = made.get(name);
  if (!handlers) {
    const handler = adapt(MANIFEST[name]);
    handlers = Object.freeze(Object.fromEntries(ROUTE_METHODS.map((m) => [m, handler])) as Record<RouteMethod, RouteHandler>);
    made.set(name, handlers);
  }
  return handlers;
}
