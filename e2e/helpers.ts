// Shared steps for the e2e specs, done as a person does them (labels and button names).
import { expect, type Browser, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import { pathFor } from '../lib/oauth/paths';
export { E2E_ADMIN } from './constants';

/** The tutorial's callback, Postman's. */
export const POSTMAN_CALLBACK = 'https://www.getpostman.com/oauth2/callback';

export const uniqueName = (prefix = 'user') => `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
export const PASSWORD = 'correct horse battery staple';

export async function signUp(page: Page, username = uniqueName(), password = PASSWORD) {
  await page.goto('/accounts/signup/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('whoami')).toContainText(username);
  return { username, password };
}

export async function logIn(page: Page, username: string, password = PASSWORD) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A fresh browser (its own cookies) logged in as `username`. */
export async function loggedInBrowser(browser: Browser, username: string, password = PASSWORD): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/accounts/login/');
  await logIn(page, username, password);
  await expect(page.getByTestId('whoami')).toContainText(username);
  return page;
}

/** An authorization URL (path and query) as Postman's "Authorization Code (With PKCE)" builds it (RFC 7636 §4.2, S256). */
export function postmanAuthorizeUrl(clientId: string, over: Record<string, string> = {}) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: POSTMAN_CALLBACK,
    state: crypto.randomBytes(8).toString('hex'),
    scope: 'read write',
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...over,
  });
  return `${pathFor('authorization')}?${q}`;
}

/**
 * Runs `act` (a click, a goto) and answers the URL the browser was then sent to under `prefix`: the
 * authorization response at the client's callback (RFC 6749 §4.1.2, §4.1.2.1), read from the
 * navigation request itself, registered before `act` runs. So the result depends neither on that
 * callback's host loading nor on a page.route stub catching the cross-origin redirect to it: the specs
 * keep their stubs (the page usually loads), but once in CI Chromium did a real DNS look-up for
 * www.getpostman.com after the 303 from the consent page (no outside network: ERR_NAME_NOT_RESOLVED),
 * and a waitForURL on the callback failed. The code, state and iss are in this URL.
 */
export async function callbackAfter(page: Page, prefix: string, act: () => Promise<unknown>): Promise<URL> {
  const [request] = await Promise.all([page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(prefix)), act()]);
  return new URL(request.url());
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
}

/** Nothing on the page reaches past the right edge of the viewport (no sideways scrolling); code blocks scroll on their own. */
export async function expectNoOverflow(page: Page) {
  const wide = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > vw + 1 && !e.closest('.overflow-x-auto, pre'))
      .map((e) => `<${e.tagName.toLowerCase()}> ${(e.textContent ?? '').trim().slice(0, 40)}`);
    return { scroll: document.documentElement.scrollWidth, vw, out: out.slice(0, 5) };
  });
  expect(wide.out, `${page.url()}: elements past ${wide.vw} px`).toEqual([]);
  expect(wide.scroll, page.url()).toBeLessThanOrEqual(wide.vw);
}
