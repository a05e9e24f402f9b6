// "Add this callback to the application" (lib/apps/add-callback.ts, issue 14): the authorization
// endpoint's error page for an unregistered redirect_uri offers it to the application's signed-in
// owner only, and the action behind the confirmation (lib/apps/service.ts addRedirectUri) adds the
// exact URI for the owner only, by the form's rules, and only with the offer's signature (a crafted
// link opens nothing and adds nothing). Real HTTP against the front door, real database. The page's
// gate and the action's are addCallbackSigValid and addOfferedCallback; e2e/feedback.spec.ts drives both in Chromium.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getAuthorize, newVerifier } from '@/test/helpers/codeflow';
import { s256 } from '@/lib/oauth/pkce';
import { getDb } from '@/lib/db';
import { applications, type Application, type User } from '@/lib/db/schema';
import { ApplicationNotFoundError, addRedirectUri, type Actor } from '@/lib/apps/service';
import {
  ADD_CALLBACK,
  ADD_CALLBACK_OFFER_SECONDS,
  addCallbackHref,
  addCallbackSigValid,
  addOfferedCallback,
  retryHref,
  signAddCallback,
} from '@/lib/apps/add-callback';
import { sealFlash } from '@/lib/http/flash';
import { env } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
let owner: User;
let other: User;
let staff: User;
let app: Application;
let second: Application;
// On the host the application already uses (POSTMAN_CALLBACK's): the only kind, with loopback, that is offered.
const NEW_CALLBACK = 'https://www.getpostman.com/oauth2/second-callback';

const actor = (u: User): Actor => ({ id: u.id, isStaff: u.isStaff, ip: '203.0.113.9' });
const request = (clientId: string, redirectUri: string) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: redirectUri,
  state: 'st-1',
  scope: 'read',
  code_challenge: s256(newVerifier()),
  code_challenge_method: 'S256',
});

async function storedUris(id: number): Promise<string[]> {
  const db = await getDb();
  const [row] = await db.select({ uris: applications.redirectUris }).from(applications).where(eq(applications.id, id));
  return row.uris;
}

/** The error page's links, as [href, label] (the view HTML-escapes both). */
async function pageLinks(r: Response): Promise<[string, string][]> {
  const html = await r.text();
  expect(r.status, html).toBe(400);
  expect(html).toContain('Invalid callback URL');
  const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  return [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [unescape(m[1]), unescape(m[2])]);
}

beforeAll(async () => {
  srv = await startTestServer(settings);
  const tag = crypto.randomBytes(3).toString('hex');
  owner = await makeUser({ username: `owner_${tag}` });
  other = await makeUser({ username: `other_${tag}` });
  staff = await makeUser({ username: `staff_${tag}`, isStaff: true });
  app = await makeApp({ name: 'Callback app', userId: owner.id });
  second = await makeApp({ name: 'Second app', userId: owner.id });
});

/** The error page's offer for the owner's request naming `uri` for `a`, as the browser follows it. */
async function genuineOffer(a: Application, uri: string): Promise<URL> {
  const links = await pageLinks(await getAuthorize(srv, request(a.clientId, uri), await sessionCookie(owner)));
  expect(links[0][1]).toBe('Add this callback to the application');
  return new URL(links[0][0], srv.url);
}
afterAll(async () => srv?.close());

describe('the error page offers "Add this callback to the application" to the owner only', () => {
  it('RFC 6749 §3.1.2.4: the signed-in owner gets the offer: the confirmation on the application’s page, for that URI, with the original request', async () => {
    const params = request(app.clientId, NEW_CALLBACK);
    const links = await pageLinks(await getAuthorize(srv, params, await sessionCookie(owner)));
    expect(links.map(([, label]) => label)).toEqual(['Add this callback to the application', 'Your applications', 'Back to the home page']);
    const offer = new URL(links[0][0], srv.url);
    expect(offer.pathname).toBe(`/o/applications/${app.id}/`);
    expect(offer.searchParams.get('confirm')).toBe(ADD_CALLBACK);
    expect(offer.searchParams.get('uri')).toBe(NEW_CALLBACK);
    expect(Object.fromEntries(new URLSearchParams(offer.searchParams.get('retry')!))).toEqual(params);
    expect(addCallbackSigValid(offer.searchParams.get('sig'), { appId: app.id, userId: owner.id, uri: NEW_CALLBACK }, env().AUTH_SECRET)).toBe(true);
    // Nothing was added by looking.
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK]);
  });

  it('another signed-in user, staff who do not own it and an anonymous visitor get the fix in words and a link to their applications, never the offer', async () => {
    for (const cookie of [await sessionCookie(other), await sessionCookie(staff), undefined]) {
      const links = await pageLinks(await getAuthorize(srv, request(app.clientId, NEW_CALLBACK), cookie));
      expect(links).toEqual([
        ['/o/applications/', 'Your applications'],
        ['/', 'Back to the home page'],
      ]);
    }
  });

  it('an unknown client_id gets a real link to the applications page, where the right client id is shown', async () => {
    const r = await getAuthorize(srv, request('no-such-client', NEW_CALLBACK), await sessionCookie(owner));
    const html = await r.text();
    expect(r.status).toBe(400);
    expect(html).toContain('Invalid client');
    expect(html).toContain('<a href="/o/applications/">Your applications</a>');
  });

  it('a request too long to carry again is offered without the retry', () => {
    const href = new URL(addCallbackHref({ appId: app.id, userId: owner.id, uri: NEW_CALLBACK }, `?state=${'s'.repeat(5000)}`, env().AUTH_SECRET), srv.url);
    expect(href.searchParams.get('uri')).toBe(NEW_CALLBACK);
    expect(href.searchParams.has('retry')).toBe(false);
  });
});

describe('the offer is signed for this application, its owner and this URI, for 15 minutes', () => {
  const OTHER_CALLBACK = 'https://attacker.example/cb';

  it('RFC 9700 §4.1 / OWASP: a crafted add-callback link (no valid signature) opens nothing and adds nothing', async () => {
    const secret = env().AUTH_SECRET;
    const offer = { appId: app.id, userId: owner.id, uri: OTHER_CALLBACK };
    const genuine = signAddCallback(offer, secret);
    const [expires, mac] = genuine.split('.');
    const flipped = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    const crafted: [string, unknown][] = [
      ['no sig', undefined],
      ['an empty sig', ''],
      ['junk', 'x.y'],
      ['an array', [genuine]],
      ['a sig for another uri', signAddCallback({ ...offer, uri: NEW_CALLBACK }, secret)],
      ['a sig for another user', signAddCallback({ ...offer, userId: other.id }, secret)],
      ['a sig for another app', signAddCallback({ ...offer, appId: second.id }, secret)],
      ['an expired sig', signAddCallback(offer, secret, Date.now() - (ADD_CALLBACK_OFFER_SECONDS + 60) * 1000)],
      ['a sig with its expiry moved later', `${Number(expires) + 3600}.${mac}`],
      ['a sig with an altered MAC', `${expires}.${flipped}`],
      ['a sig made with another secret', signAddCallback(offer, `${secret}-other`)],
      ['a MAC of the flash notice key', `${expires}.${sealFlash({ code: 'x' }, { path: '/', userId: owner.id }, secret).split('.')[1]}`],
    ];
    for (const [what, sig] of crafted) {
      // The page's gate: no confirmation opens.
      expect(addCallbackSigValid(sig, offer, secret), what).toBe(false);
      // The action's gate: nothing is added.
      expect(await addOfferedCallback(app.id, OTHER_CALLBACK, sig, actor(owner), secret), what).toEqual({ ok: false, offerInvalid: true });
    }
    // The owner's genuine signature in anyone else's hands (another user, staff) adds nothing either.
    for (const u of [other, staff]) expect(await addOfferedCallback(app.id, OTHER_CALLBACK, genuine, actor(u), secret)).toEqual({ ok: false, offerInvalid: true });
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK]);
  });

  it('RFC 9700 §4.1: the offer is made only for a loopback URI or a host the application already uses; a new host gets the fix in words', async () => {
    const cookie = await sessionCookie(owner);
    for (const uri of [OTHER_CALLBACK, 'https://getpostman.com.attacker.example/cb', 'https://www.getpostman.com.attacker.example/oauth2/callback']) {
      const links = await pageLinks(await getAuthorize(srv, request(app.clientId, uri), cookie));
      expect(links.map(([, label]) => label), uri).not.toContain('Add this callback to the application');
    }
    for (const uri of ['http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'https://www.getpostman.com/other']) {
      const links = await pageLinks(await getAuthorize(srv, request(app.clientId, uri), cookie));
      expect(links.map(([, label]) => label), uri).toContain('Add this callback to the application');
    }
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK]);
  });

  it('RFC 9700 §4.1: the offer’s signature expires after 15 minutes', async () => {
    const uri = 'https://www.getpostman.com/oauth2/expiring';
    const offer = await genuineOffer(second, uri);
    const sig = offer.searchParams.get('sig');
    const bound = { appId: second.id, userId: owner.id, uri };
    expect(addCallbackSigValid(sig, bound, env().AUTH_SECRET, Date.now() + (ADD_CALLBACK_OFFER_SECONDS - 60) * 1000)).toBe(true);
    expect(addCallbackSigValid(sig, bound, env().AUTH_SECRET, Date.now() + (ADD_CALLBACK_OFFER_SECONDS + 1) * 1000)).toBe(false);
    expect(await addOfferedCallback(second.id, uri, sig, actor(owner), env().AUTH_SECRET, Date.now() + (ADD_CALLBACK_OFFER_SECONDS + 1) * 1000)).toEqual({
      ok: false,
      offerInvalid: true,
    });
    expect(await storedUris(second.id)).toEqual([POSTMAN_CALLBACK]);
  });

  it('the genuine offer from the error page works end to end: its link’s uri and sig, confirmed by the owner, add the callback and the request goes on', async () => {
    const uri = 'http://localhost:3000/oauth/callback';
    const offer = await genuineOffer(second, uri);
    expect(offer.searchParams.get('uri')).toBe(uri);
    const r = await addOfferedCallback(second.id, offer.searchParams.get('uri')!, offer.searchParams.get('sig'), actor(owner), env().AUTH_SECRET);
    expect(r).toMatchObject({ ok: true, added: true });
    expect(await storedUris(second.id)).toEqual([POSTMAN_CALLBACK, uri]);
    const again = await getAuthorize(srv, request(second.clientId, uri), await sessionCookie(owner));
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toMatch(/\/o\/authorize\/consent\/\?pending=/);
  });
});

describe('addRedirectUri: the owner adds the exact URI, by the form’s rules', () => {
  it('refuses anyone but the owner (another user, staff) as not found, and adds nothing', async () => {
    await expect(addRedirectUri(app.id, NEW_CALLBACK, actor(other))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(addRedirectUri(app.id, NEW_CALLBACK, actor(staff))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(addRedirectUri(999_999_999, NEW_CALLBACK, actor(owner))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK]);
  });

  it('refuses a URI the application form would refuse, with the form’s message naming it', async () => {
    for (const [uri, words] of [
      ['http://app.example.com/cb', 'must use https'],
      ['https://app.example.com/cb#frag', 'must not contain a fragment'],
      ['https://APP.example.com/cb', 'not in canonical form'],
      ['javascript:alert(1)', 'is not allowed'],
    ]) {
      const r = await addRedirectUri(app.id, uri, actor(owner));
      expect(r.ok, uri).toBe(false);
      expect(!r.ok && r.message, uri).toContain(words);
    }
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK]);
  });

  it('the owner adds it; the same authorization request then goes on (to consent), and a second add changes nothing', async () => {
    const r = await addRedirectUri(app.id, NEW_CALLBACK, actor(owner));
    expect(r).toMatchObject({ ok: true, added: true });
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK, NEW_CALLBACK]);
    // The protocol's client cache was invalidated: the very request that failed now passes.
    const again = await getAuthorize(srv, request(app.clientId, NEW_CALLBACK), await sessionCookie(owner));
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toMatch(/\/o\/authorize\/consent\/\?pending=/);
    expect(await addRedirectUri(app.id, NEW_CALLBACK, actor(owner))).toMatchObject({ ok: true, added: false });
    expect(await storedUris(app.id)).toEqual([POSTMAN_CALLBACK, NEW_CALLBACK]);
  });
});

describe('retryHref: the "Retry" link goes only to this application’s request for a registered callback', () => {
  const registered = { clientId: 'client-a', redirectUris: [NEW_CALLBACK] };
  const q = (over: Record<string, string> = {}) => new URLSearchParams({ response_type: 'code', client_id: 'client-a', redirect_uri: NEW_CALLBACK, ...over }).toString();

  it('gives the authorization endpoint with the same parameters', () => {
    expect(retryHref(q({ state: 'x y' }), registered)).toBe(`/o/authorize/?${q({ state: 'x y' })}`);
  });

  it('refuses another client, an unregistered or repeated callback, a pending request, junk', () => {
    expect(retryHref(q({ client_id: 'client-b' }), registered)).toBeNull();
    expect(retryHref(q({ redirect_uri: 'https://evil.example/cb' }), registered)).toBeNull();
    expect(retryHref(`${q()}&redirect_uri=${encodeURIComponent(NEW_CALLBACK)}`, registered)).toBeNull();
    expect(retryHref(`${q()}&pending=abc`, registered)).toBeNull();
    for (const junk of [undefined, '', ['a'], 'x'.repeat(5000)]) expect(retryHref(junk, registered)).toBeNull();
  });
});
