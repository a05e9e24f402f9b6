// Every page, as a person meets it, checked for what a screen reader, a keyboard and a phone need
// (issue 14 item 7): axe-core finds no serious or critical violation; the page has one <h1>; at
// 390 × 844 nothing scrolls sideways and the header takes at most two rows. Screenshots of the main
// pages at desktop (1280 × 800) and phone size go to test-results/screenshots/<page>-<size>.png for
// review. Then the rules axe cannot see: where focus goes after a failed login, which header and
// staff links are current, the favicon; and the context a person needs (item 6): the login and
// consent pages name the application, consent says it is remembered and where to revoke it, and
// "Last used" outlives the tokens.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import crypto from 'node:crypto';
import path from 'node:path';
import { E2E_ADMIN, PASSWORD, callbackAfter, expectNoOverflow, logIn, signUp, uniqueName } from './helpers';

// Serial: later tests use the app and users the first ones made. Each test visits many pages.
test.describe.configure({ mode: 'serial', timeout: 240_000 });

const CALLBACK = 'https://www.getpostman.com/oauth2/callback';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = path.resolve('test-results/screenshots');

/** axe-core's serious and critical violations on the page, one line each (rule, help, where). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** The header's height and how many rows its links, buttons and name sit on. */
async function headerLayout(page: Page): Promise<{ height: number; rows: number }> {
  return page.evaluate(() => {
    const header = document.querySelector('body > header');
    if (!header) return { height: 0, rows: 0 };
    const tops = [...header.querySelectorAll('a, button, [data-testid="whoami"]')]
      .map((e) => e.getBoundingClientRect())
      .filter((r) => r.width > 0 && r.height > 0)
      .map((r) => r.top + r.height / 2)
      .sort((a, b) => a - b);
    // Items whose middles are within 12 px of the row's first share that row.
    let rows = 0;
    let rowStart = -Infinity;
    for (const t of tops) {
      if (t - rowStart <= 12) continue;
      rows++;
      rowStart = t;
    }
    return { height: header.getBoundingClientRect().height, rows };
  });
}

const seen: string[] = [];

/**
 * The checks every page gets, at the URL the page is on: axe (desktop), exactly one h1, and at
 * phone size no sideways scroll and a header of at most two rows (≤ 100 px: three rows were 128).
 * With `screenshot`, a full-page screenshot at each size.
 */
async function checkPage(page: Page, name: string, { screenshot = true } = {}) {
  seen.push(name);
  await page.setViewportSize(DESKTOP);
  await page.waitForLoadState('load');
  // Soft: one run reports every page's problems, not only the first page's.
  expect.soft(await seriousViolations(page), `${name}: axe serious/critical violations`).toEqual([]);
  await expect.soft(page.locator('h1'), `${name}: one h1`).toHaveCount(1);
  if (screenshot) await page.screenshot({ path: `${SCREENSHOTS}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await expectNoOverflow(page);
  const header = await headerLayout(page);
  if (header.rows > 0) {
    expect.soft(header.rows, `${name}: header rows at 390 px`).toBeLessThanOrEqual(2);
    expect.soft(header.height, `${name}: header height at 390 px`).toBeLessThanOrEqual(100);
  }
  if (screenshot) await page.screenshot({ path: `${SCREENSHOTS}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function visit(page: Page, url: string, name: string, status = 200) {
  const res = await page.goto(url);
  expect(res?.status(), `${name} (${url})`).toBe(status);
  await checkPage(page, name);
}

/** An authorization URL as Postman builds it (PKCE S256); the verifier to exchange its code. */
function authorizeUrl(clientId: string) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope: 'read',
    state: crypto.randomBytes(8).toString('hex'),
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return { url: `/o/authorize/?${q}`, verifier };
}

interface App {
  id: string;
  name: string;
  clientId: string;
  secret: string;
}

/** Registers a confidential app with the Postman callback and the Device code grant; returns its id from the list. */
async function registerApp(page: Page): Promise<App> {
  const name = uniqueName('Accessible app');
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Device code').check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  await page.goto('/o/applications/');
  const href = await page.getByTestId('applications-list').getByRole('link', { name }).first().getAttribute('href');
  const id = href?.match(/\/o\/applications\/(\d+)\//)?.[1];
  expect(id, `detail link of ${name}: ${href}`).toBeTruthy();
  return { id: id!, name, clientId, secret };
}

const basic = (a: App) => 'Basic ' + Buffer.from(`${a.clientId}:${a.secret}`).toString('base64');

let app: App;
let dev: { username: string };

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

/** A page in a fresh browser context (its own cookies), closed after the test. */
async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP });
  contexts.push(context);
  // Postman's callback is not reachable from here: a stub answers it.
  await context.route('https://www.getpostman.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Postman</title><h1>Postman callback</h1>' }),
  );
  return context.newPage();
}

test('pages of a visitor who is not logged in', async ({ browser }) => {
  const page = await newPage(browser);
  await visit(page, '/', 'home');
  await visit(page, '/accounts/login/', 'login');
  await visit(page, '/accounts/signup/', 'signup');
  await visit(page, '/accounts/logout/', 'logout-anonymous');
  await visit(page, '/no-such-page/', 'not-found', 404);
  // The staff user exists (playwright.config.ts): /setup/ is the 404 page then.
  const setup = await page.goto('/setup/');
  expect([200, 404]).toContain(setup?.status());
  await checkPage(page, 'setup');
  await visit(page, '/o/authorize/?response_type=code&client_id=no-such-client', 'authorize-error', 400);
});

test('pages of a signed-in developer: applications, account, authorized apps, device', async ({ browser }) => {
  const page = await newPage(browser);
  dev = await signUp(page, uniqueName('a11y_dev'));
  await visit(page, '/', 'home-signed-in');
  await visit(page, '/o/applications/', 'applications-empty');
  await visit(page, '/o/applications/register/', 'application-register');
  app = await registerApp(page);
  await visit(page, '/o/applications/', 'applications');
  await visit(page, `/o/applications/${app.id}/`, 'application-detail');
  await visit(page, `/o/applications/${app.id}/update/`, 'application-update');
  await visit(page, `/o/applications/${app.id}/delete/`, 'application-delete');
  await visit(page, '/accounts/password/', 'password');
  await visit(page, '/accounts/sessions/', 'sessions');
  await visit(page, '/o/authorized_tokens/', 'authorized-apps-empty');
  await visit(page, '/o/device/', 'device');
  await visit(page, '/accounts/logout/', 'logout');
  // OIDC RP-initiated logout without a hint: the page that asks first.
  await visit(page, '/o/logout/', 'rp-logout-confirm');
  await visit(page, '/admin/', 'admin-not-staff', 404);
});

test('consent through a real pending authorization request, then the device flow', async ({ browser, request }) => {
  const page = await newPage(browser);
  const { url, verifier } = authorizeUrl(app.clientId);
  await page.goto(url);
  // The login reached from /o/authorize/ names the application (our database's name for it).
  await expect(page).toHaveURL(/\/accounts\/login\/\?next=/);
  await expect(page.getByTestId('continue-to')).toHaveText(`Sign in to continue to ${app.name}.`);
  await checkPage(page, 'login-for-application');
  await page.getByRole('main').getByRole('link', { name: 'Sign up' }).click();
  await expect(page.getByTestId('continue-to')).toHaveText(`Create an account to continue to ${app.name}.`);
  await checkPage(page, 'signup-for-application');
  const username = uniqueName('a11y_user');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  // The consent page says that the answer is remembered, and where to revoke it.
  await expect(page).toHaveURL(/\/o\/authorize\/consent\/\?pending=/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(app.name);
  const remembered = page.getByTestId('consent-remembered');
  await expect(remembered).toContainText('remembered');
  await expect(remembered.getByRole('link', { name: 'Authorized apps' })).toHaveAttribute('href', '/o/authorized_tokens/');
  await checkPage(page, 'consent');
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  expect(cb.href).toMatch(/^https:\/\/www\.getpostman\.com\/oauth2\/callback\?code=/);
  const code = cb.searchParams.get('code')!;

  // Tokens issued, then revoked: "Last used" still says when (item 6), not "Not used yet".
  const token = await request.post('/o/token/', {
    headers: { authorization: basic(app) },
    form: { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
  });
  expect(token.status()).toBe(200);
  const { refresh_token } = (await token.json()) as { refresh_token: string };
  const revoke = await request.post('/o/revoke_token/', { headers: { authorization: basic(app) }, form: { token: refresh_token } });
  expect(revoke.status()).toBe(200);
  await page.goto('/o/authorized_tokens/');
  const entry = page.getByTestId('authorized-app').filter({ hasText: app.name });
  await expect(entry.getByTestId('last-used-at').locator('time')).toBeVisible();
  await checkPage(page, 'authorized-apps');

  // The device flow's pages: the code, the question, the answer.
  const start = await request.post('/o/device-authorization/', { headers: { authorization: basic(app) }, form: { scope: 'read' } });
  expect(start.status()).toBe(200);
  const { user_code } = (await start.json()) as { user_code: string };
  await page.goto(`/o/device/?user_code=${encodeURIComponent(user_code)}`);
  await checkPage(page, 'device-code-entered', { screenshot: false });
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(app.name);
  await checkPage(page, 'device-consent');
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('device-done')).toBeVisible();
  await checkPage(page, 'device-done');
});

test('the staff area, with its sub-navigation marking the current section', async ({ browser }) => {
  const page = await newPage(browser);
  await page.goto('/accounts/login/');
  await logIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
  await expect(page.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
  const main = page.getByRole('navigation', { name: 'Main' });
  const staff = page.getByRole('navigation', { name: 'Admin' });
  const sections: Array<[string, string, string]> = [
    ['/admin/', 'admin', 'Admin'],
    ['/admin/users/', 'admin-users', 'Users'],
    ['/admin/applications/', 'admin-applications', 'Applications'],
    [`/admin/applications/${app.id}/`, 'admin-application', 'Applications'],
    ['/admin/resources/', 'admin-resources', 'Resources'],
    ['/admin/resources/new/', 'admin-resource-new', 'Resources'],
    ['/admin/tokens/', 'admin-tokens', 'Tokens and grants'],
    ['/admin/audit/', 'admin-audit', 'Audit log'],
  ];
  for (const [url, name, current] of sections) {
    await visit(page, url, name);
    await expect(main.getByRole('link', { name: 'Admin' }), `${name}: header`).toHaveAttribute('aria-current', 'page');
    await expect(staff.locator('[aria-current="page"]'), `${name}: one current section`).toHaveCount(1);
    await expect(staff.getByRole('link', { name: current, exact: true }), name).toHaveAttribute('aria-current', 'page');
  }
});

test('the header marks the current section (aria-current="page"), also on the pages under it', async ({ browser }) => {
  const page = await newPage(browser);
  await page.goto('/accounts/login/');
  await logIn(page, dev.username);
  await expect(page.getByTestId('whoami')).toContainText(dev.username);
  const main = page.getByRole('navigation', { name: 'Main' });
  const cases: Array<[string, string]> = [
    ['/o/applications/', 'Applications'],
    [`/o/applications/${app.id}/update/`, 'Applications'],
    ['/o/authorized_tokens/', 'Authorized apps'],
    ['/accounts/sessions/', 'Sessions'],
  ];
  for (const [url, current] of cases) {
    await page.goto(url);
    await expect(main.locator('[aria-current="page"]'), url).toHaveCount(1);
    await expect(main.getByRole('link', { name: current }), url).toHaveAttribute('aria-current', 'page');
  }
  await page.goto('/');
  await expect(main.locator('[aria-current="page"]')).toHaveCount(0);
});

test('a failed login is announced (role="alert") and focus moves to it; an empty field gets the focus', async ({ page }) => {
  await page.goto('/accounts/login/');
  await logIn(page, dev.username, 'not the password');
  const alert = page.getByRole('alert').filter({ hasText: 'Invalid username or password.' });
  await expect(alert).toBeVisible();
  await expect(alert).toBeFocused();
  await page.getByLabel('Username').fill('');
  await page.getByLabel('Password', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByLabel('Username')).toBeFocused();
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
});

test('sign-up states the password rule once, also when the password is too short', async ({ page }) => {
  await page.goto('/accounts/signup/');
  await expect(page.getByText('At least 8 characters')).toHaveCount(1);
  const username = uniqueName('short');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('password-error')).toHaveText('Too short. At least 8 characters.');
  await expect(page.getByText('At least 8 characters')).toHaveCount(1);
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
});

test('the site has an icon: /favicon.ico and the icon link answer 200', async ({ page, request }) => {
  const ico = await request.get('/favicon.ico');
  expect(ico.status()).toBe(200);
  expect(ico.headers()['content-type']).toMatch(/^image\//);
  await page.goto('/');
  const href = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(href).toBeTruthy();
  const icon = await request.get(href!);
  expect(icon.status(), href!).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/^image\//);
});
