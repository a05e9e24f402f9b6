// The HTTP server's one entry for every request (server.ts, and the integration tests' server):
// the client IP is resolved once, the body is bounded, then the node:http door answers the route
// manifest's endpoints (manifest.ts) and Next.js everything else.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CLIENT_IP_HEADER, resolveClientIp, trustClientIpHeader } from '../http/client-ip';
import { env } from '../env';
import { gateRequest, requestPolicy } from './request-gate';
import { htmlErrorPage } from '../oauth/error-page';
import { serveEndpoint } from './node-door';
import { withSecurityHeaders, writeAnswer } from './answer';
import { guardServerAction, isPossibleServerAction } from './action-request';

/**
 * Resolves the client IP (lib/http/client-ip.ts: socket address, and trusted proxies' header)
 * and writes it to CLIENT_IP_HEADER, replacing any copy the client sent, in both `headers` and
 * `rawHeaders`, so no later reader can see a client-chosen value.
 */
function setClientIp(req: IncomingMessage): void {
  const header = env().TRUST_PROXY_HEADER;
  // Without a proxy header the answer is the peer's address, the same for every request of a
  // keep-alive connection: resolved once per socket (the hot paths run this on every request).
  const ip = req.headers[header] === undefined ? peerIp(req.socket) : resolveClientIp(req.socket.remoteAddress, req.headers[header]);
  const sent = req.headers[CLIENT_IP_HEADER] !== undefined;
  req.headers[CLIENT_IP_HEADER] = ip;
  if (!sent) {
    req.rawHeaders.push(CLIENT_IP_HEADER, ip);
    return;
  }
  const raw: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== CLIENT_IP_HEADER) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  req.rawHeaders = [...raw, CLIENT_IP_HEADER, ip];
}

const PEER_IP = Symbol('peerIp');

/** resolveClientIp for a request without a proxy header, memoised on its socket. */
function peerIp(socket: Socket & { [PEER_IP]?: string }): string {
  return (socket[PEER_IP] ??= resolveClientIp(socket.remoteAddress, undefined));
}

/** The methods this server answers (RFC 9110 §9.3.7: the answer to `OPTIONS *`). */
const ALLOW = 'GET, HEAD, POST, OPTIONS';

/**
 * Brings the request-target to origin-form (RFC 9112 §3.2), the only form the routes, the body
 * limits and Next.js understand, or answers the request itself:
 * - origin-form (`/path?query`): unchanged, if its path decodes (hasDecodablePath);
 * - absolute-form (`http://host/path?query`, §3.2.2): its path and query. Its authority is ignored,
 *   as Host is: every URL we build comes from ISSUER;
 * - asterisk-form (`*`, §3.2.4): `OPTIONS *` gets 204 with Allow; any other method, 400;
 * - anything else (authority-form outside CONNECT, garbage): 400 page.
 * Answered here means `Connection: close`: a body the request may carry is never read.
 * @returns true when the request goes on (req.url is now origin-form), false when it was answered
 */
function toOriginForm(req: IncomingMessage, res: ServerResponse): boolean {
  const target = req.url ?? '';
  if (target.startsWith('/')) return hasDecodablePath(req, res);
  if (target === '*' && req.method === 'OPTIONS') {
    writeAnswer(res, { status: 204, headers: { allow: ALLOW }, body: '' }, { connection: 'close' });
    return false;
  }
  if (/^https?:\/\//i.test(target)) {
    try {
      const u = new URL(target);
      req.url = u.pathname + u.search;
      return hasDecodablePath(req, res);
    } catch {
      // not a URL: refused below
    }
  }
  writeAnswer(res, htmlErrorPage({ status: 400, title: 'Invalid request', message: 'The request target is not a path on this server.' }), { connection: 'close' });
  return false;
}

/**
 * RFC 3986 §2.1: a `%` in a path starts a pct-encoded octet, and the octets must be UTF-8 (§2.5)
 * for the path to mean anything to Next.js, which decodes each segment and answers a malformed
 * one (`/o/applications/%/`, `%FF`) with a 500. Such a path names nothing here: 400 page.
 * @returns true when the path decodes, false when it was answered
 */
function hasDecodablePath(req: IncomingMessage, res: ServerResponse): boolean {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    writeAnswer(res, htmlErrorPage({ status: 400, title: 'Invalid request', message: 'The request path has a malformed percent-encoding: it names no page on this server.' }), { connection: 'close' });
    return false;
  }
}

/**
 * RFC 9110 §9.3.8: TRACE is refused on every path Next.js would answer. Next.js cannot build a
 * Fetch Request for it (Fetch forbids the method), so its route handlers (end session, next-auth)
 * answered 500 with a logged error; its pages rendered as for GET. The route manifest's endpoints
 * answer TRACE themselves (their wrapper's refusal of other methods).
 * @returns true when the request was answered (405 page with Allow; the connection closes)
 */
function refusedTrace(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'TRACE') return false;
  const page = htmlErrorPage({ status: 405, title: 'Method not allowed', message: 'This server does not answer TRACE requests.' });
  writeAnswer(res, { ...page, headers: { ...page.headers, allow: ALLOW } }, { connection: 'close' });
  return true;
}

/** Node's own limit on a request's line and headers together (--max-http-header-size, 16 KB). */
const MAX_HEADER_KB = Math.round(http.maxHeaderSize / 1024);

/**
 * A request node:http could not parse (the 'clientError' event), answered as node would (431 for
 * a request line and headers past http.maxHeaderSize, 408 for a timeout, 400 otherwise), but with
 * a page that says what happened: node's own answers have no body, and a browser that followed a
 * too-long link showed only "This page isn't working". Nothing is written once a response has
 * started on the socket (the peer would read a corrupted answer); the socket is then closed.
 *
 * @param err the parser's error; its `code` picks the status (RFC 6585 §5 for 431)
 * @param socket the client's connection
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: { headersSent?: boolean } | null }): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const page =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? htmlErrorPage({
          status: 431,
          title: 'Request too large',
          message: `The address of this page (or the request's headers) is longer than this server accepts: ${MAX_HEADER_KB} KB.`,
          hint: `If an application sent you here, go back to it and tell its developer that its link is too long (authorization requests may be up to ${env().limits.authorizeMaxRequestBytes / 1024} KB). Otherwise, clear this site's cookies and try again.`,
        })
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? htmlErrorPage({ status: 408, title: 'Request timed out', message: 'The request did not arrive in time.', hint: 'Try again.' })
        : htmlErrorPage({ status: 400, title: 'Invalid request', message: 'The request could not be read: it is not valid HTTP.' });
  const reason = http.STATUS_CODES[page.status] ?? 'Error';
  const headers = Object.entries({ ...withSecurityHeaders(page.headers), 'content-length': String(Buffer.byteLength(page.body)), connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${page.status} ${reason}\r\n${headers}\r\n${page.body}`);
}

const REDIRECTS = new Set([301, 302, 307, 308]);

/**
 * Every redirect that answers a POST is 303 See Other (RFC 9700 §4.12: a 307 would make the
 * browser re-send the form, with the user's credentials, to the next site). Our own endpoints
 * say 303 already; this covers what Next.js and next-auth answer (next-auth's POSTs say 302,
 * route handlers' redirect() says 307).
 */
function seeOtherAfterPost(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    if (!REDIRECTS.has(status)) return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
    this.statusMessage = 'See Other';
    const headers = rest.find((a) => typeof a === 'object');
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, 303, 'See Other', ...(headers === undefined ? [] : [headers]));
  } as ServerResponse['writeHead'];
}

/**
 * The node:http server for the whole app. For each request: the client IP (CLIENT_IP_HEADER), an
 * origin-form target (toOriginForm), TRACE refused where Next.js would answer (refusedTrace), the
 * request gate (body limits, 413), 303 for POST redirects,
 * then the door's manifest entry if the path has one, else `toNext` (a possible server action only after
 * the action guard, action-request.ts: 403 from another origin, 400 for a body it cannot decode). Requests that arrive too slowly get 408 (REQUEST_HEADERS_TIMEOUT_MS,
 * REQUEST_TIMEOUT_MS). `Expect: 100-continue` is answered by the gate: a body over the
 * limit gets its 413 before the client sends it.
 */
export function createFrontDoor(toNext: (req: IncomingMessage, res: ServerResponse) => void): http.Server {
  trustClientIpHeader();
  const e = env();
  // OWASP DoS (slow HTTP): node's defaults (60 s for headers, 300 s for a request, checked every
  // 30 s) let a client trickling bytes hold a connection for minutes. Answer 408 and close sooner.
  const server = http.createServer({
    headersTimeout: e.REQUEST_HEADERS_TIMEOUT_MS,
    requestTimeout: Math.max(e.REQUEST_TIMEOUT_MS, e.REQUEST_HEADERS_TIMEOUT_MS),
    connectionsCheckingInterval: Math.min(1000, e.REQUEST_HEADERS_TIMEOUT_MS),
  });
  const serve = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    setClientIp(req);
    if (!toOriginForm(req, res)) return;
    const policy = requestPolicy(req);
    if (!policy.route && refusedTrace(req, res)) return;
    // The manifest's endpoints say 303 after a POST themselves (endpoint.ts htmlError).
    if (req.method === 'POST' && !policy.route) seeOtherAfterPost(res);
    gateRequest(req, res, policy, expectsContinue, (bounded) => {
      if (policy.route) serveEndpoint(bounded, res, policy.route);
      else if (isPossibleServerAction(bounded)) guardServerAction(bounded, res, (checked) => toNext(checked, res));
      else toNext(bounded, res);
    });
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => serve(req, res, false));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => serve(req, res, true));
  server.on('clientError', answerClientError);
  return server;
}
