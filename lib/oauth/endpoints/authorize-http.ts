// GET /o/authorize/ on the node:http door. Redirects and error pages are answered here; when the
// user must see the consent page, null hands the request to Next.js (app/o/authorize/page.tsx).
import type { OAuthRequest, OAuthResponse } from '../http';
import { redirectResponse } from '../http';
import { authorize } from './authorize';
import { htmlErrorPage } from '../error-page';
import { sessionFromCookieHeader } from '../../auth/session-cookie';

export async function authorizeEndpoint(req: OAuthRequest): Promise<OAuthResponse | null> {
  // A Next.js client-router fetch (e.g. the login form's redirect to `next`) follows a 302 with
  // fetch(): the client's redirect_uri would get the code from a background CORS request and then
  // again from the fallback page load. Let Next answer it: its redirect() makes the browser navigate.
  if (req.headers.get('rsc') !== null) return null;
  const session = await sessionFromCookieHeader(req.headers.get('cookie'));
  const outcome = await authorize({ url: req.url, session, ip: req.ip });
  switch (outcome.kind) {
    case 'redirect':
      return redirectResponse(outcome.location, { 'referrer-policy': 'no-referrer' });
    case 'error_page':
      return htmlErrorPage(outcome);
    case 'consent':
      return null;
  }
}

