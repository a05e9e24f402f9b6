// How the front door writes an answer of its own (the node:http door's endpoints, its 400, 413 and
// 431 pages): with the security headers every answer of this server carries (lib/http/security-headers.ts,
// the one set, which next.config.mjs reads too, for everything Next.js answers).
import type { ServerResponse } from 'node:http';
import type { OAuthResponse } from '../oauth/http';
import { SECURITY_HEADERS } from '../http/security-headers';

/**
 * The answer's headers under the security headers: an answer's own header of the same name wins
 * (an error page's stricter Content-Security-Policy).
 */
export function withSecurityHeaders(headers: Record<string, string>): Record<string, string> {
  return { ...SECURITY_HEADERS, ...headers };
}

/**
 * Writes `r` with the security headers and its Content-Length (none on a 204 or 304: RFC 9110 §8.6).
 * @param extra more headers (e.g. `connection: close`)
 */
export function writeAnswer(res: ServerResponse, r: OAuthResponse, extra?: Record<string, string>): void {
  // One headers object per answer (this is every door answer's path).
  const headers: Record<string, string> = Object.assign({}, SECURITY_HEADERS, r.headers);
  const empty = r.status === 204 || r.status === 304;
  if (!empty) headers['content-length'] = String(Buffer.byteLength(r.body));
  if (extra) Object.assign(headers, extra);
  res.writeHead(r.status, headers);
  res.end(empty ? undefined : r.body);
}
