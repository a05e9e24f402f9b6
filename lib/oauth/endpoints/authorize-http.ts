// /o/authorize/ as HTTP, GET and POST (OIDC Core §3.1.2.1): the route manifest's `authorization`
// entry (lib/server/manifest.ts), served by both doors (the node door and app/o/authorize/route.ts).
// authorize() answers with a Location, which becomes a redirect here, or throws an
// AuthorizationError, which the endpoint wrapper's HTML error form (lib/oauth/endpoint.ts) turns
// into the error redirect to the client or the HTML error page. The consent page is a Next.js page
// of its own (app/o/authorize/consent/page.tsx), reached by a redirect.
import type { OAuthRequest, OAuthResponse } from '../http';
import { redirectResponse } from '../http';
import { AuthorizationError } from '../errors';
import { authorize } from './authorize';
import { sessionFromCookieHeader } from '../../auth/session-cookie';
import { pathFor } from '../paths';

const NO_REFERRER = { 'referrer-policy': 'no-referrer' };

/**
 * OIDC Core §3.1.2.1: a POST carries the request's parameters form-serialised in its body
 * (application/x-www-form-urlencoded only; the body is bounded by the door). They become the
 * query of the same request, so GET and POST are one pipeline; a query on the POST's URL is ignored.
 * @returns the request as a GET URL
 * @throws AuthorizationError a page, for a body that is not a form
 */
function postAsGetUrl(req: OAuthRequest): URL {
  const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw AuthorizationError.page({
      title: 'Invalid request',
      message: 'A POST to the authorization endpoint must send its parameters as a form (application/x-www-form-urlencoded).',
      hint: 'Send the same parameters as a GET query string, or as an HTML form post.',
    });
  }
  const url = new URL(pathFor('authorization'), req.url);
  url.search = new URLSearchParams(req.body).toString();
  return url;
}

/**
 * The answer to a Next.js client-router fetch (a GET with an `RSC` header: a <Link>, router.push,
 * or a server action's redirect, which Next's action handler also fetches server-side with the
 * user's cookie): nothing runs, and 204 No Content, which is not a Flight response, makes the
 * router load the URL as a document (next/dist/client/components/router-reducer/
 * fetch-server-response.js, doMpaNavigation). A redirect followed by fetch() would give the
 * client's redirect_uri the code in a background request, then again from the document load.
 */
const CLIENT_ROUTER_FETCH: OAuthResponse = { status: 204, headers: { 'cache-control': 'no-store', ...NO_REFERRER }, body: '' };

/**
 * The authorization endpoint's HTTP form (RFC 6749 §4.1.1). GET: a 302 redirect (to the client with
 * a code, to the login page or the consent page with the pending request's id). POST: 303 (RFC 9700
 * §4.12). Fails by throwing: an AuthorizationError (the error redirect, or the error page: 400, or
 * 403 for a suspended application), or anything unexpected (a logged 500 page): the wrapper answers.
 */
export async function authorizeEndpoint(req: OAuthRequest): Promise<OAuthResponse> {
  const post = req.method === 'POST';
  if (!post && req.headers.get('rsc') !== null) return CLIENT_ROUTER_FETCH;
  const url = post ? postAsGetUrl(req) : req.url;
  const session = await sessionFromCookieHeader(req.headers.get('cookie'));
  return redirectResponse(await authorize({ url, session, ip: req.ip }), NO_REFERRER, post ? 303 : 302);
}
