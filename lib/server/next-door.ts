// The same endpoint functions behind Next.js route handlers (used by `next dev`/`next start`
// without the custom server). Thin: Request → OAuthRequest → endpoint → Response.
import type { OAuthRequest, OAuthResponse } from '../oauth/http';
import { toErrorResponse } from '../oauth/errors';
import { clientIp } from '../http/client-ip';
import { payloadTooLarge, readBoundedText } from '../http/body';
import { env } from '../env';

export type Endpoint = (req: OAuthRequest) => Promise<OAuthResponse>;

/** The Request as an OAuthRequest; null when its body is over MAX_BODY_BYTES (read no further). */
export async function toOAuthRequest(request: Request): Promise<OAuthRequest | null> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await readBoundedText(request, env().MAX_BODY_BYTES);
  if (body === null) return null;
  const u = new URL(request.url);
  return {
    method: request.method,
    url: new URL(u.pathname + u.search, env().ISSUER),
    headers: request.headers,
    body,
    ip: clientIp(request.headers),
  };
}

export function toResponse(r: OAuthResponse): Response {
  return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
}

export function nextDoor(endpoint: Endpoint) {
  return async (request: Request): Promise<Response> => {
    try {
      const req = await toOAuthRequest(request);
      if (!req) return toResponse(payloadTooLarge('json', env().MAX_BODY_BYTES));
      return toResponse(await endpoint(req));
    } catch (err) {
      return toResponse(toErrorResponse(err));
    }
  };
}
