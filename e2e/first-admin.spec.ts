// The first admin of a fresh installation, as a newcomer does it (issue 14 item 1): `npm start` on
// an empty data directory prints a setup token in its console; the home, login and staff pages
// offer the setup page; the printed URL opens it with the token filled in; the form creates the
// admin, logs them in and lands in the staff area; the setup page is then gone (the 404 page, in
// the site's layout). `npm run createsuperuser` works while that server runs. A signed-in user who
// is not staff gets a page at /admin/ that says how to become staff. Own server (its output is read).
import { test as base, expect, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startProdServer, type ProdServer } from './prod-server';
import { logIn, PASSWORD, signUp, uniqueName } from './helpers';

const run = promisify(execFile);
let srv: ProdServer;
/** Pages of this spec's own server: relative addresses are its. */
const test = base.extend({
  baseURL: async ({}, use) => use(srv?.baseURL), // undefined in beforeAll, before the server runs
});
test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

test.beforeAll(async () => {
  test.setTimeout(150_000);
  srv = await startProdServer();
});
test.afterAll(async () => srv?.dispose());

/** The setup URL the server printed in its console (event setup.token), once it has. */
async function printedSetupUrl(): Promise<string> {
  await expect.poll(() => /setup\.token .*url=(\S+)/.exec(srv.output())?.[1] ?? null, { timeout: 30_000 }).not.toBeNull();
  return /setup\.token .*url=(\S+)/.exec(srv.output())![1];
}

const header = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('a fresh installation prints one setup token, with the setup URL, in the server’s console', async () => {
  const url = await printedSetupUrl();
  expect(url).toMatch(new RegExp(`^${srv.baseURL}/setup/#([BCDFGHJKLMNPQRSTVWXZ]{5}-){5}[BCDFGHJKLMNPQRSTVWXZ]{5}$`));
  expect(srv.output().match(/setup\.token/g)).toHaveLength(1);
  expect(srv.output()).toContain('No administrator yet');
});

test('with no staff yet, the home page and the login page offer the setup page', async ({ page }) => {
  for (const path of ['/', '/accounts/login/', '/admin/']) {
    await page.goto(path);
    const offer = page.getByTestId('first-admin-offer');
    await expect(offer, path).toContainText('No administrator yet');
    await expect(offer.getByRole('link', { name: 'setup page' })).toHaveAttribute('href', '/setup/');
  }
});

test('/admin/ for a signed-in user who is not staff says what the staff area is and how to become staff, in the site’s layout', async ({ page }) => {
  await signUp(page, uniqueName('plain'));
  for (const path of ['/admin/', '/admin/users/']) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(header(page)).toBeVisible(); // the site's header
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('The staff area is for administrators');
    await expect(page.getByTestId('staff-only')).toContainText('How to become staff');
    await expect(page.getByTestId('staff-only')).toContainText('Make staff');
    await expect(page.getByTestId('first-admin-offer')).toBeVisible(); // and, on a fresh install, the setup page
    await expect(page.getByRole('navigation', { name: 'Admin' })).toHaveCount(0);
  }
});

test('the setup page names a wrong token at its field, creates the first admin with the printed token, logs them in and shows the staff area', async ({ page }) => {
  await page.goto('/setup/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create the first admin');
  await page.getByLabel('Setup token').fill('BCDFG-BCDFG-BCDFG-BCDFG-BCDFG-BCDFG');
  await page.getByLabel('Username').fill('first_admin');
  await page.getByLabel('Email').fill('first@example.com');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the admin account' }).click();
  await expect(page.getByTestId('token-error')).toContainText('Wrong setup token');
  await expect(page.getByLabel('Setup token')).toHaveAttribute('aria-invalid', 'true');

  // The URL as printed: the token travels in the fragment and fills the field.
  const url = await printedSetupUrl();
  await page.goto(url);
  await expect(page.getByLabel('Setup token')).toHaveValue(url.split('#')[1]);
  await expect(page).toHaveURL(`${srv.baseURL}/setup/`); // taken out of the address bar
  await page.getByLabel('Username').fill('first_admin');
  await page.getByLabel('Email').fill('first@example.com');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create the admin account' }).click();

  await expect(page).toHaveURL(`${srv.baseURL}/admin/`);
  await expect(page.getByTestId('notice')).toContainText('Your admin account is created and you are signed in');
  await expect(page.getByRole('heading', { name: 'Administration' })).toBeVisible();
  await expect(page.getByTestId('whoami')).toContainText('first_admin');
  await expect(header(page).getByRole('link', { name: 'Admin' })).toBeVisible();
  await expect(page.getByTestId('first-admin-offer')).toHaveCount(0);
});

test('once an admin exists the setup page is gone: the 404 page, in the site’s layout, and no offer anywhere', async ({ page }) => {
  const res = await page.goto('/setup/');
  expect(res?.status()).toBe(404);
  await expect(header(page)).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.goto('/accounts/login/');
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByTestId('first-admin-offer')).toHaveCount(0);
});

test('an address that names no page gets the 404 page in the site’s layout', async ({ page }) => {
  for (const path of ['/no-such-page', '/o/no-such-page/', '/admin/no-such-section/']) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(header(page), path).toBeVisible();
    await expect(page.getByTestId('not-found-message'), path).toBeVisible();
  }
});

test('npm run createsuperuser works while npm start runs, and its admin logs in to /admin/', async ({ page }) => {
  const name = uniqueName('cli_admin');
  const child = run('npx', ['tsx', 'scripts/createsuperuser.ts', '--username', name, '--email', `${name}@example.com`, '--password-stdin'], {
    env: { ...process.env, ...srv.dataEnv, NODE_ENV: 'production' },
    timeout: 60_000,
  });
  child.child.stdin?.end(PASSWORD);
  const { stdout } = await child;
  expect(stdout).toContain(`Superuser "${name}" created`);
  await page.goto('/accounts/login/?next=/admin/');
  await logIn(page, name);
  await expect(page.getByRole('heading', { name: 'Administration' })).toBeVisible();
});
