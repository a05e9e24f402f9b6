// "Try it" (issue 17): the seed tutorial's flow run from the application's own page, without Postman.
// A confidential application: the playground's callback added through the offer (confirmed), the
// authorization code with PKCE in a new tab (consent there), the code handed back, the exchange with
// the decoded ID token and every check passed, refresh, introspection, UserInfo, revocation. A
// public application the same way, one step run with the keyboard alone. A wrong secret: the
// invalid_client answer with its explanation. The typed secret is never in the page's HTML, its
// storage, its URL, its cookies, or the server's output. Screenshots of each stage at 1280×800 and 390×844 go to
// test-results/screenshots/playground-*.png; axe finds no serious or critical violation.
//
// Runs against its own production server (e2e/prod-server.ts) on E2E_PORT + 2, whose output it reads.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import path from 'node:path';
import { E2E_PORT } from './constants';
import { startProdServer, type ProdServer } from './prod-server';
import { expectNoOverflow, signUp, uniqueName } from './helpers';

const PORT = E2E_PORT + 2;
const BASE = `http://localhost:${PORT}`;
const CALLBACK = `${BASE}/o/applications/playground/callback/`;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = path.resolve('test-results/screenshots');

let srv: ProdServer;

/** The server's output so far holds `secret` in no form it travels in (as typed, URL-encoded). */
function expectNotInServerOutput(secret: string) {
  const out = srv.output();
  expect(out.length, 'the server wrote its log').toBeGreaterThan(0);
  expect(out.includes(secret), 'the secret in the server output').toBe(false);
  expect(out.includes(encodeURIComponent(secret)), 'the URL-encoded secret in the server output').toBe(false);
}

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: BASE, viewport: DESKTOP });
test.setTimeout(120_000);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  srv = await startProdServer({ PORT: String(PORT), DEVICE_CODE_INTERVAL_SECONDS: '1' });
});
test.afterAll(async () => srv?.dispose());

/** Registers an application through the form and opens its playground from the application's page. */
async function registerAndTry(page: Page, o: { type: 'Confidential' | 'Public'; code?: boolean; refresh?: boolean; clientCredentials?: boolean; rs256?: boolean }) {
  const name = uniqueName('Try');
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel(o.type, { exact: true }).check();
  await page.getByLabel('Authorization code', { exact: true }).setChecked(o.code ?? false);
  await page.getByLabel('Refresh token', { exact: true }).setChecked(o.refresh ?? false);
  if (o.type === 'Confidential') await page.getByLabel('Client credentials', { exact: true }).setChecked(o.clientCredentials ?? false);
  if (o.code) await page.getByLabel('Redirect uris', { exact: true }).fill('https://www.getpostman.com/oauth2/callback');
  if (o.rs256) await page.getByLabel('Algorithm', { exact: true }).selectOption({ label: 'RSA with SHA-2 256' });
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  const secret = o.type === 'Confidential' ? await page.getByLabel('Client secret', { exact: true }).inputValue() : '';
  await page.getByRole('link', { name: 'Open application' }).click();
  await page.getByRole('link', { name: 'Try it', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Try it: ${name}`);
  return { name, secret };
}

/** axe's serious and critical violations, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** A full-page screenshot at desktop and phone size (no sideways scroll on the phone), back to desktop. */
async function stage(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: `${SCREENSHOTS}/playground-${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await expectNoOverflow(page);
  await page.screenshot({ path: `${SCREENSHOTS}/playground-${name}-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** Adds the playground's callback through the offer and its confirmation. */
async function addCallback(page: Page) {
  await expect(page.getByTestId('callback-offer')).toContainText(CALLBACK);
  await expect(page.getByRole('button', { name: 'Open the authorization request in a new tab' })).toBeDisabled();
  await page.getByRole('button', { name: 'Add the playground’s callback…' }).click();
  await expect(page.getByRole('heading', { name: /Add the playground’s callback to/ })).toBeFocused();
  await stage(page, 'add-callback');
  await page.getByRole('button', { name: 'Add the playground’s callback', exact: true }).click();
  await expect(page.getByText(`Added ${CALLBACK} to the redirect URIs.`)).toBeVisible();
  await expect(page.getByTestId('callback-registered')).toBeVisible();
}

/** The authorization request in a new tab: consent there; the callback hands the code back and closes. */
async function authorize(page: Page) {
  const popupOpened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Open the authorization request in a new tab' }).click();
  const popup = await popupOpened;
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Authorize', exact: true }).click();
  await expect(page.getByTestId('callback-result')).toContainText('a code, with the state this page sent');
  await closed;
}

/** Every check of the decoded ID token passed. */
async function expectIdTokenChecked(page: Page, step: string) {
  const jwt = page.getByTestId(`result-${step}`).getByTestId('jwt-id_token');
  for (const check of ['signature', 'exp', 'iss', 'aud', 'nonce', 'at_hash']) {
    await expect(jwt.getByTestId(`check-${check}`), check).toHaveAttribute('data-ok', 'true');
  }
}

const body = (page: Page, step: string) => page.getByTestId(`body-${step}`);

test('Try it, confidential application: the tutorial’s flow with PKCE, the ID token checked, then refresh, introspect, UserInfo and revoke', async ({ page }) => {
  await signUp(page);
  const { secret } = await registerAndTry(page, { type: 'Confidential', code: true, refresh: true, rs256: true });
  expect.soft(await seriousViolations(page), 'axe on the playground').toEqual([]);
  await expect(page.locator('h1')).toHaveCount(1);
  await stage(page, 'start');
  await addCallback(page);

  await page.getByLabel('Client secret', { exact: true }).fill(secret);
  await expect(page.getByLabel('Client secret', { exact: true })).toHaveAttribute('type', 'password');
  await expect(page.locator('#playground-secret-hint')).toContainText('(they read $CLIENT_SECRET)');
  await expect(page.locator('#playground-secret-hint')).not.toContainText('$$');
  await expect(page.getByLabel('Client secret', { exact: true })).toHaveAttribute('autocomplete', 'new-password');
  // Uncontrolled: the typed secret is never rendered into the page's HTML (no value attribute).
  expect(await page.content()).not.toContain(secret);
  // The request is shown before it is sent: each parameter explained and linked to its RFC section.
  const auth = page.getByTestId('step-authorize');
  await expect(auth.getByTestId('param-code_challenge_method')).toContainText('S256');
  await expect(auth.getByTestId('param-nonce').getByRole('link', { name: 'OpenID Connect Core §3.1.2.1' })).toBeVisible();
  await expect(auth.getByTestId('param-state').getByRole('link', { name: 'RFC 6749 §10.12' })).toHaveAttribute('href', 'https://www.rfc-editor.org/rfc/rfc6749#section-10.12');
  await expect(auth.getByTestId('param-redirect_uri')).toContainText(CALLBACK);

  await authorize(page);
  await expect(page.getByTestId('step-exchange').getByTestId('param-client_secret')).toContainText('the secret you typed; not shown');
  await page.getByRole('button', { name: 'Exchange the code' }).click();
  await expect(page.getByTestId('result-exchange').getByRole('heading', { name: 'Response: HTTP 200 (success)' })).toBeFocused();
  await expect(page.getByTestId('result-exchange')).toContainText('cache-control: no-store');
  await expectIdTokenChecked(page, 'exchange');
  await stage(page, 'tokens');
  // At 390 px nothing breaks mid-word (no break-all anywhere); JSON and URLs keep their lines and
  // scroll sideways inside their block, which the keyboard can reach and which is named.
  await page.setViewportSize(PHONE);
  const breakAll = await page.getByTestId('playground').evaluate((root) => [...root.querySelectorAll('*')].filter((e) => getComputedStyle(e).wordBreak === 'break-all').length);
  expect(breakAll, 'elements with word-break: break-all').toBe(0);
  for (const block of [body(page, 'exchange'), page.getByTestId('step-exchange').getByTestId('request-url')]) {
    await expect(block).toHaveCSS('white-space', 'pre');
    await expect(block).toHaveCSS('overflow-x', 'auto');
    await expect(block).toHaveAttribute('tabindex', '0');
    await expect(block).toHaveAttribute('aria-label', /.+/);
  }
  expect(await body(page, 'exchange').evaluate((e) => e.scrollWidth > e.clientWidth), 'the tokens scroll inside the body block').toBe(true);
  await expect(page.getByTestId('callback-result').getByTestId('authorization-code')).toHaveCSS('overflow-wrap', 'anywhere');
  await page.setViewportSize(DESKTOP);

  await page.getByRole('button', { name: 'Refresh the tokens' }).click();
  await expect(body(page, 'refresh')).toContainText('"refresh_token"');
  // The refresh rotated the tokens: the exchange's answer is marked as no longer current.
  await expect(page.getByTestId('stale-exchange')).toContainText('rotated the tokens');
  await expect(page.getByTestId('stale-refresh')).toHaveCount(0);
  // RFC 7662 §2.1: the step says what authorizes introspection (here: the application's own credentials).
  await expect(page.getByTestId('introspect-authorization')).toContainText('own client_id and client secret');
  await expect(page.getByTestId('step-introspect').getByTestId('param-token').getByRole('link', { name: 'RFC 7662 §2.1' })).toBeVisible();
  await expect(page.getByTestId('step-revoke').getByTestId('param-token').getByRole('link', { name: 'RFC 7009 §2.1' })).toBeVisible();
  await page.getByRole('button', { name: 'Introspect the access token' }).click();
  await expect(body(page, 'introspect')).toContainText('"active": true');
  await page.getByRole('button', { name: 'Ask UserInfo' }).click();
  await expect(body(page, 'userinfo')).toContainText('"sub"');
  await page.getByRole('button', { name: 'Revoke the tokens' }).click();
  await expect(page.getByTestId('result-revoke')).toContainText('HTTP 200');
  // Revoked: the earlier answers (UserInfo's 200, introspection's active: true) are no longer shown as current.
  await expect(page.getByTestId('stale-userinfo')).toContainText('revoked after it');
  await expect(page.getByTestId('stale-introspect')).toContainText('revoked after it');
  await expect(page.getByTestId('tokens-in-use')).toContainText('revoked by “Revoke the tokens”');
  // A confidential client introspects with its own credentials: it can still ask, and sees active: false.
  await expect(page.getByTestId('revoke-followup')).toContainText('introspect again to see active: false');
  await page.getByRole('button', { name: 'Introspect the access token' }).click();
  await expect(body(page, 'introspect')).toContainText('"active": false');
  await expect(page.getByTestId('stale-introspect')).toHaveCount(0);
  await stage(page, 'revoked');

  // The secret is in the input only: not in the page's HTML, its storage, address or cookies.
  expect(await page.content(), 'the secret in the page’s HTML').not.toContain(secret);
  expect(await page.getByLabel('Client secret', { exact: true }).getAttribute('value')).toBeNull();
  const kept = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href, cookie: document.cookie }));
  expect(kept).not.toContain(secret);
  const cookies = await page.context().cookies();
  expect(JSON.stringify(cookies)).not.toContain(secret);
  expectNotInServerOutput(secret);
});

test('Try it, public application: PKCE without a secret, the ID token checked; a step run with the keyboard alone', async ({ page }) => {
  await signUp(page);
  await registerAndTry(page, { type: 'Public', code: true, refresh: true, rs256: true });
  await expect(page.getByLabel('Client secret')).toHaveCount(0);
  await addCallback(page);
  await authorize(page);
  await expect(page.getByTestId('step-exchange').getByTestId('param-client_secret')).toHaveCount(0);

  // Keyboard alone: Tab to "Exchange the code", Enter; the focus lands on the answer.
  await page.getByRole('button', { name: 'New PKCE values, state and nonce' }).focus();
  for (let i = 0; i < 40; i++) {
    if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Exchange the code') break;
    await page.keyboard.press('Tab');
  }
  await expect(page.getByRole('button', { name: 'Exchange the code' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('result-exchange').getByRole('heading', { name: 'Response: HTTP 200 (success)' })).toBeFocused();
  await expectIdTokenChecked(page, 'exchange');

  await expect(page.getByTestId('introspect-authorization')).toContainText('bearer token carrying the introspection scope');
  await page.getByRole('button', { name: 'Introspect the access token' }).click();
  await expect(body(page, 'introspect')).toContainText('"active": true');
  await page.getByRole('button', { name: 'Ask UserInfo' }).click();
  await expect(body(page, 'userinfo')).toContainText('"sub"');
  await page.getByRole('button', { name: 'Refresh the tokens' }).click();
  await expect(body(page, 'refresh')).toContainText('"access_token"');
  await page.getByRole('button', { name: 'Revoke the tokens' }).click();
  await expect(page.getByTestId('result-revoke')).toContainText('HTTP 200');
  // A public client authorizes introspection with the token it just revoked: that can no longer
  // work, and the page says so rather than promise active: false (RFC 7662 §2.1).
  await expect(page.getByTestId('revoke-followup')).toContainText('can no longer work');
  await expect(page.getByTestId('revoke-followup')).not.toContainText('active: false');
  await page.getByRole('button', { name: 'Introspect the access token' }).click();
  await expect(page.getByTestId('result-introspect').getByRole('heading', { name: 'Response: HTTP 401 (error)' })).toBeFocused();
  await expect(page.getByTestId('result-introspect').getByTestId('error-explanation')).toContainText('invalid_token');
  await stage(page, 'public');

  // RFC 6749 §4.1.2: the same code exchanged again is refused, and the server revokes the tokens of
  // its first exchange (and those refreshed from them): the page says so.
  await page.getByRole('button', { name: 'Exchange the code' }).click();
  const again = page.getByTestId('result-exchange');
  await expect(again.getByRole('heading', { name: 'Response: HTTP 400 (error)' })).toBeFocused();
  await expect(again.getByTestId('error-explanation')).toContainText('revoked the tokens of its first exchange');
  await expect(page.getByTestId('note-exchange')).toContainText('already exchanged above');
  await expect(page.getByTestId('tokens-in-use')).toContainText('revoked by the server: their authorization code was exchanged a second time');
  await expect(page.getByTestId('stale-refresh')).toContainText('code was exchanged again');
});

test('Try it, RFC 6749 §5.2: a wrong secret is invalid_client, shown with what it means and the fix', async ({ page }) => {
  await signUp(page);
  await registerAndTry(page, { type: 'Confidential', clientCredentials: true });
  await expect(page.getByTestId('callback-offer')).toHaveCount(0);
  const wrong = `wrong-${uniqueName('secret')}`;
  await page.getByLabel('Client secret', { exact: true }).fill(wrong);
  await page.getByRole('button', { name: 'Request a client credentials token' }).click();
  const result = page.getByTestId('result-client_credentials');
  // §5.2: 400, or 401 when the client authenticated with the Authorization header (here: the body).
  await expect(result.getByRole('heading', { name: /^Response: HTTP 40[01] \(error\)$/ })).toBeFocused();
  const explanation = result.getByTestId('error-explanation');
  await expect(explanation).toContainText('invalid_client');
  await expect(explanation).toContainText('the client secret is wrong or missing');
  await expect(explanation).toContainText('Regenerate it on the application’s page');
  expect.soft(await seriousViolations(page), 'axe with an error shown').toEqual([]);
  await stage(page, 'wrong-secret');
  expectNotInServerOutput(wrong);

  // An answer no playground tab takes (this tab sent another state): the callback page does not
  // claim it went through; it says so only on the playground's acknowledgement.
  const stray = await page.context().newPage();
  await stray.goto(`${CALLBACK}?code=stray&state=not-this-tabs-state`);
  await expect(stray.getByTestId('playground-callback-status')).toHaveText('No playground tab received it: open Try it again and restart this step.');
  await stray.close();
});

test('Try it, RFC 8628: the device code step shows the user code and verification URI, and polls until the user approves', async ({ page }) => {
  await signUp(page);
  const name = uniqueName('TryDevice');
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Public', { exact: true }).check();
  await page.getByLabel('Authorization code', { exact: true }).uncheck();
  await page.getByLabel('Refresh token', { exact: true }).check();
  await page.getByLabel('Device code', { exact: true }).check();
  await page.getByRole('button', { name: 'Register application' }).click();
  await page.getByRole('link', { name: 'Open application' }).click();
  await page.getByRole('link', { name: 'Try it', exact: true }).click();
  await expect(page.getByTestId('step-authorize')).toHaveCount(0);

  await page.getByRole('button', { name: 'Request a device code' }).click();
  await expect(page.getByTestId('result-device_authorization').getByRole('heading', { name: 'Response: HTTP 200 (success)' })).toBeFocused();
  const userCode = (await page.getByTestId('user-code').textContent())!;
  expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
  await page.getByRole('button', { name: 'Poll until approved' }).click();
  await expect(page.getByTestId('progress-device_token')).toContainText('authorization_pending');
  await expect(page.getByTestId('result-device_token').getByTestId('error-explanation')).toContainText('has not approved');
  await stage(page, 'device-pending');

  // The user approves in another tab (the verification URI with the code).
  const approvalOpened = page.waitForEvent('popup');
  await page.getByTestId('device-instructions').getByRole('link').click();
  const approval = await approvalOpened;
  await expect(approval.getByLabel('Code', { exact: true })).toHaveValue(userCode);
  await approval.getByRole('button', { name: 'Continue' }).click();
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(approval.getByTestId('device-done')).toHaveText('Device connected');
  await approval.close();

  await expect(page.getByTestId('result-device_token').getByRole('heading', { name: 'Response: HTTP 200 (success)' })).toBeFocused({ timeout: 30_000 });
  await expect(page.getByTestId('progress-device_token')).toContainText('Polling ended');
  await expect(page.getByTestId('tokens-in-use')).toContainText('device token');
  await page.getByRole('button', { name: 'Refresh the tokens' }).click();
  await expect(body(page, 'refresh')).toContainText('"access_token"');
});
