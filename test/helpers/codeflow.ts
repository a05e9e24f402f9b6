// Shared steps for the authorization-code tests (authorize, token, refresh, races, storage):
// real HTTP requests against the test server, nothing mocked.
import crypto from 'node:crypto';
import { expect } from 'vitest';
import { s256 } from '@/lib/oauth/pkce';
import { basic, form, sessionCookie, POSTMAN_CALLBACK, type LoginSession } from './fixtures';
import { authorize, decideConsent, type AuthorizeInput, type ConsentDecision } from '@/lib/oauth/endpoints/authorize';
import { AuthorizationError } from '@/lib/oauth/errors';
import { CONSENT_PAGE_PATH } from '@/lib/oauth/pending-request';
import type { Application, User } from '@/lib/db/schema';
import type { TestServer } from './server';

/** Where the requests go: a test server, or any base URL (an instance of a cluster, its proxy). */
export type Target = Pick<TestServer, 'url'>;

export const newVerifier = () => crypto.randomBytes(48).toString('base64url'); // 64 chars

export function authorizeUrl(srv: Target, params: Record<string, string | undefined>): string {
  return `${srv.url}/o/authorize/?${form(params)}`;
}

/** GET /o/authorize/ as a browser would, without following redirects. */
export async function getAuthorize(srv: Target, params: Record<string, string | undefined>, cookie?: string): Promise<Response> {
  return fetch(authorizeUrl(srv, params), { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}

/** The query of a 302's Location (asserting it is a redirect to `to`). */
export function redirectParams(r: Response, to = POSTMAN_CALLBACK): URLSearchParams {
  expect(r.status).toBe(302);
  const loc = new URL(r.headers.get('location')!);
  expect(`${loc.origin}${loc.pathname}`).toBe(to);
  return loc.searchParams;
}

/**
 * Where the authorization endpoint's functions send the browser, as its HTTP form does: a redirect
 * (to the client with a code or an error, or to one of our pages), or the error page it shows.
 */
export type Outcome = { kind: 'redirect'; location: string } | { kind: 'error_page'; status: number; title: string; message: string; hint?: string };

/** The Location `answer` resolves to, or the AuthorizationError it throws, as an Outcome. */
export async function outcomeOf(answer: Promise<string>): Promise<Outcome> {
  try {
    return { kind: 'redirect', location: await answer };
  } catch (err) {
    if (!(err instanceof AuthorizationError)) throw err;
    return err.location !== null ? { kind: 'redirect', location: err.location } : { kind: 'error_page', status: err.status, ...err.page };
  }
}

/** authorize() (what GET /o/authorize/ runs) as an Outcome. */
export const authorizeOutcome = (input: AuthorizeInput) => outcomeOf(authorize(input));

/** The consent form's decision (what its server action runs, decideConsent) as an Outcome. */
export const consentOutcome = (d: ConsentDecision) => outcomeOf(decideConsent(d));

/**
 * The pending request id of a redirect from /o/authorize/ (lib/oauth/pending-request.ts): to the
 * consent page (`/o/authorize/consent/?pending=<id>`) or to the login page, whose `next` continues
 * the request at the endpoint (`/o/authorize/?pending=<id>`).
 */
export function pendingIdOfRedirect(r: Response, base: string): string {
  expect([302, 303], `status ${r.status}`).toContain(r.status);
  let u = new URL(r.headers.get('location')!, base);
  const login = u.pathname === '/accounts/login/';
  if (login) u = new URL(u.searchParams.get('next')!, base);
  expect(u.origin).toBe(base);
  expect(u.pathname).toBe(login ? '/o/authorize/' : CONSENT_PAGE_PATH);
  expect([...u.searchParams.keys()]).toEqual(['pending']);
  const id = u.searchParams.get('pending')!;
  expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return id;
}

/** GET /o/authorize/?pending=<id> (the continuation after login) with a browser's cookie (or none), without following redirects. */
export function getPending(srv: Target, id: string, cookie?: string): Promise<Response> {
  return fetch(`${srv.url}/o/authorize/?pending=${id}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}

/** Asserts that the consent page `location` names is handed to Next.js (404 + x-test-handoff here). */
async function expectHandedToNext(srv: Target, location: string, cookie: string) {
  const page = await fetch(new URL(location, srv.url), { headers: { cookie }, redirect: 'manual' });
  expect(page.status).toBe(404);
  expect(page.headers.get('x-test-handoff')).toBe('next');
}

/**
 * Asserts that `r` (an answer of /o/authorize/ to a logged-in user) leads to the consent page: a
 * redirect to the request's consent page, a Next.js page. Returns the pending id.
 */
export async function expectConsentPage(srv: Target, r: Response, cookie: string): Promise<string> {
  const pendingId = pendingIdOfRedirect(r, srv.url);
  expect(new URL(r.headers.get('location')!, srv.url).pathname, 'not the login page').toBe(CONSENT_PAGE_PATH);
  await expectHandedToNext(srv, r.headers.get('location')!, cookie);
  return pendingId;
}

/**
 * Asserts that continuing the pending request (GET /o/authorize/?pending=<id>, as after login) with
 * this cookie shows it the consent page: the endpoint binds the request to the session and
 * redirects to the consent page, which is handed to Next.js.
 */
export async function expectConsentPageOf(srv: Target, pendingId: string, cookie: string): Promise<void> {
  const r = await getPending(srv, pendingId, cookie);
  expect(r.status).toBe(302);
  expect(r.headers.get('location')).toBe(`${CONSENT_PAGE_PATH}?pending=${pendingId}`);
  await expectHandedToNext(srv, r.headers.get('location')!, cookie);
}

/**
 * Consent as a browser gives it: the authorization request redirects to its consent page
 * (`/o/authorize/consent/?pending=<id>`, handed to Next.js), and the form's decision goes through
 * the server action's function (decideConsent).
 */
export async function giveConsent(srv: Target, url: URL | string, login: LoginSession, decision: 'allow' | 'deny' = 'allow', ip = '127.0.0.1'): Promise<Outcome> {
  const first = await fetch(url, { headers: { cookie: login.cookie }, redirect: 'manual' });
  const pendingId = await expectConsentPage(srv, first, login.cookie);
  return consentOutcome({ pendingId, session: login.session, ip, decision });
}

export interface CodeResult {
  code: string;
  verifier: string;
  params: URLSearchParams;
}

/** Runs GET /o/authorize/ for a logged-in user on a skip-authorization (or pre-consented) app. */
export async function obtainCode(
  srv: Target,
  app: Pick<Application, 'clientId'>,
  user: Pick<User, 'id' | 'username'>,
  extra: Record<string, string | undefined> = {},
): Promise<CodeResult> {
  const verifier = newVerifier();
  const r = await getAuthorize(
    srv,
    { response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 'st', ...extra },
    await sessionCookie(user),
  );
  const params = redirectParams(r, extra.redirect_uri ?? POSTMAN_CALLBACK);
  const code = params.get('code');
  expect(code, params.toString()).toBeTruthy();
  return { code: code!, verifier, params };
}

/** POST /o/token/ with a form body. `auth` adds client_secret_basic. */
export async function postToken(srv: Target, body: Record<string, string | undefined>, auth?: { id: string; secret: string }, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: basic(auth.id, auth.secret) } : {}), ...headers },
    body: form(body),
  });
}

export const creds = (app: Pick<Application, 'clientId'> & { secret: string }) => ({ id: app.clientId, secret: app.secret });

/** Exchanges a code with the Postman callback and client_secret_basic. */
export async function exchange(srv: Target, app: Pick<Application, 'clientId'> & { secret: string }, c: CodeResult, over: Record<string, string | undefined> = {}) {
  return postToken(srv, { grant_type: 'authorization_code', code: c.code, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier, ...over }, creds(app));
}

export async function tokensFor(srv: Target, app: Pick<Application, 'clientId'> & { secret: string }, user: Pick<User, 'id' | 'username'>) {
  const c = await obtainCode(srv, app, user);
  const r = await exchange(srv, app, c);
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body as { access_token: string; refresh_token: string; scope: string; expires_in: number; token_type: string };
}

/** Asserts an RFC 6749 §5.2 error answer and returns its body. */
export async function expectOAuthError(r: Response, status: number, error: string): Promise<{ error: string; error_description?: string }> {
  const text = await r.text();
  expect(r.status, text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(r.headers.get('cache-control')).toBe('no-store');
  expect(r.headers.get('pragma')).toBe('no-cache');
  const body = JSON.parse(text);
  expect(body.error).toBe(error);
  return body;
}
