// Pending authorization requests (issue 12, fault 2) over real HTTP: a request that needs login or
// consent is validated once and kept on the server; login and consent carry only its id. The login
// and consent pages are Next.js (e2e/long-request.spec.ts): here the door hands them over
// (x-test-handoff), and the consent form's decision is the server action's function, decideConsent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import http from 'node:http';
import { decodeJwt } from 'jose';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { form, loginSession, makeApp, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { consentOutcome, exchange, expectConsentPage, expectConsentPageOf, getPending, newVerifier, pendingIdOfRedirect, redirectParams, type Outcome } from '@/test/helpers/codeflow';
import { query, sql } from '@/lib/db';
import { s256 } from '@/lib/oauth/pkce';
import { sha256b64url } from '@/lib/oauth/random';
import { CONSENT_PAGE_PATH, pendingSignIn } from '@/lib/oauth/pending-request';
import { DEFAULT_LIMITS } from '@/lib/env';

const { authorizeMaxRequestBytes: AUTHORIZE_MAX_REQUEST_BYTES, authorizeMaxStateChars: AUTHORIZE_MAX_STATE_CHARS } = DEFAULT_LIMITS;
import { safeNextPath } from '@/lib/http/safe-next';
import { consentPage } from '@/lib/oauth/endpoints/authorize';
import * as admin from '@/lib/admin/service';
import { settings } from './settings';

// Long API scope names, as real deployments have them ("https://api.example.com/orders.read" style).
const LONG_SCOPES = Array.from({ length: 40 }, (_, i) => `https://api.example.com/resource-${String(i).padStart(2, '0')}.read`);

let srv: TestServer;
let app: Awaited<ReturnType<typeof makeApp>>; // asks for consent; OIDC (RS256) so the nonce comes back
let skipper: Awaited<ReturnType<typeof makeApp>>; // skip authorization
let alice: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, SCOPES: ['read', 'write', ...LONG_SCOPES].join(' '), AUTHORIZE_PENDING_PER_IP: String(PER_SOURCE) });
  app = await makeApp({ name: 'Long Request App', algorithm: 'RS256' });
  skipper = await makeApp({ name: 'Skipper', skipAuthorization: true });
  alice = await makeUser();
}, 180_000);
afterAll(async () => srv?.close());

const IP = '192.0.2.10';
const PER_SOURCE = 20;

/** GET from a given loopback source address (the door's client IP without a proxy); status and Location. */
function getFrom(localAddress: string, url: string): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null }));
    });
    req.on('error', reject);
  });
}

/** A FAPI-sized state: 3,900+ characters, with everything a URL must escape. */
const longState = () => `${crypto.randomBytes(2900).toString('base64url')} &=+%/?#é€😀`.padEnd(3950, '.');

/** The parameters of an authorization request of about 8 KB once encoded. */
function longRequest(client: { clientId: string }, over: Record<string, string> = {}) {
  const verifier = newVerifier();
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: POSTMAN_CALLBACK,
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
    scope: ['openid', 'read', ...LONG_SCOPES].join(' '),
    state: longState(),
    nonce: crypto.randomBytes(300).toString('base64url'),
    login_hint: `alice+${'x'.repeat(1600)}@example.com`,
    ...over,
  };
  return { params, verifier, url: `${srv.url}/o/authorize/?${form(params)}` };
}

const get = (url: string, cookie?: string) => fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

const postAuthorize = (body: string, cookie?: string) =>
  fetch(`${srv.url}/o/authorize/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body,
    redirect: 'manual',
  });

async function expectExpiredPage(r: Response) {
  const html = await r.text();
  expect(r.status, html.slice(0, 300)).toBe(400);
  expect(r.headers.get('location')).toBeNull();
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toContain('This sign-in request has expired');
  expect(html).toContain('Go back to the application you came from');
}

/** The client's callback of an outcome (a redirect to the Postman callback). */
function callback(o: Outcome): URLSearchParams {
  expect(o.kind, JSON.stringify(o).slice(0, 300)).toBe('redirect');
  const u = new URL((o as { location: string }).location);
  expect(`${u.origin}${u.pathname}`).toBe(POSTMAN_CALLBACK);
  return u.searchParams;
}

const pendingRows = async () => Number((await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM authorization_requests`))[0].n);

describe('a long authorization request survives login and consent (RFC 6749 §4.1.1, §4.1.2)', () => {
  it('RFC 6749 §4.1.2: an 8 KB authorization URL survives login and consent, and the callback carries the exact state', async () => {
    const { params, verifier, url } = longRequest(app);
    expect(url.length).toBeGreaterThanOrEqual(8192);

    // Anonymous: to the login page, whose `next` is the short pending URL, kept whole by the login.
    const r = await get(url);
    expect(r.status).toBe(302);
    const login = new URL(r.headers.get('location')!, srv.url);
    expect(login.pathname).toBe('/accounts/login/');
    const next = login.searchParams.get('next')!;
    expect(safeNextPath(next)).toBe(next);
    expect(next.length).toBeLessThan(100);
    const pendingId = pendingIdOfRedirect(r, srv.url);
    // The login page names the application and pre-fills the login_hint.
    expect(await pendingSignIn(next)).toEqual({ kind: 'live', appName: 'Long Request App', loginHint: params.login_hint });

    // Alice logs in and comes back: the consent page (Next.js), then Authorize.
    const session = await loginSession(alice);
    await expectConsentPageOf(srv, pendingId, session.cookie);
    const cb = callback(await consentOutcome({ pendingId, session: session.session, ip: IP, decision: 'allow' }));
    expect(cb.get('state')).toBe(params.state);
    expect(cb.get('iss')).toBe(srv.url);

    // The code carries the whole request: PKCE, scope and nonce.
    const t = await exchange(srv, app, { code: cb.get('code')!, verifier, params: cb });
    const body = await t.json();
    expect(t.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe(params.scope);
    expect(decodeJwt(body.id_token).nonce).toBe(params.nonce);
  });

  it('RFC 6749 §4.1.2: a long POST request survives login the same way (OIDC Core §3.1.2.1)', async () => {
    const { params } = longRequest(skipper);
    const r = await postAuthorize(form(params).toString());
    expect(r.status).toBe(303);
    const pendingId = pendingIdOfRedirect(r, srv.url);
    const session = await loginSession(alice);
    // A skip-authorization app: back from the login, the code comes at once.
    const p = redirectParams(await getPending(srv, pendingId, session.cookie));
    expect(p.get('code')).toBeTruthy();
    expect(p.get('state')).toBe(params.state);
  });

  it('a logged-in user who needs to consent is sent to the consent page of the stored request', async () => {
    const { params, url } = longRequest(app, { prompt: 'consent' });
    const session = await loginSession(alice);
    const r = await get(url, session.cookie);
    const pendingId = pendingIdOfRedirect(r, srv.url);
    expect(new URL(r.headers.get('location')!, srv.url).pathname).toBe(CONSENT_PAGE_PATH);
    await expectConsentPage(srv, r, session.cookie);
    const cb = callback(await consentOutcome({ pendingId, session: session.session, ip: IP, decision: 'deny' }));
    expect(cb.get('error')).toBe('access_denied');
    expect(cb.get('state')).toBe(params.state);
  });

  it('the hot path stores nothing: a returning user with remembered consent gets the code in one redirect', async () => {
    const before = await pendingRows();
    const session = await loginSession(alice);
    const { params, url } = longRequest(skipper);
    const p = redirectParams(await get(url, session.cookie));
    expect(p.get('code')).toBeTruthy();
    expect(p.get('state')).toBe(params.state);
    expect(await pendingRows()).toBe(before);
  });

  it('RFC 6749 §3.1: a new request that carries its own `pending` parameter is not taken for a pending request', async () => {
    const session = await loginSession(alice);
    const { url } = longRequest(skipper, { pending: 'the-client-s-own-value' });
    expect(redirectParams(await get(url, session.cookie)).get('code')).toBeTruthy();
  });
});

describe('a pending request is open once, for a limited time', () => {
  it('an unknown, malformed or expired pending id gets the error page saying to start again from the app, never a redirect', async () => {
    const session = await loginSession(alice);
    await expectExpiredPage(await getPending(srv, crypto.randomBytes(32).toString('base64url'), session.cookie));
    await expectExpiredPage(await getPending(srv, 'not-an-id', session.cookie));
    await expectExpiredPage(await get(`${srv.url}/o/authorize/?pending=`));

    const r = await get(longRequest(app).url);
    const pendingId = pendingIdOfRedirect(r, srv.url);
    await query(sql`UPDATE authorization_requests SET expires_at = now() - interval '1 second' WHERE request_id_hash = ${sha256b64url(pendingId)}`);
    await expectExpiredPage(await getPending(srv, pendingId, session.cookie));
    const o = await consentOutcome({ pendingId, session: session.session, ip: IP, decision: 'allow' });
    expect(o).toMatchObject({ kind: 'error_page', title: 'This sign-in request has expired' });
    expect(await pendingSignIn(`/o/authorize/?pending=${pendingId}`)).toEqual({ kind: 'expired' });
  });

  it('a pending request is single use: spent when the client gets its code, and by one of two concurrent decisions only', async () => {
    const session = await loginSession(alice);
    const { url } = longRequest(app, { prompt: 'consent' });
    const pendingId = pendingIdOfRedirect(await get(url, session.cookie), srv.url);
    await expectConsentPageOf(srv, pendingId, session.cookie);
    const outcomes = await Promise.all([1, 2].map(() => consentOutcome({ pendingId, session: session.session, ip: IP, decision: 'allow' })));
    expect(outcomes.filter((o) => o.kind === 'redirect')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'error_page')).toHaveLength(1);
    // Afterwards: the page says it is over, and the stored request is gone.
    await expectExpiredPage(await getPending(srv, pendingId, session.cookie));
    expect(await query(sql`SELECT 1 FROM authorization_requests WHERE request_id_hash = ${sha256b64url(pendingId)}`)).toHaveLength(0);
  });

  it('OAuth 2.0 (RFC 6749 §4.1.2.1): a consent decision has its effects only if it spends the request; when Cancel wins a race with Authorize, no consent is remembered and no code is stored', async () => {
    for (let round = 0; round < 6; round++) {
      const user = await makeUser();
      const session = await loginSession(user);
      const pendingId = pendingIdOfRedirect(await get(longRequest(app).url, session.cookie), srv.url);
      await expectConsentPageOf(srv, pendingId, session.cookie);
      // Two tabs, or a double click: Authorize and Cancel sent together.
      const [allow, deny] = await Promise.all((['allow', 'deny'] as const).map((decision) => consentOutcome({ pendingId, session: session.session, ip: IP, decision })));
      const allowWon = allow.kind === 'redirect';
      expect(allowWon).toBe(deny.kind !== 'redirect');
      const remembered = await query(sql`SELECT 1 FROM consents WHERE user_id = ${user.id}`);
      const codes = await query(sql`SELECT 1 FROM authorization_codes WHERE user_id = ${user.id}`);
      expect({ round, allowWon, remembered: remembered.length, codes: codes.length }).toEqual({ round, allowWon, remembered: allowWon ? 1 : 0, codes: allowWon ? 1 : 0 });
    }
  });

  it('stores only the SHA-256 of the pending id', async () => {
    const r = await get(longRequest(app).url);
    const pendingId = pendingIdOfRedirect(r, srv.url);
    const rows = await query<{ dump: string }>(sql`SELECT row_to_json(r)::text AS dump FROM authorization_requests r`);
    expect(rows.some((x) => x.dump.includes(sha256b64url(pendingId)))).toBe(true);
    expect(rows.some((x) => x.dump.includes(pendingId))).toBe(false);
  });
});

describe('whose consent: a request started anonymously is completed by whoever logs in, and decided by them only', () => {
  it('the consent decision counts only from the session the consent page was shown to', async () => {
    const bob = await makeUser();
    const carol = await makeUser();
    const bobs = await loginSession(bob);
    const carols = await loginSession(carol);
    const pendingId = pendingIdOfRedirect(await get(longRequest(app).url), srv.url);

    // Bob logs in and sees the consent page; a decision from Carol's session does not count for it.
    await expectConsentPageOf(srv, pendingId, bobs.cookie);
    const fromCarol = await consentOutcome({ pendingId, session: carols.session, ip: IP, decision: 'allow' });
    expect(fromCarol).toEqual({ kind: 'redirect', location: `/o/authorize/?pending=${pendingId}` });

    // Bob's own decision: the code is Bob's.
    const cb = callback(await consentOutcome({ pendingId, session: bobs.session, ip: IP, decision: 'allow' }));
    const [grant] = await query<{ user_id: string }>(sql`SELECT user_id FROM authorization_codes WHERE code_hash = ${sha256b64url(cb.get('code')!)}`);
    expect(grant.user_id).toBe(bob.id);
  });

  it('OIDC Core §3.1.2.1: prompt=login is satisfied by the login it sends the user to, not by an older one', async () => {
    const old = await loginSession(alice, Math.floor(Date.now() / 1000) - 3600);
    const { url } = longRequest(skipper, { prompt: 'login' });
    const r = await get(url, old.cookie);
    expect(new URL(r.headers.get('location')!, srv.url).pathname).toBe('/accounts/login/');
    const pendingId = pendingIdOfRedirect(r, srv.url);
    // Coming back with the old login: to the login page again.
    const again = await getPending(srv, pendingId, old.cookie);
    expect(new URL(again.headers.get('location')!, srv.url).pathname).toBe('/accounts/login/');
    // With the new login: the code.
    const fresh = await loginSession(alice);
    expect(redirectParams(await getPending(srv, pendingId, fresh.cookie)).get('code')).toBeTruthy();
  });
});

describe('the consent page shows the stored request, only to the session it is bound to; the decision re-checks what may have changed (issue 13)', () => {
  /** A consent app with an owner, and a logged-in user sent to its consent page: the pending id and the session. */
  async function atConsentPage() {
    const owner = await makeUser();
    const owned = await makeApp({ name: 'Owned App', userId: owner.id, algorithm: 'RS256' });
    const user = await makeUser();
    const login = await loginSession(user);
    const { params, url } = longRequest(owned);
    const r = await get(url, login.cookie);
    const pendingId = await expectConsentPage(srv, r, login.cookie);
    return { owner, owned, user, login, params, pendingId };
  }
  const bound = async (pendingId: string) =>
    (await query<{ session_sid_hash: string | null }>(sql`SELECT session_sid_hash FROM authorization_requests WHERE request_id_hash = ${sha256b64url(pendingId)}`))[0]?.session_sid_hash;
  let staff: admin.StaffActor;
  beforeAll(async () => {
    staff = { id: (await makeUser({ isStaff: true })).id, isStaff: true, ip: '192.0.2.1' };
  });

  it('RFC 6749 §4.1.1: the consent page reads the stored, validated request (application, owner, scopes) for its session, and neither spends nor rebinds it', async () => {
    const { owner, login, params, pendingId } = await atConsentPage();
    const page = await consentPage(pendingId, login.session);
    expect(page).toMatchObject({ pendingId, app: { name: 'Owned App' }, owner: owner.username, scopes: params.scope.split(' ') });
    expect(await bound(pendingId)).toBe(login.session.sidHash);
    // Shown twice, still the same open request: the decision spends it.
    expect(await consentPage(pendingId, login.session)).toMatchObject({ pendingId });
    expect(callback(await consentOutcome({ pendingId, session: login.session, ip: IP, decision: 'allow' })).get('code')).toBeTruthy();
    expect(await consentPage(pendingId, login.session)).toBeNull();
  });

  it('the consent page is shown to no other session, nor without one; the continuation URL shows it to whoever is logged in now', async () => {
    const { login, pendingId } = await atConsentPage();
    const other = await loginSession(await makeUser());
    expect(await consentPage(pendingId, other.session)).toBeNull();
    expect(await consentPage(pendingId, null)).toBeNull();
    expect(await bound(pendingId)).toBe(login.session.sidHash);
    // The page sends them to pendingPath: the endpoint binds the request to the session now logged in.
    await expectConsentPageOf(srv, pendingId, other.cookie);
    expect(await consentPage(pendingId, other.session)).toMatchObject({ pendingId });
    expect(await consentPage(pendingId, login.session)).toBeNull();
  });

  it('an unknown, malformed or expired request is not shown: the continuation URL answers with the expired page', async () => {
    const { login, pendingId } = await atConsentPage();
    expect(await consentPage(crypto.randomBytes(32).toString('base64url'), login.session)).toBeNull();
    expect(await consentPage('not-an-id', login.session)).toBeNull();
    await query(sql`UPDATE authorization_requests SET expires_at = now() - interval '1 second' WHERE request_id_hash = ${sha256b64url(pendingId)}`);
    expect(await consentPage(pendingId, login.session)).toBeNull();
    await expectExpiredPage(await getPending(srv, pendingId, login.cookie));
  });

  it('an application suspended after the request was stored: no consent page, the continuation shows the suspended page (403), and a decision gets no code', async () => {
    const { owner, owned, user, login, pendingId } = await atConsentPage();
    await admin.setUserActive(staff, owner.id, false);
    expect(await consentPage(pendingId, login.session)).toBeNull();
    const r = await getPending(srv, pendingId, login.cookie);
    expect(r.status).toBe(403);
    expect(r.headers.get('location')).toBeNull();
    expect(await r.text()).toContain('Application suspended');
    expect(await consentOutcome({ pendingId, session: login.session, ip: IP, decision: 'allow' })).toMatchObject({ kind: 'error_page', status: 403, title: 'Application suspended' });
    expect(await query(sql`SELECT 1 FROM authorization_codes WHERE user_id = ${user.id} AND application_id = ${owned.id}`)).toHaveLength(0);
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${user.id}`)).toHaveLength(0);
  });

  it('OWASP Session Management: a user deactivated between the consent page and the decision is sent to log in, and gets no code', async () => {
    const { owned, user, login, pendingId } = await atConsentPage();
    await admin.setUserActive(staff, user.id, false);
    const o = await consentOutcome({ pendingId, session: login.session, ip: IP, decision: 'allow' });
    expect(o.kind === 'redirect' && o.location).toBe(`/accounts/login/?next=${encodeURIComponent(`/o/authorize/?pending=${pendingId}`)}`);
    expect(await query(sql`SELECT 1 FROM authorization_codes WHERE user_id = ${user.id} AND application_id = ${owned.id}`)).toHaveLength(0);
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${user.id}`)).toHaveLength(0);
  });
});

describe(`documented limits: state ≤ ${AUTHORIZE_MAX_STATE_CHARS} characters, request ≤ ${AUTHORIZE_MAX_REQUEST_BYTES} bytes`, () => {
  /** Pads login_hint so that the form-encoded parameters are exactly `bytes` long. */
  function padTo(params: Record<string, string>, bytes: number) {
    params.login_hint = 'h';
    params.login_hint = 'h'.repeat(bytes - form(params).toString().length + 1);
    expect(form(params).toString().length).toBe(bytes);
    return params;
  }
  // Just over the limit: a GET stays under node's 16 KiB for the request line and headers.
  const oversize = (client: { clientId: string }, over: Record<string, string> = {}) => {
    const r = longRequest(client, over);
    padTo(r.params, AUTHORIZE_MAX_REQUEST_BYTES + 1);
    return { params: r.params, url: `${srv.url}/o/authorize/?${form(r.params)}` };
  };

  it('RFC 6749 §4.1.2.1: a GET request over the limit is invalid_request at the verified redirect URI, with its state', async () => {
    const { params, url } = oversize(app);
    const p = redirectParams(await get(url));
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toContain(String(AUTHORIZE_MAX_REQUEST_BYTES));
    expect(p.get('state')).toBe(params.state);
    expect(p.get('code')).toBeNull();
  });

  it('RFC 6749 §4.1.2.1: a POST request over the limit is invalid_request by a 303 to the verified redirect URI, with its state', async () => {
    const { params } = longRequest(app, { login_hint: 'h'.repeat(3 * AUTHORIZE_MAX_REQUEST_BYTES) });
    const r = await postAuthorize(form(params).toString(), (await loginSession(alice)).cookie);
    expect(r.status).toBe(303);
    const p = new URL(r.headers.get('location')!).searchParams;
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('state')).toBe(params.state);
  });

  it('a state over the limit is refused with invalid_request and not sent back', async () => {
    const { url } = longRequest(app, { state: 's'.repeat(AUTHORIZE_MAX_STATE_CHARS + 1), login_hint: 'a' });
    const p = redirectParams(await get(url));
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toContain('state');
    expect(p.has('state')).toBe(false);
  });

  it('RFC 6749 §4.1.2.1: an oversize request whose redirect URI cannot be verified gets the error page', async () => {
    const { url } = oversize(app, { redirect_uri: 'https://evil.example/cb' });
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.headers.get('location')).toBeNull();
    expect(await r.text()).toContain('Invalid callback URL');
  });

  it('a request at the limits is taken', async () => {
    const params = padTo(longRequest(skipper, { state: 's'.repeat(AUTHORIZE_MAX_STATE_CHARS) }).params, AUTHORIZE_MAX_REQUEST_BYTES);
    const p = new URL((await postAuthorize(form(params).toString(), (await loginSession(alice)).cookie)).headers.get('location')!).searchParams;
    expect(p.get('code')).toBeTruthy();
    expect(p.get('state')).toBe(params.state);
  });
});

describe('OWASP DoS: pending authorization requests cannot fill the database, nor evict anyone else\'s', () => {
  it('one source keeps its newest AUTHORIZE_PENDING_PER_IP pending requests; another source\'s request survives the flood', async () => {
    const idOf = (location: string | null) => new URL(new URL(location!, srv.url).searchParams.get('next')!, srv.url).searchParams.get('pending')!;
    const bystander = await getFrom('127.0.0.3', longRequest(app).url);
    expect(bystander.status).toBe(302);
    const ids: string[] = [];
    for (let i = 0; i < PER_SOURCE + 10; i++) {
      const r = await getFrom('127.0.0.2', longRequest(app).url);
      expect(r.status).toBe(302);
      ids.push(idOf(r.location));
    }
    const count = async (ip: string) => Number((await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM authorization_requests WHERE client_ip = ${ip}`))[0].n);
    expect(await count('127.0.0.2')).toBe(PER_SOURCE);
    expect(await count('127.0.0.3')).toBe(1);
    // The flooder lost its own oldest requests; its newest and the bystander's are live.
    expect(await pendingSignIn(`/o/authorize/?pending=${ids[0]}`)).toEqual({ kind: 'expired' });
    expect((await pendingSignIn(`/o/authorize/?pending=${ids.at(-1)}`))?.kind).toBe('live');
    expect((await pendingSignIn(`/o/authorize/?pending=${idOf(bystander.location)}`))?.kind).toBe('live');
  });
});
