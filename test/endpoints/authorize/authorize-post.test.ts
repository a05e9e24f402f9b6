// POST /o/authorize/ (OIDC Core §3.1.2.1: the authorization endpoint supports GET and POST, with
// form-serialised parameters) on the real door. Every redirect answering a POST is 303 (RFC 9700
// §4.12): the browser follows it with a GET and never re-sends the form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, form, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { exchange, expectConsentPage, getPending, newVerifier, pendingIdOfRedirect, redirectParams } from '@/test/helpers/codeflow';
import { CONSENT_PAGE_PATH } from '@/lib/oauth/pending-request';
import { s256 } from '@/lib/oauth/pkce';
import { getDb } from '@/lib/db';
import { consents } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let cookie: string;
let remembered: Awaited<ReturnType<typeof makeApp>>; // the user approved "read write" before
let asks: Awaited<ReturnType<typeof makeApp>>; // never approved: needs the consent page

beforeAll(async () => {
  srv = await startTestServer(settings);
  user = await makeUser();
  cookie = await sessionCookie(user);
  remembered = await makeApp({ name: 'Remembered' });
  asks = await makeApp({ name: 'Asks first' });
  await (await getDb()).insert(consents).values({ userId: user.id, applicationId: remembered.id, scope: 'read write' });
});
afterAll(async () => srv?.close());

const verifier = newVerifier();
const params = (clientId: string, over: Record<string, string | undefined> = {}) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: POSTMAN_CALLBACK,
  state: 'state-post',
  scope: 'read',
  code_challenge: s256(verifier),
  code_challenge_method: 'S256',
  ...over,
});

function postAuthorize(body: Record<string, string | undefined> | string, opts: { cookie?: string; type?: string; query?: string } = {}): Promise<Response> {
  return fetch(`${srv.url}/o/authorize/${opts.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': opts.type ?? 'application/x-www-form-urlencoded', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    body: typeof body === 'string' ? body : form(body),
    redirect: 'manual',
  });
}

/** The 303's Location, asserting it goes to `to` (origin + path). */
function seeOther(r: Response, to: string): URL {
  expect(r.status).toBe(303);
  const loc = new URL(r.headers.get('location')!, srv.url);
  expect(`${loc.origin}${loc.pathname}`).toBe(to);
  expect(r.headers.get('cache-control')).toBe('no-store');
  return loc;
}

describe('OIDC Core §3.1.2.1: POST /o/authorize/ with form-serialised parameters', () => {
  it('RFC 9700 §4.12: a returning user with remembered consent gets 303 with a code that redeems', async () => {
    const r = await postAuthorize(params(remembered.clientId), { cookie });
    const loc = seeOther(r, POSTMAN_CALLBACK);
    expect(loc.searchParams.get('state')).toBe('state-post');
    expect(loc.searchParams.get('iss')).toBe(srv.url);
    const code = loc.searchParams.get('code');
    expect(code).toBeTruthy();
    const t = await exchange(srv, remembered, { code: code!, verifier, params: loc.searchParams });
    expect(t.status).toBe(200);
    expect((await t.json()).scope).toBe('read');
  });

  it('RFC 6749 §4.1.2.1: an error after the redirect URI is verified is a 303 to it with error and state', async () => {
    const r = await postAuthorize(params(remembered.clientId, { response_type: 'token' }), { cookie });
    const loc = seeOther(r, POSTMAN_CALLBACK);
    expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
    expect(loc.searchParams.get('state')).toBe('state-post');
    expect(loc.searchParams.get('code')).toBeNull();
  });

  it('RFC 9700 §4.12: consent needed is a 303 to the consent page of the stored request (GET /o/authorize/consent/?pending=<id>)', async () => {
    const r = await postAuthorize(params(asks.clientId), { cookie });
    seeOther(r, `${srv.url}${CONSENT_PAGE_PATH}`);
    // That GET is the consent page (Next.js).
    await expectConsentPage(srv, r, cookie);
  });

  it('a user who is not logged in is sent to the login page with a 303, and back to the stored request after', async () => {
    const r = await postAuthorize(params(remembered.clientId));
    seeOther(r, `${srv.url}/accounts/login/`);
    // Back from the login (a GET of the pending request): remembered consent, so the code.
    const back = redirectParams(await getPending(srv, pendingIdOfRedirect(r, srv.url), cookie));
    expect(back.get('state')).toBe('state-post');
    expect(back.get('code')).toBeTruthy();
  });

  it('errors before the redirect URI is verified are an HTML page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const r = await postAuthorize(params(remembered.clientId, { redirect_uri: 'https://evil.example/cb' }), { cookie });
    expect(r.status).toBe(400);
    expect(r.headers.get('location')).toBeNull();
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await r.text()).toContain('Invalid callback URL');
  });

  it('the form is the request: parameters in the POST URL query are ignored', async () => {
    const r = await postAuthorize(params(remembered.clientId), { cookie, query: `?client_id=${asks.clientId}&state=from-query` });
    const loc = seeOther(r, POSTMAN_CALLBACK);
    expect(loc.searchParams.get('state')).toBe('state-post');
    expect(loc.searchParams.get('code')).toBeTruthy();
  });

  it('RFC 6749 §3.1: a parameter sent twice in the form is refused', async () => {
    const r = await postAuthorize(`${form(params(remembered.clientId))}&scope=write`, { cookie });
    const loc = seeOther(r, POSTMAN_CALLBACK);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
  });

  it('only application/x-www-form-urlencoded bodies are accepted: anything else is an error page', async () => {
    const r = await postAuthorize(JSON.stringify(params(remembered.clientId)), { cookie, type: 'application/json' });
    expect(r.status).toBe(400);
    expect(r.headers.get('location')).toBeNull();
    expect(await r.text()).toContain('application/x-www-form-urlencoded');
  });

  it('the consent form\'s server action (POST with Next-Action) goes to Next.js', async () => {
    const r = await fetch(`${srv.url}${CONSENT_PAGE_PATH}?pending=${'A'.repeat(43)}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'next-action': 'abc', cookie },
      // A decodable action body (its argument list in field 0): the action guard passes it on.
      body: '--x\r\nContent-Disposition: form-data; name="0"\r\n\r\n[]\r\n--x--\r\n',
      redirect: 'manual',
    });
    expect(r.headers.get('x-test-handoff')).toBe('next');
  });

  it('the consent form sent without JavaScript (a multipart POST naming its action in $ACTION_ID_, no Next-Action header) goes to Next.js, not the OAuth endpoint', async () => {
    // What a browser sends when the Authorize button is clicked before the page's JavaScript runs.
    const pending = 'A'.repeat(43);
    const r = await fetch(`${srv.url}${CONSENT_PAGE_PATH}?pending=${pending}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', cookie },
      body:
        '--x\r\nContent-Disposition: form-data; name="$ACTION_ID_00aa"\r\n\r\n\r\n' +
        `--x\r\nContent-Disposition: form-data; name="pending"\r\n\r\n${pending}\r\n` +
        '--x\r\nContent-Disposition: form-data; name="decision"\r\n\r\nallow\r\n--x--\r\n',
      redirect: 'manual',
    });
    expect(r.headers.get('x-test-handoff')).toBe('next');
  });

  it('RFC 9110 §15.4.4: GET keeps its 302 (only a POST\'s redirect is 303 See Other)', async () => {
    const r = await fetch(`${srv.url}/o/authorize/?${form(params(remembered.clientId))}`, { headers: { cookie }, redirect: 'manual' });
    expect(r.status).toBe(302);
  });
});
