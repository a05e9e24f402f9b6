// Usage charts (issue 17 item 2): after a scripted run (an owner's tokens by three grants, two
// refreshes, a wrong client secret, a login and a failed login), the application's page shows its
// owner the charts and their tables with exactly those numbers, and /admin/ shows staff the same
// numbers added to its totals, with logins, failed logins and the top applications. The 7 / 30 / 90
// day choice is a set of links (aria-current on the chosen one). axe finds no serious or critical
// violation; nothing scrolls sideways at 390 px; screenshots go to test-results/screenshots/charts-*.png.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import crypto from 'node:crypto';
import path from 'node:path';
import { E2E_ADMIN, PASSWORD, callbackAfter, expectNoOverflow, logIn, logOut, signUp, uniqueName } from './helpers';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = path.resolve('test-results/screenshots');
const CALLBACK = 'http://127.0.0.1/usage-callback';

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** The first count in a chart's summary ("6 tokens in the last 30 days.", "At most 1 user a day …"). */
async function total(page: Page, chart: string): Promise<number> {
  const text = (await page.getByTestId(`chart-${chart}-summary`).textContent({ timeout: 5_000 })) ?? '';
  return Number(/(\d[\d,]*)/.exec(text)?.[1].replace(/,/g, '') ?? NaN);
}

/** Today's row (UTC) of a chart's table, by column header. */
async function todayRow(page: Page, chart: string): Promise<Record<string, number>> {
  const table = page.getByTestId(`chart-${chart}-table`);
  const heads = (await table.locator('thead th').allTextContents()).map((s) => s.trim());
  const today = new Date().toISOString().slice(0, 10);
  const cells = await table.locator('tbody tr', { has: page.locator(`th:text-is("${today}")`) }).locator('th, td').allTextContents();
  return Object.fromEntries(heads.slice(1).map((h, i) => [h, Number(cells[i + 1].replace(/,/g, ''))]));
}

async function checkAndShoot(page: Page, name: string) {
  await page.setViewportSize(DESKTOP);
  await expect(page.locator('[data-testid="usage-section"] .recharts-surface').first()).toBeVisible();
  expect.soft(await seriousViolations(page), `${name}: axe serious/critical violations`).toEqual([]);
  await expect(page.locator('h1')).toHaveCount(1);
  await page.getByTestId('usage-section').screenshot({ path: `${SCREENSHOTS}/charts-${name}-desktop.png` });
  await page.setViewportSize(PHONE);
  await expectNoOverflow(page);
  await page.getByTestId('usage-section').screenshot({ path: `${SCREENSHOTS}/charts-${name}-phone.png` });
  await page.setViewportSize(DESKTOP);
}

/** Obtains a code for `clientId` as the browser's user (who owns the app: consent asked once) and returns it with its verifier. */
async function authorize(page: Page, clientId: string): Promise<{ code: string; verifier: string }> {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CALLBACK,
    state: 'usage',
    scope: 'read',
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  // The callback is answered here: nothing listens on 127.0.0.1:80.
  await page.route(`${CALLBACK}**`, (r) => r.fulfill({ status: 200, contentType: 'text/plain', body: 'callback' }));
  await page.goto(`/o/authorize/?${q}`);
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  return { code: cb.searchParams.get('code')!, verifier };
}

async function token(request: APIRequestContext, id: string, secret: string, form: Record<string, string>) {
  return request.post('/o/token/', { form, headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` } });
}

test('an owner and staff see the usage charts, with tables holding the numbers of a scripted run', async ({ browser, request }) => {
  const admin = await (await browser.newContext()).newPage();
  await admin.goto('/accounts/login/');
  await logIn(admin, E2E_ADMIN.username, E2E_ADMIN.password);
  await expect(admin.getByTestId('whoami')).toContainText(E2E_ADMIN.username);

  const context = await browser.newContext();
  const page = await context.newPage();
  const owner = await signUp(page, uniqueName('charts'));

  // The admin's totals before the run (30 days, the default).
  await admin.goto('/admin/');
  const before = { tokens: await total(admin, 'tokens'), logins: await total(admin, 'logins'), failed: await total(admin, 'login-failures') };

  // A new application: empty charts.
  const name = uniqueName('Charts app');
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Authorization code', { exact: true }).setChecked(true);
  await page.getByLabel('Refresh token', { exact: true }).setChecked(true);
  await page.getByLabel('Client credentials', { exact: true }).setChecked(true);
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  await page.getByRole('link', { name: 'Open application' }).click();
  await expect(page.getByTestId('application-name')).toHaveText(name);
  const appUrl = page.url();
  await expect(page.getByTestId('chart-tokens-empty')).toBeVisible();

  // The scripted run: 1 code, 2 refreshes, 3 client credentials, 1 wrong secret; a login and a failed login.
  const { code, verifier } = await authorize(page, clientId);
  let t = await (await token(request, clientId, secret, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier })).json();
  for (let i = 0; i < 2; i++) t = await (await token(request, clientId, secret, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).json();
  expect(t.access_token).toBeTruthy();
  for (let i = 0; i < 3; i++) expect((await token(request, clientId, secret, { grant_type: 'client_credentials' })).status()).toBe(200);
  expect((await token(request, clientId, 'not-the-secret', { grant_type: 'client_credentials' })).status()).toBe(401);
  await page.goto('/');
  await logOut(page);
  await page.goto('/accounts/login/');
  await logIn(page, owner.username, 'wrong password');
  await expect(page.getByRole('alert').first()).toBeVisible();
  await page.goto('/accounts/login/');
  await logIn(page, owner.username, PASSWORD);
  await expect(page.getByTestId('whoami')).toContainText(owner.username);

  // The owner's page: the numbers of the run (events are written within ~100 ms: reload until then).
  await expect(async () => {
    await page.goto(appUrl);
    expect(await total(page, 'tokens')).toBe(6);
  }).toPass();
  expect(await total(page, 'active-users')).toBe(1);
  expect(await total(page, 'refreshes')).toBe(2);
  expect(await total(page, 'client-auth-failed')).toBe(1);
  expect(await todayRow(page, 'tokens')).toEqual({ 'Authorization code': 1, 'Refresh token': 2, 'Client credentials': 3, Total: 6 });
  expect(await todayRow(page, 'active-users')).toEqual({ 'Active users': 1 });
  expect(await todayRow(page, 'client-auth-failed')).toEqual({ 'Failed client authentications': 1 });
  await expect(page.getByTestId('usage-active-grants')).toContainText('Active grants now (live refresh tokens)1');
  await expect(page.getByTestId('usage-period-30')).toHaveAttribute('aria-current', 'true');
  await page.getByTestId('chart-tokens').getByText('Show as table').click();
  await checkAndShoot(page, 'app');

  // 7 and 90 days: links that work as links; the same numbers, a row per day.
  await page.getByTestId('usage-period-7').click();
  await expect(page).toHaveURL(/[?&]days=7/);
  await expect(page.getByTestId('usage-period-7')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('usage-period-30')).not.toHaveAttribute('aria-current');
  await expect(page.getByTestId('chart-tokens-summary')).toContainText('6 tokens in the last 7 days');
  await expect(page.getByTestId('chart-tokens-table').locator('tbody tr')).toHaveCount(7);
  await page.getByTestId('usage-period-90').click();
  await expect(page.getByTestId('usage-period-90')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('chart-tokens-summary')).toContainText('6 tokens in the last 90 days');
  await expect(page.getByTestId('chart-tokens-table').locator('tbody tr')).toHaveCount(90);

  // Staff: the run added to the totals, and the application among the top ones, linked.
  await expect(async () => {
    await admin.goto('/admin/');
    expect(await total(admin, 'tokens')).toBe(before.tokens + 6);
    expect(await total(admin, 'logins')).toBe(before.logins + 1);
    expect(await total(admin, 'login-failures')).toBe(before.failed + 1);
  }).toPass();
  const top = admin.getByTestId('usage-top-apps').getByRole('row', { name: new RegExp(name) });
  await expect(top).toContainText('6');
  await expect(top.getByRole('link', { name })).toHaveAttribute('href', /\/admin\/applications\/\d+\/$/);
  for (const chart of ['tokens', 'active-users', 'refreshes', 'client-auth-failed', 'logins', 'login-failures', 'rate-limits']) {
    await expect(admin.getByTestId(`chart-${chart}`)).toBeVisible();
  }
  await admin.getByTestId('chart-logins').getByText('Show as table').click();
  const logins = await todayRow(admin, 'logins');
  expect(logins.Logins).toBeGreaterThanOrEqual(2);
  await checkAndShoot(admin, 'admin');
  await admin.getByTestId('usage-period-7').click();
  await expect(admin.getByTestId('usage-period-7')).toHaveAttribute('aria-current', 'true');
  await expect(admin.getByTestId('chart-tokens-summary')).toContainText('in the last 7 days');
});
