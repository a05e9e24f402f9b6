// The production door for the hot endpoints: node:http straight into lib/oauth, skipping the
// App Router's per-request overhead. The front door (front-door.ts) decides which requests come
// here; every other path goes to Next.js.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthRequest, OAuthResponse } from '../oauth/http';
import { toErrorResponse } from '../oauth/errors';
import { clientIp } from '../http/client-ip';
import { env } from '../env';
import { refuseTooLarge } from './request-gate';
import { endpointMethod, type RouteEntry } from './routes';

export type Fallback = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Reads the body as UTF-8 text, at most `limit` bytes. The request gate has bounded it already;
 * this reader holds the same line on its own (a declared or streamed body past the limit).
 * @returns the text, or null when the body is larger than `limit` (the rest is left unread)
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, r: OAuthResponse) {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

/** Serves a request on its door route; a route that answers null hands it to `fallback` (Next.js). */
export function serveFast(req: IncomingMessage, res: ServerResponse, entry: RouteEntry, fallback: Fallback): void {
  void (async () => {
    try {
      const limit = env().MAX_BODY_BYTES;
      const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req, limit);
      if (body === null) return refuseTooLarge(res, entry.errors, limit);
      const headers = req.headers;
      const get = (n: string) => {
        const v = headers[n.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      };
      // node:http sends no content in the answer to a HEAD (RFC 9110 §9.3.2), only its headers.
      const oreq: OAuthRequest = { method: endpointMethod(req.method ?? 'GET'), url: new URL(req.url ?? '/', env().ISSUER), headers: { get }, body, ip: clientIp({ get }) };
      const out = await entry.route(oreq);
      if (out === null) return fallback(req, res);
      write(res, out);
    } catch (err) {
      // The client went away or was cut off mid-body (a 408 from REQUEST_TIMEOUT_MS, a reset):
      // there is no one to answer, and it is not a server error to log.
      if (req.destroyed && !req.complete) return void res.destroy();
      if (!res.headersSent) write(res, toErrorResponse(err));
      else res.destroy();
    }
  })();
}
