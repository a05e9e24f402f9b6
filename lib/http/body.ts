// Request body limits: the one 413 answer, and a bounded reader for Fetch-API requests (Next.js
// route handlers). The node:http front door enforces the same limits before anything reads a
// body (lib/server/request-gate.ts); these keep route handlers safe on their own too.
import { contentTooLarge, toErrorResponse } from '../oauth/errors';
import { htmlErrorPage } from '../oauth/error-page';
import type { OAuthResponse } from '../oauth/http';

/** How an endpoint says what went wrong: RFC 6749 §5.2 JSON (OAuth endpoints, /api/*) or an HTML page. */
export type ErrorForm = 'json' | 'html';

/** "64 KiB", "1 MiB": a byte count as people read it. */
const formatBytes = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${Math.round(n / 1024)} KiB`);

/**
 * RFC 9110 §15.5.14 413 Content Too Large, in the endpoint's own form: `invalid_request` JSON
 * (RFC 6749 §5.2 style, no-store) or a short HTML page.
 * @param limit the limit in bytes that the body exceeded
 */
export function payloadTooLarge(form: ErrorForm, limit: number): OAuthResponse {
  const message = `The request body is larger than ${formatBytes(limit)}.`;
  if (form === 'json') return toErrorResponse(contentTooLarge(message));
  return htmlErrorPage({ status: 413, title: 'Request too large', message, hint: 'Send less data: this server refuses larger requests.' });
}

/**
 * Reads a Fetch-API request body as UTF-8 text, stopping (and cancelling the stream) as soon as
 * it exceeds `limit` bytes, so an oversized body is never held in memory.
 * @returns the text ('' without a body), or null when the body is larger than `limit` bytes
 */
export async function readBoundedText(request: Request, limit: number): Promise<string | null> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
