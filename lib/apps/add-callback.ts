// "Add this callback to the application": when a signed-in owner's own authorization request names a
// redirect URI the application has not registered, the error page (lib/oauth/endpoints/authorize.ts)
// links to the application's page with this confirmation open (the one confirmation pattern,
// lib/http/confirm-step.ts). Confirming adds that exact URI (lib/apps/service.ts addRedirectUri:
// the owner only, the form's rules), and the page then offers the original request again.
// Pure: paths only, so the protocol core and the pages share these addresses.
import { pathFor } from '../oauth/paths';
import { confirmHref } from '../http/confirm-step';

/** The confirmation's name in `?confirm=`. */
export const ADD_CALLBACK = 'add-callback';

/**
 * The longest original request (its query, form-encoded) carried for the retry: longer ones are
 * not offered again (the link would pass node's 16 KiB request-line limit once encoded twice).
 */
const MAX_RETRY_CHARS = 4096;

/** The page of the application with row id `id`. */
export const applicationPath = (id: number) => `${pathFor('applications')}${id}/`;

/**
 * The error page's offer: the application's page with the confirmation open for `uri`.
 * @param query the original authorization request's query (GET form, "?" optional): offered again
 *   after adding, unless longer than 4,096 characters
 */
export function addCallbackHref(appId: number, uri: string, query?: string): string {
  const retry = query?.replace(/^\?/, '');
  return confirmHref(applicationPath(appId), ADD_CALLBACK, { uri, retry: retry && retry.length <= MAX_RETRY_CHARS ? retry : undefined });
}

/**
 * The original request again (a GET of the authorization endpoint), when `retry` is a request of
 * this application for one of its registered callbacks (the one just added); otherwise null. So
 * the "Retry" link can only go to our own endpoint, for the application on the page.
 * @param retry the query carried from the error page (untrusted)
 */
export function retryHref(retry: unknown, app: { clientId: string; redirectUris: readonly string[] }): string | null {
  if (typeof retry !== 'string' || retry === '' || retry.length > MAX_RETRY_CHARS) return null;
  const q = new URLSearchParams(retry);
  const one = (k: string) => (q.getAll(k).length === 1 ? q.get(k) : null);
  const uri = one('redirect_uri');
  if (one('client_id') !== app.clientId || uri === null || !app.redirectUris.includes(uri) || q.has('pending')) return null;
  return `${pathFor('authorization')}?${q}`;
}
