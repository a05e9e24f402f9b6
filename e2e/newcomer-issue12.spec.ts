// Issue 12's pages as a newcomer meets them, in Chromium at desktop and phone widths: a link too
// long for the server, an address that names no page, a redirect-uris field with several bad
// values, a public client's Connect panel and the admin's filters each say what happened and what to
// do, next to the field concerned, in the site's layout (one h1, one main).
import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN, expectNoOverflow, logIn, signUp, uniqueName } from './helpers';

const PHONE = { width: 390, height: 844 };

async function openRegisterForm(page: Page, name: string) {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
}

test.describe('pages that answer what the server cannot serve', () => {
  test('RFC 6585 §5: a link longer than the 16 KB header limit gets a page that says so and what to do, not a browser error', async ({ page }) => {
    const res = await page.goto(`/o/authorize/?response_type=code&state=${'x'.repeat(20_000)}`);
    expect(res!.status()).toBe(431);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Request too large');
    await expect(page.getByTestId('error-message')).toContainText('longer than this server accepts: 16 KB');
    await expect(page.getByText('go back to it and tell its developer')).toBeVisible();
    await expect(page.getByRole('main')).toHaveCount(1);
    await page.setViewportSize(PHONE);
    await expectNoOverflow(page);
  });

  test('an address that names no page is "Page not found" in the site’s layout, with one h1 and a way on', async ({ page }) => {
    const res = await page.goto('/no/such/page/');
    expect(res!.status()).toBe(404);
    await expect(page).toHaveTitle('Page not found · OAuth Provider');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByTestId('not-found-message')).toContainText('Check the link you followed');
    await page.setViewportSize(PHONE);
    await expectNoOverflow(page);
    await page.getByRole('link', { name: 'Go to the home page' }).click();
    await expect(page).toHaveURL(/\/$/);
  });
});

test.describe('the application forms', () => {
  test('RFC 9700 §4.1.3: each redirect URI not in canonical form gets its own line under the field, naming the spelling to enter; the typed values are kept', async ({ page }) => {
    await signUp(page, uniqueName('canon'));
    await openRegisterForm(page, 'Two odd spellings');
    const uris = page.getByLabel('Redirect uris', { exact: true });
    const typed = 'HTTPS://Example.COM:443/cb https://example.com';
    await uris.fill(typed);
    await page.getByLabel('Allowed origins', { exact: true }).fill('https://SPA.Example.org https://spa2.example.org:443');
    await page.getByRole('button', { name: 'Register application' }).click();

    const lines = page.getByTestId('redirectUris-error').getByRole('listitem');
    await expect(lines).toHaveCount(2);
    await expect(lines.nth(0)).toContainText('"HTTPS://Example.COM:443/cb" is not in canonical form; enter https://example.com/cb');
    await expect(lines.nth(1)).toContainText('"https://example.com" is not in canonical form; enter https://example.com/');
    await expect(uris).toHaveAttribute('aria-invalid', 'true');
    await expect(uris).toHaveAttribute('aria-describedby', 'redirectUris-hint redirectUris-error');
    await expect(uris).toHaveValue(typed);
    await page.setViewportSize(PHONE);
    await expectNoOverflow(page);

    // RFC 6454: the origins typed in capitals and with :443 are saved as browsers send them.
    await uris.fill('https://example.com/cb');
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.getByTestId('saved-message')).toContainText('Two odd spellings');
    await page.getByRole('link', { name: 'Open application' }).click();
    await expect(page.getByText('https://spa.example.org', { exact: true })).toBeVisible();
    await expect(page.getByText('https://spa2.example.org', { exact: true })).toBeVisible();
  });

  test('a public client’s Connect panel offers no client-credentials command to copy: it has no secret, and the panel says so', async ({ page }) => {
    await signUp(page, uniqueName('spa'));
    await openRegisterForm(page, 'Public SPA');
    await page.getByLabel('Public', { exact: true }).check();
    await page.getByLabel('Redirect uris', { exact: true }).fill('https://example.com/cb');
    await page.getByRole('button', { name: 'Register application' }).click();
    await page.getByRole('link', { name: 'Open application' }).click();
    await expect(page.getByTestId('exchange-curl')).toContainText("--data-urlencode 'redirect_uri=https://example.com/cb'");
    await expect(page.getByTestId('client_credentials-curl')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Copy client credentials command' })).toHaveCount(0);
    await expect(page.getByTestId('connect-summary')).toContainText('None: a public client sends only its client_id');
  });
});

test.describe('admin filters', () => {
  test('a filter naming no application or user is refused under its own field, its value kept, and the table says to correct it', async ({ page }) => {
    await page.goto('/accounts/login/');
    await logIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await expect(page.getByTestId('whoami')).toContainText(E2E_ADMIN.username);

    await page.goto('/admin/tokens/?app=nosuchclient');
    const app = page.getByLabel('Application', { exact: true });
    await expect(app).toHaveValue('nosuchclient');
    await expect(app).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('app-error')).toHaveText('No application has this client ID or number.');
    await expect(page.getByText('Correct the filter above to see the list.')).toBeVisible();

    await page.goto('/admin/tokens/?user=nobody_here');
    await expect(page.getByLabel('User', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('user-error')).toHaveText('No user has this username.');

    await page.goto('/admin/audit/?app=nosuchclient');
    await expect(page.getByLabel('Application', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('app-error')).toHaveText('No application has this client ID or number.');
    await page.setViewportSize(PHONE);
    await expectNoOverflow(page);
  });
});
