// The same endpoint functions behind Next.js route handlers (used by `next dev`/`next start`
// without the custom server). Thin: Request → OAuthRequest → endpoint → Response.
import type { OAuthRequest, OAuthResponse } from '../oauth/http';
import { toErrorResponse } from '../oauth/errors';
import { clientIp } from '../http/client-ip';
import { payloadTooLarge, readBoundedText } from '../http/body';
import { env } from '../env';
import { endpointMethod } from './routes';

export type Endpoint = (req: OAuthRequest) => Promise<OAuthResponse>;

/** The Request as an OAuthRequest; null when its body is over MAX_BODY_BYTES (read no further). */
export async function toOAuthRequest(request: Request): Promise<OAuthRequest | null> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await readBoundedText(request, env().MAX_BODY_BYTES);
  if (body === null) return null;
  const u = new URL(request.url);
  return {
    method: endpointMethod(request.method),
    url: new URL(u.pathname + u.search, env().ISSUER),
    headers: request.headers,
    body,
    ip: clientIp(request.headers),
  };
}

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

export function nextDoor(endpoint: Endpoint) {
  return async (request: Request): Promise<Response> => {
    try {
      const req = await toOAuthRequest(request);
      const head = request.method === 'HEAD';
      if (!req) return toResponse(payloadTooLarge('json', env().MAX_BODY_BYTES), head);
      return toResponse(await endpoint(req), head);
    } catch (err) {
      return toResponse(toErrorResponse(err), request.method === 'HEAD');
    }
  };
}
