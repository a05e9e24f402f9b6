// The tutorial's "Test Your Authorization Server" in a real browser: a developer registers an app
// through the UI with Postman's callback, a user authorizes it as Postman would open it (PKCE
// S256), the code is exchanged and refreshed; the Cancel path and the bad-callback page.
import { test, expect, type Browser, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import { callbackAfter, signUp, logIn, logOut, uniqueName } from './helpers';

const CALLBACK = 'https://www.getpostman.com/oauth2/callback';

interface Registered {
  name: string;
  owner: string;
  clientId: string;
  secret: string;
}

let registered: Registered;
let consenter: { username: string; password: string };

test.describe.configure({ mode: 'serial' });

async function registerApp(browser: Browser): Promise<Registered> {
  const page = await browser.newPage();
  const dev = await signUp(page, uniqueName('dev'));
  await page.goto('/o/applications/register/');
  const name = uniqueName('Postman tutorial');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  // The tutorial's defaults: Authorization code (and Refresh token) checked, secret hashed.
  await expect(page.getByLabel('Authorization code', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Refresh token', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Hash client secret')).toBeChecked();
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('application-saved')).toBeVisible();
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  expect(clientId).toMatch(/^[A-Za-z0-9]{20,}$/);
  expect(secret.length).toBeGreaterThanOrEqual(32);
  await logOut(page);
  const u = await signUp(page, uniqueName('alice'));
  consenter = u;
  await page.close();
  return { name, owner: dev.username, clientId, secret };
}

/** An authorization URL as Postman's "Authorization Code (With PKCE)" builds it. */
function postmanAuthorizeUrl(clientId: string, over: Record<string, string> = {}) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const state = crypto.randomBytes(8).toString('hex');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    state,
    redirect_uri: CALLBACK,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...over,
  });
  return { url: `/o/authorize/?${q}`, verifier, state };
}

/** Postman's callback page is not reachable from here: answer it with a stub and record it. */
async function stubPostman(page: Page) {
  await page.route('https://www.getpostman.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Postman</title><h1>Postman callback</h1>' }),
  );
}

function expectPageSecurityHeaders(res: { headers(): Record<string, string> } | null) {
  expect(res).not.toBeNull();
  const h = res!.headers();
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['x-frame-options']).toBe('DENY');
  expect(h['referrer-policy']).toBe('no-referrer');
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

test.beforeAll(async ({ browser }) => {
  registered = await registerApp(browser);
});

test('a user logs in, consents, and Postman gets a code it exchanges and refreshes (RFC 6749 §4.1, RFC 7636, RFC 9207)', async ({ page, baseURL }) => {
  await stubPostman(page);
  const { url, verifier, state } = postmanAuthorizeUrl(registered.clientId);

  // Anonymous: the authorize URL sends the user to log in, then back to the same request.
  await page.goto(url);
  await expect(page).toHaveURL(/\/accounts\/login\/\?next=/);
  await logIn(page, consenter.username, consenter.password);

  // The consent page: the app's name, its owner, each scope in plain words.
  await expect(page.getByTestId('app-name')).toHaveText(registered.name);
  await expect(page.getByText(`Registered by ${registered.owner}`)).toBeVisible();
  // Grouped by resource: the built-in API, under its name and host (issue 16).
  const perms = page.getByRole('group', { name: /^API \(/ });
  await expect(perms.getByText('Read your data')).toBeVisible();
  await expect(perms.getByText('Create and change your data')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/o/authorize/consent/');
  // The consent page of the stored request (/o/authorize/consent/?pending=<id>).
  expectPageSecurityHeaders(await page.request.get(page.url(), { maxRedirects: 0 }));

  // Authorize: the browser is sent to Postman's callback with code, state and iss (the request is
  // what counts; whether the stubbed page then loads is Playwright's business).
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  expect(cb.searchParams.get('state')).toBe(state);
  expect(cb.searchParams.get('iss')).toBe(baseURL);
  const code = cb.searchParams.get('code')!;
  expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);

  // Postman's "Get New Access Token": the code for tokens, client_secret_basic.
  const tokenRes = await page.request.post('/o/token/', {
    headers: { authorization: basic(registered.clientId, registered.secret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
  });
  expect(tokenRes.status(), await tokenRes.text()).toBe(200);
  expect(tokenRes.headers()['cache-control']).toBe('no-store');
  expect(tokenRes.headers()['pragma']).toBe('no-cache');
  const tokens = await tokenRes.json();
  expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 36000, scope: 'read write' });
  expect(tokens.access_token).toBeTruthy();
  expect(tokens.refresh_token).toBeTruthy();

  // The tutorial's "Refresh the token" (client_secret_post this time).
  const refreshed = await page.request.post('/o/token/', {
    form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: registered.clientId, client_secret: registered.secret },
  });
  expect(refreshed.status(), await refreshed.text()).toBe(200);
  const r = await refreshed.json();
  expect(r.access_token).not.toBe(tokens.access_token);
  expect(r.refresh_token).not.toBe(tokens.refresh_token);
  expect(r.scope).toBe('read write');

  // The code is single use.
  const again = await page.request.post('/o/token/', {
    headers: { authorization: basic(registered.clientId, registered.secret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
  });
  expect(again.status()).toBe(400);
  expect((await again.json()).error).toBe('invalid_grant');

  // Consent is remembered: the same request again goes straight to the callback.
  // (Read from the redirect itself: a navigation 302 to an external host escapes page.route.)
  const second = postmanAuthorizeUrl(registered.clientId);
  const res = await page.request.get(second.url, { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  const loc = new URL(res.headers()['location']);
  expect(`${loc.origin}${loc.pathname}`).toBe(CALLBACK);
  expect(loc.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  expect(loc.searchParams.get('state')).toBe(second.state);
  expect(loc.searchParams.get('iss')).toBe(baseURL);
});

test('Cancel sends the user back with error=access_denied, state and iss (RFC 6749 §4.1.2.1)', async ({ page, baseURL }) => {
  await stubPostman(page);
  await page.goto('/accounts/login/');
  await logIn(page, consenter.username, consenter.password);
  await expect(page.getByTestId('whoami')).toContainText(consenter.username);
  // A scope not approved before, so the consent page shows again.
  const { url, state } = postmanAuthorizeUrl(registered.clientId, { scope: 'read introspection' });
  await page.goto(url);
  await expect(page.getByTestId('app-name')).toHaveText(registered.name);
  await expect(page.getByText('Check whether access tokens are valid')).toBeVisible();
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Cancel' }).click());
  expect(cb.searchParams.get('error')).toBe('access_denied');
  expect(cb.searchParams.get('state')).toBe(state);
  expect(cb.searchParams.get('iss')).toBe(baseURL);
  expect(cb.searchParams.get('code')).toBeNull();
});

test('the consent form works without JavaScript (progressive enhancement: a click before the page\'s script runs): Authorize gets the client its code', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await stubPostman(page);
  await page.goto('/accounts/login/');
  await logIn(page, consenter.username, consenter.password);
  await expect(page.getByTestId('whoami')).toContainText(consenter.username);
  const { url, state, verifier } = postmanAuthorizeUrl(registered.clientId, { scope: 'read write introspection', prompt: 'consent' });
  await page.goto(url);
  await expect(page.getByTestId('app-name')).toHaveText(registered.name);
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  expect(cb.searchParams.get('state')).toBe(state);
  const token = await page.request.post('/o/token/', {
    headers: { authorization: basic(registered.clientId, registered.secret) },
    form: { grant_type: 'authorization_code', code: cb.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: verifier },
  });
  expect(token.status()).toBe(200);
  await context.close();
});

test('the consent page shows the stored request to this browser\'s session only: an anonymous visitor gets the login, another user the page for themself (issue 13)', async ({ page, browser, baseURL }) => {
  await stubPostman(page);
  await page.goto('/accounts/login/');
  await logIn(page, consenter.username, consenter.password);
  await expect(page.getByTestId('whoami')).toContainText(consenter.username);
  const { url, state } = postmanAuthorizeUrl(registered.clientId, { scope: 'read', prompt: 'consent' });
  await page.goto(url);
  await expect(page.getByTestId('app-name')).toHaveText(registered.name);
  const consentUrl = page.url();
  expect(new URL(consentUrl).pathname).toBe('/o/authorize/consent/');

  // The same URL in another browser: first anonymous (to the login, which continues the request),
  // then as another user, who gets the consent page for themself.
  const context = await browser.newContext({ baseURL });
  const other = await context.newPage();
  await stubPostman(other);
  await other.goto(consentUrl);
  await expect(other).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fauthorize%2F%3Fpending%3D[A-Za-z0-9_-]{43}$/);
  const bob = await signUp(other, uniqueName('bob'));
  await other.goto(consentUrl);
  await expect(other.getByTestId('app-name')).toHaveText(registered.name);
  await expect(other.getByText(`You are signed in as ${bob.username}`)).toBeVisible();
  const otherCb = await callbackAfter(other, CALLBACK, () => other.getByRole('button', { name: 'Authorize' }).click());
  expect(otherCb.searchParams.get('state')).toBe(state);
  expect(otherCb.searchParams.get('code')).toBeTruthy();
  await context.close();

  // The first browser's page is now for a spent request: its decision gets the expired page.
  await page.getByRole('button', { name: 'Authorize' }).click();
  await expect(page.getByRole('heading', { name: 'This sign-in request has expired' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/o/authorize/');
});

test('an unregistered callback URL gets an error page that says how to fix it, never a redirect', async ({ page }) => {
  let leftSite = false;
  await page.route('https://evil.example/**', (route) => {
    leftSite = true;
    return route.fulfill({ status: 200, body: 'should not be here' });
  });
  await page.goto('/accounts/login/');
  await logIn(page, consenter.username, consenter.password);
  await expect(page.getByTestId('whoami')).toContainText(consenter.username);
  const { url } = postmanAuthorizeUrl(registered.clientId, { redirect_uri: 'https://evil.example/oauth2/callback' });
  const res = await page.goto(url);
  expect(res!.status()).toBe(400);
  expectPageSecurityHeaders(res);
  await expect(page.getByRole('heading', { name: 'Invalid callback URL' })).toBeVisible();
  await expect(page.getByTestId('error-message')).toContainText('is not registered for this application');
  await expect(page.getByText(/How to fix it:.*Add the exact callback URL to the Redirect uris/)).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/o/authorize/');
  expect(leftSite).toBe(false);
});

test('an unknown client_id gets the error page, even with prompt=none (DOT #1719)', async ({ page }) => {
  const { url } = postmanAuthorizeUrl('no-such-client', { prompt: 'none' });
  const res = await page.goto(url);
  expect(res!.status()).toBe(400);
  await expect(page.getByRole('heading', { name: 'Invalid client' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/o/authorize/');
});
