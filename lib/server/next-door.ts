// The same endpoint functions behind Next.js route handlers (used by `next dev`/`next start`
// without the custom server). Thin: Request → OAuthRequest → endpoint → Response.
import { MAX_BODY_BYTES, type OAuthRequest, type OAuthResponse } from '../oauth/http';
import { invalidRequest, toErrorResponse } from '../oauth/errors';
import { clientIp } from '../http/client-ip';
import { env } from '../env';

export type Endpoint = (req: OAuthRequest) => Promise<OAuthResponse>;

export async function toOAuthRequest(request: Request): Promise<OAuthRequest | null> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return null;
  const u = new URL(request.url);
  return {
    method: request.method,
    url: new URL(u.pathname + u.search, env().ISSUER),
    headers: request.headers,
    body,
    ip: clientIp(request.headers, request.headers.get('x-oauth-client-ip')),
  };
}

export function toResponse(r: OAuthResponse): Response {
  return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
}

export function nextDoor(endpoint: Endpoint) {
  return async (request: Request): Promise<Response> => {
    try {
      const req = await toOAuthRequest(request);
      if (!req) return toResponse(toErrorResponse(invalidRequest(`The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`)));
      return toResponse(await endpoint(req));
    } catch (err) {
      return toResponse(toErrorResponse(err));
    }
  };
}
