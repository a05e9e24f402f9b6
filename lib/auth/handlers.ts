// next-auth's route handlers (/accounts/auth/*), with what Auth.js gets wrong about input fixed at
// the edge: a callbackUrl that is not an http(s) URL, in the query or in its own callback-url
// cookie, is a "server configuration" 500 in Auth.js (assertConfig's InvalidCallbackUrl); a query
// value outside printable ASCII goes raw into a Location header, which cannot hold it (an error
// logged, then a redirect to the error page); and it answers GET only, so HEAD was a 400.
import { NextRequest } from 'next/server';
import { handlers } from './index';
import { headAsGet, toResponse } from '../server/next-door';
import { htmlErrorPage } from '../oauth/error-page';

/** Auth.js's own test (lib/utils/assert.js isValidHttpUrl): an http(s) URL, or a path on `origin`. */
function isHttpUrl(url: string, origin: string): boolean {
  try {
    return /^https?:$/.test(new URL(url, url.startsWith('/') ? origin : undefined).protocol);
  } catch {
    return false;
  }
}

/** The callback-url cookie Auth.js keeps (with its `__Secure-` prefix on https). */
const isCallbackCookie = (name: string) => name === 'authjs.callback-url' || name === '__Secure-authjs.callback-url';

/** Why the query of a request to next-auth is refused, or null: every value Auth.js reads goes into a URL or header. */
function queryProblem(params: URLSearchParams, origin: string): string | null {
  // RFC 9110 §5.5: a header field value is visible ASCII and spaces (Auth.js copies `error`, `callbackUrl`… into Location).
  if ([...params].some(([k, v]) => /[^\x20-\x7e]/.test(k + v))) return 'A parameter of this request holds a character outside printable ASCII.';
  if (params.getAll('callbackUrl').some((u) => u !== '' && !isHttpUrl(u, origin))) return 'The callbackUrl parameter is not a web address (http or https) or a path on this site.';
  return null;
}

/**
 * Runs an Auth.js handler on a request whose query and callback URL Auth.js can handle:
 * - a query value outside printable ASCII, or a `callbackUrl` that is not an http(s) URL or a
 *   path: 400 page (OWASP Input Validation);
 * - a callback-url cookie that is not one (a tampered cookie): left out of the request, so Auth.js
 *   sets a fresh one instead of failing every request of that browser until the cookie is cleared.
 */
function checkInput(handler: (req: NextRequest) => Promise<Response>) {
  return async (req: NextRequest): Promise<Response> => {
    const origin = req.nextUrl.origin;
    const problem = queryProblem(req.nextUrl.searchParams, origin);
    if (problem) return toResponse(htmlErrorPage({ status: 400, title: 'Invalid request', message: problem }));
    const bad = req.cookies.getAll().filter((c) => isCallbackCookie(c.name) && !isHttpUrl(c.value, origin));
    if (bad.length === 0) return handler(req);
    const headers = new Headers(req.headers);
    const kept = req.cookies.getAll().filter((c) => !bad.includes(c));
    headers.set('cookie', kept.map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join('; '));
    return handler(new NextRequest(new Request(req, { headers })));
  };
}

export const GET = checkInput(handlers.GET);
export const POST = checkInput(handlers.POST);

/** next-auth answers GET only; HEAD on its GET routes (session, providers, csrf…) is the same without content (RFC 9110 §9.3.2). */
export const HEAD = headAsGet(GET, (req: NextRequest) => new NextRequest(req.url, { method: 'GET', headers: req.headers }));
