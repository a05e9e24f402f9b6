// Resources (issue 16): a staff member registers a resource with two scopes at /admin/resources/;
// a developer restricts an application's allowed scopes to one of them on the application form,
// and the application's page shows what is allowed, grouped by resource, with the sentences.
import { test, expect } from '@playwright/test';
import { E2E_ADMIN, loggedInBrowser, signUp, uniqueName } from './helpers';

test('staff register a resource with two scopes; an owner allows one of them to an application, and its page shows it', async ({ browser }) => {
  test.slow(); // two browser contexts, several server actions
  const tag = uniqueName('r').toLowerCase().replace(/_/g, '-');
  const identifier = `https://${tag}.example.com/`;
  const resourceName = `Orders ${tag}`;
  const readScope = `orders:read:${tag}`;
  const writeScope = `orders:write:${tag}`;

  const admin = await loggedInBrowser(browser, E2E_ADMIN.username, E2E_ADMIN.password);
  await admin.goto('/admin/');
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Resources' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Resources' })).toBeVisible();
  await admin.getByRole('link', { name: 'Register a resource' }).click();
  await expect(admin.getByRole('heading', { level: 1, name: 'Register a resource' })).toBeVisible();

  // A fragment is refused next to its field (RFC 8707 §2), and the values typed stay.
  await admin.getByLabel('Identifier', { exact: true }).fill(`${identifier}#part`);
  await admin.getByLabel('Name', { exact: true }).fill(resourceName);
  await admin.getByLabel('Scope 1 name').fill(readScope);
  await admin.getByLabel('Scope 1 sentence').fill('See your orders');
  await admin.getByLabel('Scope 2 name').fill(writeScope);
  await admin.getByLabel('Scope 2 sentence').fill('Place orders for you');
  await admin.getByLabel('JWT (RFC 9068)').check();
  await admin.getByRole('button', { name: 'Register resource' }).click();
  await expect(admin.locator('#identifier-error')).toContainText('must not have a fragment');
  await expect(admin.getByLabel('Scope 2 name')).toHaveValue(writeScope);

  // A bad scope name is reported next to its own row only.
  await admin.getByLabel('Identifier', { exact: true }).fill(identifier);
  await admin.getByLabel('Scope 2 name').fill('has space');
  await admin.getByRole('button', { name: 'Register resource' }).click();
  await expect(admin.locator('#scopeName-1-error')).toContainText('has a character a scope cannot have');
  await expect(admin.getByLabel('Scope 2 name')).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.getByLabel('Scope 1 name')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(admin.locator('#scopeName-0-error')).toHaveCount(0);
  await admin.getByLabel('Scope 2 name').fill(writeScope);

  await admin.getByRole('button', { name: 'Register resource' }).click();
  await expect(admin).toHaveURL(/\/admin\/resources\/$/);
  await expect(admin.getByRole('status')).toContainText(`Registered the resource ${resourceName}`);
  const row = admin.getByTestId('resource-row').filter({ hasText: identifier });
  await expect(row).toContainText(resourceName);
  await expect(row.locator('td').nth(2)).toHaveText('2');
  await expect(row).toContainText('JWT');

  // A developer registers an application allowed only the read scope, with requests for others narrowed.
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  await signUp(dev, uniqueName('dev'));
  const appName = uniqueName('Shop');
  await dev.goto('/o/applications/register/');
  await dev.getByLabel('Name', { exact: true }).fill(appName);
  await dev.getByLabel('Redirect uris', { exact: true }).fill('https://shop.example.com/callback');
  const allowed = dev.getByTestId('allowed-scopes');
  await expect(allowed.getByRole('group', { name: new RegExp(resourceName) })).toContainText('Place orders for you');
  // Under "All" no box is ticked, so choosing "Only…" means exactly the boxes ticked next.
  await expect(allowed.getByLabel('All scopes, including future ones')).toBeChecked();
  for (const box of await allowed.getByRole('checkbox').all()) await expect(box).not.toBeChecked();
  await allowed.getByLabel('Only the scopes checked below').check();
  await allowed.getByLabel(readScope, { exact: true }).check();
  await dev.getByLabel('Leave those scopes out of the token').check();
  await dev.getByRole('button', { name: 'Register application' }).click();
  await expect(dev.getByTestId('saved-message')).toContainText(appName);
  await dev.getByRole('link', { name: 'Open application' }).click();

  await expect(dev.getByTestId('application-name')).toHaveText(appName);
  const shown = dev.getByTestId('allowed-scopes');
  await expect(shown).toContainText(`${resourceName}: ${readScope} (See your orders)`);
  await expect(shown).not.toContainText(writeScope);
  await expect(dev.getByText('Leave those scopes out of the token')).toBeVisible();

  // The edit form starts from what is stored.
  await dev.getByRole('link', { name: 'Edit' }).click();
  await expect(dev.getByTestId('allowed-scopes').getByLabel('Only the scopes checked below')).toBeChecked();
  await expect(dev.getByTestId('allowed-scopes').getByLabel(readScope, { exact: true })).toBeChecked();
  await expect(dev.getByTestId('allowed-scopes').getByLabel(writeScope, { exact: true })).not.toBeChecked();

  await admin.context().close();
  await devContext.close();
});

test('the built-in resource cannot be removed, and removing another says what happens to its tokens first', async ({ browser }) => {
  const page = await loggedInBrowser(browser, E2E_ADMIN.username, E2E_ADMIN.password);
  const tag = uniqueName('gone').toLowerCase().replace(/_/g, '-');
  await page.goto('/admin/resources/new/');
  await page.getByLabel('Identifier', { exact: true }).fill(`https://${tag}.example.com/`);
  await page.getByLabel('Name', { exact: true }).fill(`Gone ${tag}`);
  await page.getByRole('button', { name: 'Register resource' }).click();
  await expect(page.getByRole('status')).toContainText(`Registered the resource Gone ${tag}`);
  await page.getByRole('link', { name: `Gone ${tag}` }).click();
  await page.getByRole('button', { name: 'Remove resource' }).click();
  await expect(page.getByRole('heading', { name: `Remove Gone ${tag}?` })).toBeFocused();
  await expect(page.getByTestId('live-tokens')).toHaveText('No unexpired access token names it.');
  await page.getByRole('button', { name: `Remove Gone ${tag}` }).click();
  await expect(page).toHaveURL(/\/admin\/resources\/$/);
  await expect(page.getByRole('status')).toContainText(`Removed Gone ${tag}`);
  await expect(page.getByTestId('resource-row').filter({ hasText: `${tag}.example.com` })).toHaveCount(0);

  // The built-in one (the issuer's /api: created at start, and by the first read of the resources,
  // which the application form makes) offers no removal.
  await page.goto('/o/applications/register/');
  await page.goto('/admin/resources/');
  const builtIn = page.getByTestId('resource-row').filter({ hasText: 'Built in' });
  await expect(builtIn).toContainText(`${new URL(page.url()).origin}/api`);
  await builtIn.getByRole('link').click();
  await expect(page.getByText('it cannot be removed')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Remove resource' })).toHaveCount(0);
  await expect(page.getByLabel('Identifier', { exact: true })).toHaveAttribute('readonly', '');
});

test('on a 390 px phone the resources table scrolls sideways in a labelled, focusable region; the page itself does not overflow', async ({ browser }) => {
  const admin = await loggedInBrowser(browser, E2E_ADMIN.username, E2E_ADMIN.password);
  await admin.setViewportSize({ width: 390, height: 844 });
  await admin.goto('/admin/resources/');
  const region = admin.getByRole('region', { name: 'Resources (scrolls sideways)' });
  await expect(region).toBeVisible();
  await expect(region).toHaveAttribute('tabindex', '0');
  expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const last = region.getByRole('columnheader', { name: 'Built in' });
  await region.focus();
  await last.scrollIntoViewIfNeeded();
  await expect(last).toBeInViewport();
  await admin.context().close();
});
