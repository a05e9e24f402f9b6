// "Add this callback to the application": when a signed-in owner's own authorization request names a
// redirect URI the application has not registered, the error page (lib/oauth/endpoints/authorize.ts)
// links to the application's page with this confirmation open (the one confirmation pattern,
// lib/http/confirm-step.ts). Confirming adds that exact URI (lib/apps/service.ts addRedirectUri:
// the owner only, the form's rules), and the page then offers the original request again.
// The link is signed (`sig`: HMAC-SHA-256 over the application, the owner, the exact URI and an
// expiry, with its own key from AUTH_SECRET): anyone can write such an address, so without the
// signature a phishing link could put a first-party "Add this callback?" for an attacker's URL in
// front of an owner (RFC 9700 §4.1). The page opens the confirmation, and the action adds, only for
// a valid `sig`. The retry is not signed: retryHref admits only this application's own request.
import { pathFor } from '../oauth/paths';
import { isLoopbackHost } from '../oauth/redirect-uri';
import { confirmHref } from '../http/confirm-step';
import { derivedKey, hmacSha256, macMatches } from '../http/mac';
import { addRedirectUri, type Actor, type AddCallbackResult } from './service';

/** The confirmation's name in `?confirm=`. */
export const ADD_CALLBACK = 'add-callback';

/**
 * The longest original request (its query, form-encoded) carried for the retry: longer ones are
 * not offered again (the link would pass node's 16 KiB request-line limit once encoded twice).
 */
const MAX_RETRY_CHARS = 4096;

/** The page of the application with row id `id`. */
export const applicationPath = (id: number) => `${pathFor('applications')}${id}/`;

/** How long an offer's link stays valid, in seconds: time to read the error page and click. */
export const ADD_CALLBACK_OFFER_SECONDS = 15 * 60;

/** What an offer's signature binds: the application (row id), its owner (user id), the exact URI. */
export interface AddCallbackOffer {
  appId: number;
  userId: string;
  uri: string;
}

const offerMac = (o: AddCallbackOffer, expires: number, secret: string) =>
  // A JSON array: no two different offers give the same bytes.
  hmacSha256(derivedKey(secret, 'add-callback', 'add-callback offer MAC v1'), JSON.stringify([o.appId, o.userId, o.uri, expires]));

/**
 * The signature of `offer`, valid for ADD_CALLBACK_OFFER_SECONDS.
 * @param secret AUTH_SECRET (≥ 32 characters)
 * @param now milliseconds since the epoch
 * @returns `<expiry, seconds since the epoch>.<base64url HMAC-SHA-256>`
 */
export function signAddCallback(offer: AddCallbackOffer, secret: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + ADD_CALLBACK_OFFER_SECONDS;
  return `${expires}.${offerMac(offer, expires, secret).toString('base64url')}`;
}

/**
 * Whether `sig` (from the URL or the confirmation's form: untrusted) was made by signAddCallback
 * for exactly this application, user and URI, and has not expired. MAC compared in constant time.
 */
export function addCallbackSigValid(sig: unknown, offer: AddCallbackOffer, secret: string, now = Date.now()): boolean {
  if (typeof sig !== 'string' || sig.length > 200) return false;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(sig);
  if (!m) return false;
  const expires = Number(m[1]);
  return macMatches(m[2], offerMac(offer, expires, secret)) && expires * 1000 >= now;
}

/**
 * The error page's offer: the application's page with the confirmation open for `offer.uri`,
 * signed for its owner `offer.userId`.
 * @param query the original authorization request's query (GET form, "?" optional): offered again
 *   after adding, unless longer than 4,096 characters
 * @param secret AUTH_SECRET
 */
export function addCallbackHref(offer: AddCallbackOffer, query: string | undefined, secret: string, now = Date.now()): string {
  const retry = query?.replace(/^\?/, '');
  return confirmHref(applicationPath(offer.appId), ADD_CALLBACK, {
    uri: offer.uri,
    retry: retry && retry.length <= MAX_RETRY_CHARS ? retry : undefined,
    sig: signAddCallback(offer, secret, now),
  });
}

/** The neutral words for an offer link without a valid signature (forged, altered, another user's, expired). */
export const OFFER_INVALID = 'This link has expired or is not valid. Open the authorization request again to get a new one.';

export type AddOfferedCallbackResult = AddCallbackResult | { ok: false; offerInvalid: true };

/**
 * The confirmation's action: adds `uri` (addRedirectUri: the owner only, the form's rule) only when
 * `sig` signs this application, this actor and this exact URI and has not expired; otherwise adds
 * nothing and answers `offerInvalid`.
 * @param sig the form's hidden field, carried from the offer's link (untrusted)
 * @throws ApplicationNotFoundError as addRedirectUri, for a valid signature but an actor who is no
 *   longer the owner
 */
export async function addOfferedCallback(appId: number, uri: string, sig: unknown, actor: Actor, secret: string, now = Date.now()): Promise<AddOfferedCallbackResult> {
  if (!addCallbackSigValid(sig, { appId, userId: actor.id, uri }, secret, now)) return { ok: false, offerInvalid: true };
  return addRedirectUri(appId, uri, actor);
}

/** The host of `uri` in lower case, or null when it is not an absolute URL. */
function hostOf(uri: string): string | null {
  try {
    return new URL(uri).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Whether the error page may offer to add `uri` (RFC 9700 §4.1): a loopback address (a
 * developer's own machine) or a host that one of the application's redirect URIs already uses. A
 * URI on a new host is a change for the application's form: otherwise a crafted authorization
 * request, opened by the signed-in owner, would become a few clicks that send the owner's codes to
 * someone else's host (found by the issue 14 attack review).
 * @param registered the application's redirect URIs
 */
export function offerableCallback(uri: string, registered: readonly string[]): boolean {
  const host = hostOf(uri);
  if (host === null) return false;
  return isLoopbackHost(host) || registered.some((r) => hostOf(r) === host);
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
