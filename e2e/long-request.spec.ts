// A long authorization request in a real browser (issue 12, faults 2 and 5): an 8 KB authorization
// URL (a FAPI-sized state, long scope and login_hint) goes through the real login form and consent
// page, and the callback gets the exact state; the login page names the application; `next`
// values that cannot be followed are said so, and a non-ASCII one is followed, never a 500.
import { test, expect, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import { callbackAfter, signUp, logIn, logOut, uniqueName } from './helpers';

const CALLBACK = 'https://www.getpostman.com/oauth2/callback';

let app: { name: string; clientId: string; secret: string };
let user: { username: string; password: string };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signUp(page, uniqueName('dev'));
  await page.goto('/o/applications/register/');
  const name = uniqueName('Long Request App');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('application-saved')).toBeVisible();
  app = { name, clientId: await page.getByLabel('Client id', { exact: true }).inputValue(), secret: await page.getByLabel('Client secret', { exact: true }).inputValue() };
  await logOut(page);
  user = await signUp(page, uniqueName('alice'));
  await logOut(page);
  await page.close();
});

/** An authorization URL of 8 KB and more: a 3,900+ character state with characters a URL must escape. */
function longAuthorizeUrl(over: Record<string, string> = {}) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const state = `${crypto.randomBytes(2900).toString('base64url')} &=+%/?#é€😀`.padEnd(3950, '.');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: CALLBACK,
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    scope: 'read write',
    state,
    nonce: crypto.randomBytes(600).toString('base64url'),
    login_hint: `${'x'.repeat(3200)}@example.com`,
    ...over,
  });
  return { url: `/o/authorize/?${q}`, state: q.get('state')!, verifier };
}

async function stubPostman(page: Page) {
  await page.route('https://www.getpostman.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Postman</title><h1>Postman callback</h1>' }),
  );
}

test('RFC 6749 §4.1.2: an 8 KB authorization URL survives the login form and the consent page, and the callback gets the exact state', async ({ page, baseURL }) => {
  await stubPostman(page);
  const { url, state, verifier } = longAuthorizeUrl();
  expect(url.length).toBeGreaterThanOrEqual(8192);

  await page.goto(url);
  // The login page: a short `next` naming the stored request, and the application's name.
  await expect(page).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fauthorize%2F%3Fpending%3D[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('continue-to')).toHaveText(`Sign in to continue to ${app.name}.`);
  await logIn(page, user.username, user.password);

  // The consent page of the stored request.
  await expect(page.getByTestId('app-name')).toHaveText(app.name);
  const consentUrl = page.url();
  expect(new URL(consentUrl).searchParams.get('pending')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  expect(cb.searchParams.get('state')).toBe(state);
  expect(cb.searchParams.get('iss')).toBe(baseURL);
  const code = cb.searchParams.get('code')!;

  // The code is good: PKCE from the stored request.
  const tokens = await page.request.post('/o/token/', {
    form: { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: app.clientId, client_secret: app.secret, code_verifier: verifier },
  });
  expect(tokens.status(), await tokens.text()).toBe(200);
  expect((await tokens.json()).scope).toBe('read write');

  // The same consent URL again: the request was used; the page says to start again from the app.
  await page.unrouteAll();
  const again = await page.goto(consentUrl);
  expect(again!.status()).toBe(400);
  await expect(page.getByRole('heading', { name: 'This sign-in request has expired' })).toBeVisible();
});

test('the login page names the application and pre-fills the login_hint; an expired request is said so', async ({ page }) => {
  const { url } = longAuthorizeUrl({ login_hint: user.username });
  await page.goto(url);
  await expect(page.getByTestId('continue-to-app')).toHaveText(app.name);
  await expect(page.getByLabel('Username')).toHaveValue(user.username);

  // The sign-up page from there says the same.
  await page.getByRole('main').getByRole('link', { name: 'Sign up' }).click();
  await expect(page.getByTestId('continue-to')).toHaveText(`Create an account to continue to ${app.name}.`);

  // An unknown (or expired, or used) pending request: the error page, no redirect.
  const gone = crypto.randomBytes(32).toString('base64url');
  const res = await page.goto(`/o/authorize/?pending=${gone}`);
  expect(res!.status()).toBe(400);
  await expect(page.getByRole('heading', { name: 'This sign-in request has expired' })).toBeVisible();
  await expect(page.getByText('Go back to the application you came from')).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/o/authorize/');
  await page.goto(`/accounts/login/?next=${encodeURIComponent(`/o/authorize/?pending=${gone}`)}`);
  await expect(page.getByTestId('request-expired')).toBeVisible();
});

test('a non-ASCII next is followed after login, percent-encoded, never a 500 (issue 12, fault 5)', async ({ page }) => {
  const failures: number[] = [];
  page.on('response', (r) => {
    if (r.status() >= 500) failures.push(r.status());
  });
  await page.goto(`/accounts/login/?next=${encodeURIComponent('/o/applications/?q=café😀')}`);
  await logIn(page, user.username, user.password);
  await page.waitForURL((u) => u.pathname === '/o/applications/');
  expect(new URL(page.url()).search).toBe('?q=caf%C3%A9%F0%9F%98%80');
  await expect(page.getByTestId('whoami')).toContainText(user.username);
  expect(failures).toEqual([]);
  await logOut(page);
});

test('a next that is too long or of another site is not followed, and the login page says so', async ({ page }) => {
  await page.goto(`/accounts/login/?next=${encodeURIComponent(`/o/applications/?q=${'x'.repeat(5000)}`)}`);
  await expect(page.getByTestId('next-refused')).toContainText('longer than 4,096 characters');
  await page.goto(`/accounts/login/?next=${encodeURIComponent('https://evil.example/')}`);
  await expect(page.getByTestId('next-refused')).toContainText('not a page of this site');
  await logIn(page, user.username, user.password);
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByTestId('whoami')).toContainText(user.username);
});
