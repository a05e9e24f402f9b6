// The staff area (/admin/): 404 for everyone else; a staff member resets an application's secret,
// revokes tokens, deactivates a user and reads the audit log. The staff user comes from
// `npm run createsuperuser`, run by playwright.config.ts before the server starts.
import { test, expect, type APIRequestContext } from '@playwright/test';
import { E2E_ADMIN, logIn, signUp, uniqueName } from './helpers';

const POSTMAN = 'https://www.getpostman.com/oauth2/callback';
const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

async function clientCredentials(request: APIRequestContext, clientId: string, secret: string) {
  const r = await request.post('/o/token/', { headers: { authorization: basic(clientId, secret) }, form: { grant_type: 'client_credentials', scope: 'read' } });
  return { status: r.status(), body: (await r.json()) as { access_token?: string; error?: string; error_description?: string } };
}

const ADMIN_PAGES = ['/admin/', '/admin/users/', '/admin/applications/', '/admin/applications/1/', '/admin/resources/', '/admin/resources/new/', '/admin/resources/1/', '/admin/tokens/', '/admin/audit/'];

test('every admin page answers 404 to a signed-in non-staff user', async ({ page }) => {
  await signUp(page, uniqueName('plain'));
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
  for (const path of ADMIN_PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Administration' })).toHaveCount(0);
  }
});

test('an anonymous visitor is sent to log in', async ({ page }) => {
  await page.goto('/admin/users/');
  await expect(page).toHaveURL(/\/accounts\/login\/\?next=%2Fadmin%2Fusers%2F$/);
});

test('staff reset a secret, revoke tokens, deactivate a user and find it all in the audit log', async ({ browser }) => {
  test.slow(); // one long story through every admin page, with two browser contexts
  // A developer registers an application that may use client credentials.
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  const { username: devName } = await signUp(dev, uniqueName('dev'));
  const appName = uniqueName('Billing');
  await dev.goto('/o/applications/register/');
  await dev.getByLabel('Name', { exact: true }).fill(appName);
  await dev.getByLabel('Confidential', { exact: true }).check();
  await dev.getByLabel('Client credentials').check();
  await dev.getByLabel('Redirect uris', { exact: true }).fill(POSTMAN);
  await dev.getByRole('button', { name: 'Register application' }).click();
  await expect(dev.getByTestId('saved-message')).toContainText(appName);
  const clientId = await dev.getByLabel('Client id', { exact: true }).inputValue();
  const oldSecret = await dev.getByLabel('Client secret', { exact: true }).inputValue();
  const first = await clientCredentials(dev.request, clientId, oldSecret);
  expect(first.status).toBe(200);

  // The staff member: one failed login, then the right password.
  const adminContext = await browser.newContext();
  const page = await adminContext.newPage();
  await page.goto('/accounts/login/');
  await logIn(page, E2E_ADMIN.username, 'not the password');
  await expect(page.getByTestId('form-error')).toBeVisible();
  await logIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
  await expect(page.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Administration' })).toBeVisible();
  const adminNav = page.getByRole('navigation', { name: 'Admin' });

  // Applications: find the developer's app and reset its secret.
  await adminNav.getByRole('link', { name: 'Applications' }).click();
  await page.getByLabel('Search applications').fill(appName);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByTestId('app-row').filter({ hasText: appName });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(devName);
  await row.getByRole('link', { name: appName }).click();
  await expect(page.getByTestId('admin-app-name')).toHaveText(appName);
  await expect(page.getByTestId('admin-client-id')).toHaveText(clientId);
  expect(await page.content()).not.toContain(oldSecret);
  await page.getByRole('button', { name: 'Regenerate secret' }).click();
  await expect(page.getByText('The current secret stops working at once')).toBeVisible();
  await page.getByTestId('confirm').getByRole('button', { name: `Regenerate the secret of ${appName}` }).click();
  await expect(page.getByTestId('notice')).toContainText('Secret regenerated');
  const newSecret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  expect(newSecret).toMatch(/^[A-Za-z0-9]{128}$/);
  expect(newSecret).not.toBe(oldSecret);
  const old = await clientCredentials(page.request, clientId, oldSecret);
  expect(old.status).toBe(401);
  expect(old.body.error).toBe('invalid_client');
  const second = await clientCredentials(page.request, clientId, newSecret);
  expect(second.status).toBe(200);
  // Shown once: a reload does not show it again.
  await page.reload();
  await expect(page.getByTestId('admin-app-name')).toHaveText(appName);
  expect(await page.content()).not.toContain(newSecret);

  // Tokens: the app's active access tokens, revoked from the list.
  await adminNav.getByRole('link', { name: 'Tokens and grants' }).click();
  await page.getByLabel('Application', { exact: true }).fill(clientId);
  await page.getByLabel('State', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Filter' }).click();
  const tokenRows = page.getByTestId('token-row');
  await expect(tokenRows).toHaveCount(2);
  expect(await page.content()).not.toContain(first.body.access_token!);
  for (const cb of await tokenRows.getByRole('checkbox').all()) await cb.check();
  await page.getByRole('button', { name: 'Revoke selected' }).click();
  await expect(page.getByTestId('token-row')).toHaveCount(2); // asked first: nothing revoked yet
  await page.getByTestId('confirm').getByRole('button', { name: 'Revoke 2 selected access tokens' }).click();
  await expect(page.getByTestId('notice')).toHaveText('Revoked 2 rows.');
  await expect(page.getByTestId('token-row')).toHaveCount(0);
  for (const t of [first.body.access_token!, second.body.access_token!]) {
    const r = await page.request.get('/api/hello', { headers: { authorization: `Bearer ${t}` } });
    expect(r.status()).toBe(401);
  }

  // Users: deactivate the developer; their session ends at once and their application is suspended.
  const findUser = async () => {
    await adminNav.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search users').fill(devName);
    await page.getByRole('button', { name: 'Search' }).click();
    return page.getByTestId('user-row').filter({ hasText: devName });
  };
  let userRow = await findUser();
  await expect(userRow).toContainText('Active');
  await expect(userRow.getByTestId('user-apps')).toHaveText(appName);
  await userRow.getByRole('button', { name: 'Deactivate' }).click();
  await page.getByTestId('confirm').getByRole('button', { name: `Deactivate ${devName}`, exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(`Deactivated ${devName}`);
  await expect(page.getByTestId('notice')).toContainText('the applications they own are suspended');
  await expect(userRow).toContainText('Inactive');
  await expect(userRow.getByTestId('user-apps')).toHaveText(`${appName}Suspended`);
  await dev.goto('/o/applications/');
  await expect(dev).toHaveURL(/\/accounts\/login\//);
  const suspended = await clientCredentials(page.request, clientId, newSecret);
  expect(suspended).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'This application is suspended.' } });
  await adminNav.getByRole('link', { name: 'Applications' }).click();
  await page.getByLabel('Search applications').fill(clientId);
  await page.getByRole('button', { name: 'Search' }).click();
  const appRow = page.getByTestId('app-row').filter({ hasText: appName });
  await expect(appRow).toContainText('Suspended (owner inactive)');
  await appRow.getByRole('link', { name: appName }).click();
  await expect(page.getByTestId('admin-app-status')).toContainText('Suspended (owner inactive)');
  await expect(page.getByTestId('admin-app-status')).toContainText('Activating the owner restores it.');
  // Activating the developer restores the application.
  userRow = await findUser();
  await userRow.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByTestId('notice')).toHaveText(`Activated ${devName}; the applications they own work again.`);
  await expect(userRow).toContainText('Active');
  await expect(userRow.getByTestId('user-apps')).toHaveText(appName);
  expect((await clientCredentials(page.request, clientId, newSecret)).status).toBe(200);
  // Staff cannot deactivate themselves.
  await page.getByLabel('Search users').fill(E2E_ADMIN.username);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('user-row').filter({ hasText: E2E_ADMIN.username }).getByRole('button', { name: 'Deactivate' })).toBeDisabled();

  // Audit log: logins (failure and success) and the admin actions, each with its actor and IP.
  await adminNav.getByRole('link', { name: 'Audit log' }).click();
  const audit = async (type: string, actor = '') => {
    await page.getByLabel('Event', { exact: true }).selectOption(type);
    await page.getByLabel('Actor', { exact: true }).fill(actor);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(new RegExp(`type=${type.replace('.', '\\.')}`));
    return page.getByTestId('audit-row');
  };
  const failures = await audit('login.failure', E2E_ADMIN.username);
  await expect(failures.first()).toContainText(E2E_ADMIN.username);
  await expect(failures.first()).toContainText('127.0.0.1');
  const logins = await audit('login.success', E2E_ADMIN.username);
  await expect(logins.first()).toContainText('login.success');
  const actions = await audit('admin.action', E2E_ADMIN.username);
  await expect(actions.filter({ hasText: 'action=application.secret_reset' }).filter({ hasText: appName })).toHaveCount(1);
  await expect(actions.filter({ hasText: 'action=tokens.revoked' })).toHaveCount(1);
  await expect(actions.filter({ hasText: 'action=user.deactivated' })).toHaveCount(1);
  const resets = await audit('application.secret_reset');
  await expect(resets.filter({ hasText: appName }).first()).toContainText(E2E_ADMIN.username);
  const issued = await audit('token.issued');
  // Before the secret reset, after it, and once restored.
  await expect(issued.filter({ hasText: appName })).toHaveCount(3);
  await expect(issued.filter({ hasText: appName }).first()).toContainText('grant_type=client_credentials');

  await devContext.close();
  await adminContext.close();
});
