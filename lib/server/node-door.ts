// The node:http door: the route manifest's endpoints (manifest.ts) served straight from node:http,
// skipping the App Router's per-request overhead. The front door (front-door.ts) decides which
// requests come here (routes.ts findRoute); every other path goes to Next.js.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthRequest } from '../oauth/http';
import { toErrorResponse } from '../oauth/errors';
import { clientIp } from '../http/client-ip';
import { env } from '../env';
import { refuseTooLarge } from './request-gate';
import { writeAnswer } from './answer';
import type { ManifestEntry } from './manifest';

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
    // Listeners inline, unnamed: tsx (esbuild keepNames) names a named closure at each creation (~1 µs).
    req.on('data', (c: Buffer) => {
      if (size > limit) return; // refused already (paused; the rest is left unread)
      size += c.length;
      if (size > limit) {
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A node:http request's headers as an OAuthRequest's: `get(name)` is the value, a repeated
 * header's values joined by ", ", or null. A class: one object per request, no closure to name.
 */
class NodeHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const v = this.headers[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
}

/**
 * Serves a request with its manifest entry: reads the body (at most the entry's limit, else 413),
 * builds the OAuthRequest (the client IP as the front door resolved it) and writes the entry's
 * answer with the security headers (answer.ts). HEAD goes to the entry as HEAD (its wrapper runs it
 * as GET); node:http then sends the headers only (RFC 9110 §9.3.2).
 */
export function serveEndpoint(req: IncomingMessage, res: ServerResponse, entry: ManifestEntry): void {
  void (async () => {
    try {
      const e = env();
      const limit = entry.bodyLimit(e);
      const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req, limit);
      if (body === null) return refuseTooLarge(res, entry.errors, limit);
      const headers = new NodeHeaders(req.headers);
      const oreq: OAuthRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', e.ISSUER), headers, body, ip: clientIp(headers) };
      writeAnswer(res, await entry.serve(oreq));
    } catch (err) {
      // The client went away or was cut off mid-body (a 408 from REQUEST_TIMEOUT_MS, a reset):
      // there is no one to answer, and it is not a server error to log.
      if (req.destroyed && !req.complete) return void res.destroy();
      if (!res.headersSent) writeAnswer(res, toErrorResponse(err));
      else res.destroy();
    }
  })();
}
