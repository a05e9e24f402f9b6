// The request gate: bounds every request body before anything reads it, on every path (the
// node:http door's endpoints and everything Next.js answers: pages, server actions, next-auth,
// route handlers). Over the limit: 413 in the endpoint's form, and the connection is closed
// without reading (let alone buffering) the rest.
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { env } from '../env';
import { payloadTooLarge, type ErrorForm } from '../http/body';
import { findRoute } from './routes';
import type { ManifestEntry } from './manifest';
import { writeAnswer } from './answer';

export interface RequestPolicy {
  /** The manifest entry the node:http door serves the request with; undefined when Next.js answers it. */
  route?: ManifestEntry;
  /** Largest body accepted, in bytes. */
  limit: number;
  /** The form of a 413 for this path. */
  errors: ErrorForm;
}

/** A Next.js server action: a POST carrying the `Next-Action` header (any value). */
const isServerAction = (req: IncomingMessage) => req.method === 'POST' && req.headers['next-action'] !== undefined;

/**
 * Who answers a request, and its body limit: the manifest entry's (MAX_BODY_BYTES) for the door's
 * endpoints, MAX_ACTION_BODY_BYTES for server actions that Next.js answers, MAX_BODY_BYTES for
 * everything else. A 413 is in the entry's error form (RFC 6749 §5.2 JSON, or HTML), JSON on
 * /api/*, an HTML page elsewhere.
 */
export function requestPolicy(req: IncomingMessage): RequestPolicy {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const action = isServerAction(req);
  const route = findRoute(pathname);
  const e = env();
  return {
    route,
    limit: route ? route.bodyLimit(e) : action ? e.MAX_ACTION_BODY_BYTES : e.MAX_BODY_BYTES,
    errors: route ? route.errors : pathname.startsWith('/api/') ? 'json' : 'html',
  };
}

/** How long a refused connection stays half-closed before it is torn down. */

/**
 * RFC 9112 §9.6: closing at once, with the client still sending, makes the kernel answer its next
 * segment with a reset, which can destroy our answer before the client reads it. So close in
 * stages, as nginx's lingering close does: send the answer and FIN, then keep the socket until
 * the client goes away or Settings.limits.lingerMs pass. Whatever still arrives is discarded, never kept.
 * node:http calls socket.destroySoon() after a `Connection: close` answer: this replaces it.
 */
function lingerBeforeClose(socket: Socket): void {
  (socket as Socket & { destroySoon: () => void }).destroySoon = function (this: Socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), env().limits.lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/**
 * Answers 413 (RFC 9110 §15.5.14) with `Connection: close`, without reading the rest of the body
 * (let alone buffering it); the connection is then closed (lingerBeforeClose).
 */
export function refuseTooLarge(res: ServerResponse, form: ErrorForm, limit: number): void {
  const r = payloadTooLarge(form, limit);
  // Claim the unread body and leave it paused: node:http would otherwise read and discard it
  // (req._dump) for as long as the socket lingers. Paused, at most one buffer's worth (the
  // stream's highWaterMark) arrives before the socket stops reading.
  const req = res.req;
  if (!req.readableEnded) {
    req.pause();
    req.read(0);
  }
  if (res.socket) lingerBeforeClose(res.socket);
  writeAnswer(res, r, { connection: 'close' });
}

/**
 * The same request with its (already read, bounded) body replayed from memory, for a handler
 * that reads the request stream itself (Next.js). It carries a Content-Length instead of
 * Transfer-Encoding, as if the client had sent one.
 */
export class ReplayedRequest extends IncomingMessage {
  constructor(from: IncomingMessage, body: Buffer) {
    super(from.socket);
    this.method = from.method;
    this.url = from.url;
    this.httpVersion = from.httpVersion;
    this.httpVersionMajor = from.httpVersionMajor;
    this.httpVersionMinor = from.httpVersionMinor;
    const headers = { ...from.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    this.headers = headers;
    const raw: string[] = [];
    for (let i = 0; i + 1 < from.rawHeaders.length; i += 2) {
      const name = from.rawHeaders[i].toLowerCase();
      if (name !== 'transfer-encoding' && name !== 'content-length') raw.push(from.rawHeaders[i], from.rawHeaders[i + 1]);
    }
    this.rawHeaders = [...raw, 'Content-Length', String(body.length)];
    this.complete = true;
    if (body.length) this.push(body);
    this.push(null);
  }

  // Everything is already buffered: never resume the socket (it belongs to the original request).
  override _read() {}
}

/**
 * Runs before anything reads the request: calls `pass` with a request whose body is at most
 * `policy.limit` bytes, or answers 413 itself.
 * - No body (neither Content-Length nor Transfer-Encoding, RFC 9112 §6.3): passed through.
 * - Content-Length over the limit: 413 at once; not a byte is read.
 * - Content-Length within it: passed through (node:http's parser never delivers more).
 * - Transfer-Encoding (chunked): bytes are counted as they arrive; past the limit, 413. A body
 *   that ends within it is replayed from memory (ReplayedRequest), so the handler reads a bounded
 *   body. Replaying rather than refusing chunked bodies with 411 keeps HTTP/1.1 clients that
 *   stream (curl -T, fetch with a stream body) working on every path with one rule; the memory it
 *   costs is bounded by the same limit.
 * @param expectsContinue the client sent `Expect: 100-continue`: send 100 only for a body we accept
 */
export function gateRequest(req: IncomingMessage, res: ServerResponse, policy: RequestPolicy, expectsContinue: boolean, pass: (req: IncomingMessage) => void): void {
  const { limit, errors } = policy;
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const declared = req.headers['content-length'];
  if (!chunked) {
    if (declared !== undefined && Number(declared) > limit) return refuseTooLarge(res, errors, limit);
    if (expectsContinue) res.writeContinue();
    return pass(req);
  }
  if (expectsContinue) res.writeContinue();
  const chunks: Buffer[] = [];
  let size = 0;
  const stop = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', stop);
  };
  const onData = (c: Buffer) => {
    size += c.length;
    if (size > limit) {
      stop();
      req.pause();
      chunks.length = 0;
      refuseTooLarge(res, errors, limit);
      return;
    }
    chunks.push(c);
  };
  const onEnd = () => {
    stop();
    pass(new ReplayedRequest(req, Buffer.concat(chunks, size)));
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', stop); // the client went away: nothing to answer
}
