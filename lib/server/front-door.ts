// The HTTP server's one entry for every request (server.ts, and the integration tests' server):
// the client IP is resolved once, the body is bounded, then the node:http door answers its hot
// endpoints and Next.js everything else.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { CLIENT_IP_HEADER, resolveClientIp, trustClientIpHeader } from '../http/client-ip';
import { env } from '../env';
import { gateRequest, requestPolicy } from './request-gate';
import { serveFast, type Fallback } from './node-door';

/**
 * Resolves the client IP (lib/http/client-ip.ts: socket address, and trusted proxies' header)
 * and writes it to CLIENT_IP_HEADER, replacing any copy the client sent, in both `headers` and
 * `rawHeaders`, so no later reader can see a client-chosen value.
 */
function setClientIp(req: IncomingMessage): void {
  const ip = resolveClientIp(req.socket.remoteAddress, req.headers[env().TRUST_PROXY_HEADER]);
  req.headers[CLIENT_IP_HEADER] = ip;
  const raw: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== CLIENT_IP_HEADER) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  req.rawHeaders = [...raw, CLIENT_IP_HEADER, ip];
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
 * The node:http server for the whole app. For each request: the client IP (CLIENT_IP_HEADER),
 * the request gate (body limits, 413), 303 for POST redirects, then the door's route if the
 * path has one, else `toNext`. `Expect: 100-continue` is answered by the gate: a body over the
 * limit gets its 413 before the client sends it.
 */
export function createFrontDoor(toNext: Fallback): http.Server {
  trustClientIpHeader();
  const server = http.createServer();
  const serve = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    setClientIp(req);
    const policy = requestPolicy(req);
    if (req.method === 'POST') seeOtherAfterPost(res);
    gateRequest(req, res, policy, expectsContinue, (bounded) => {
      if (policy.route) serveFast(bounded, res, policy.route, toNext);
      else toNext(bounded, res);
    });
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => serve(req, res, false));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => serve(req, res, true));
  return server;
}
