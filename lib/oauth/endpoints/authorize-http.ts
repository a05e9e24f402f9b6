// /o/authorize/ on the node:http door, GET and POST (OIDC Core §3.1.2.1). Redirects and error
// pages are answered here; the consent page of a pending request (GET /o/authorize/?pending=<id>)
// is handed to Next.js (null: app/o/authorize/page.tsx).
import type { OAuthRequest, OAuthResponse } from '../http';
import { redirectResponse } from '../http';
import { authorize } from './authorize';
import { pendingPath } from '../pending-request';
import { htmlErrorPage } from '../error-page';
import { sessionFromCookieHeader } from '../../auth/session-cookie';

const NO_REFERRER = { 'referrer-policy': 'no-referrer' };

/**
 * OIDC Core §3.1.2.1: a POST carries the request's parameters form-serialised in its body
 * (application/x-www-form-urlencoded only; the body is bounded by the door). They become the
 * query of the same request, so GET and POST are one pipeline; a query on the POST's URL is ignored.
 * @returns the request as a GET URL, or an error page for a body that is not a form
 */
function postAsGetUrl(req: OAuthRequest): URL | OAuthResponse {
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return htmlErrorPage({
      status: 400,
      title: 'Invalid request',
      message: 'A POST to the authorization endpoint must send its parameters as a form (application/x-www-form-urlencoded).',
      hint: 'Send the same parameters as a GET query string, or as an HTML form post.',
    });
  }
  const url = new URL('/o/authorize/', req.url);
  url.search = new URLSearchParams(req.body).toString();
  return url;
}

/**
 * The authorization endpoint's HTTP form (RFC 6749 §4.1.1). GET: 302 redirects (code, error,
 * login or consent with the pending request's id), error pages, or null to let Next.js render the
 * consent page. POST: every redirect is 303 (RFC 9700 §4.12).
 */
export async function authorizeEndpoint(req: OAuthRequest): Promise<OAuthResponse | null> {
  const post = req.method === 'POST';
  // A Next.js client-router fetch (e.g. the login form's redirect to `next`) follows a 302 with
  // fetch(): the client's redirect_uri would get the code from a background CORS request and then
  // again from the fallback page load. Let Next answer it: its redirect() makes the browser navigate.
  if (!post && req.headers.get('rsc') !== null) return null;
  const url = post ? postAsGetUrl(req) : req.url;
  if (!(url instanceof URL)) return url;
  const session = await sessionFromCookieHeader(req.headers.get('cookie'));
  const outcome = await authorize({ url, session, ip: req.ip });
  switch (outcome.kind) {
    case 'redirect':
      return redirectResponse(outcome.location, NO_REFERRER, post ? 303 : 302);
    case 'error_page':
      return htmlErrorPage(outcome);
    case 'consent':
      return post ? redirectResponse(pendingPath(outcome.pendingId), NO_REFERRER, 303) : null;
  }
}
