// The production door for the hot endpoints: node:http straight into lib/oauth, skipping the
// App Router's per-request overhead. Every other path goes to Next.js.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, type OAuthRequest, type OAuthResponse } from '../oauth/http';
import { invalidRequest, toErrorResponse } from '../oauth/errors';
import { clientIp } from '../http/client-ip';
import { env } from '../env';
import { findRoute } from './routes';

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, r: OAuthResponse) {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

/** Serves the request if its path is a hot endpoint; returns false to hand it to Next. */
export function serveFast(req: IncomingMessage, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void): boolean {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const route = findRoute(q < 0 ? rawUrl : rawUrl.slice(0, q), req.method ?? 'GET');
  if (!route) return false;
  void (async () => {
    try {
      const len = Number(req.headers['content-length'] ?? 0);
      const body = len > MAX_BODY_BYTES ? null : req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
      if (body === null) {
        req.resume();
        return write(res, toErrorResponse(invalidRequest(`The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`)));
      }
      const headers = req.headers;
      const oreq: OAuthRequest = {
        method: req.method ?? 'GET',
        url: new URL(rawUrl, env().ISSUER),
        headers: { get: (n) => { const v = headers[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; } },
        body,
        ip: clientIp({ get: (n) => (headers[n] as string | undefined) ?? null }, req.socket.remoteAddress),
      };
      const out = await route(oreq);
      if (out === null) return fallback(req, res);
      write(res, out);
    } catch (err) {
      if (!res.headersSent) write(res, toErrorResponse(err));
      else res.destroy();
    }
  })();
  return true;
}
