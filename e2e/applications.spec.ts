// Registering and managing OAuth client applications at /o/applications/, as a person does it
// (the tutorial step "Create an OAuth2 Client Application").
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import { signUp, logIn, uniqueName, E2E_ADMIN } from './helpers';

const POSTMAN = 'https://www.getpostman.com/oauth2/callback';

async function registerApp(page: Page, name: string, redirectUris: string) {
  await page.goto('/o/applications/');
  await page.getByRole('link', { name: 'Register a new application' }).click();
  await expect(page.getByRole('heading', { name: 'Register a new application' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(redirectUris);
  await page.getByRole('button', { name: 'Register application' }).click();
}

/** Client authentication against the token endpoint: a bad code means the client got through. */
async function tokenStatus(request: APIRequestContext, clientId: string, secret: string) {
  const res = await request.post('/o/token/', {
    headers: { authorization: 'Basic ' + Buffer.from(`${clientId}:${secret}`).toString('base64') },
    form: { grant_type: 'authorization_code', code: 'not-a-real-code', redirect_uri: POSTMAN, code_verifier: 'x'.repeat(43) },
  });
  return { status: res.status(), error: ((await res.json()) as { error?: string }).error };
}

test.describe('applications', () => {
  test('an anonymous visitor is sent to log in and comes back to the page', async ({ page, browser }) => {
    const { username } = await signUp(page);
    const anon = await browser.newContext();
    const p = await anon.newPage();
    await p.goto('/o/applications/register/');
    await expect(p).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fapplications%2Fregister%2F$/);
    await logIn(p, username);
    await expect(p).toHaveURL(/\/o\/applications\/register\/$/);
    await expect(p.getByRole('heading', { name: 'Register a new application' })).toBeVisible();
    await anon.close();
  });

  test('registers the tutorial app, shows the secret once, edits and regenerates it', async ({ page, context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signUp(page, uniqueName('dev'));
    await page.goto('/o/applications/');
    await expect(page.getByTestId('applications-empty')).toBeVisible();

    await page.getByRole('link', { name: 'Register a new application' }).click();
    // The tutorial's defaults: generated id, Authorization code + Refresh token, hashed secret.
    const shownId = await page.getByLabel('Client id', { exact: true }).inputValue();
    expect(shownId).toMatch(/^[A-Za-z0-9]{40}$/);
    await expect(page.getByLabel('Authorization code')).toBeChecked();
    await expect(page.getByLabel('Refresh token')).toBeChecked();
    await expect(page.getByLabel('Client credentials')).not.toBeChecked();
    await expect(page.getByLabel('Password (deprecated)')).toBeVisible();
    await expect(page.getByLabel('Implicit (deprecated)')).toBeVisible();
    await expect(page.getByLabel('Hash client secret')).toBeChecked();
    await expect(page.getByLabel('Algorithm', { exact: true })).toHaveValue('');
    await expect(page.getByRole('group', { name: 'Client type' })).toBeVisible();
    await expect(page.getByRole('group', { name: 'Authorization grant type' })).toBeVisible();

    await page.getByLabel('Name', { exact: true }).fill('Postman');
    await page.getByLabel('Confidential', { exact: true }).check();
    await page.getByLabel('Redirect uris', { exact: true }).fill(POSTMAN);
    await page.getByRole('button', { name: 'Register application' }).click();

    await expect(page.getByTestId('saved-message')).toContainText('Postman');
    const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
    const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
    expect(clientId).toBe(shownId);
    expect(secret).toMatch(/^[A-Za-z0-9]{128}$/);
    await expect(page.getByText('Hashed on save. Copy it now if this is a new secret.')).toBeVisible();
    await page.getByRole('button', { name: 'Copy client secret' }).click();
    await expect(page.getByText('Copied')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    expect(page.url()).not.toContain(secret);

    // The secret works at the token endpoint (a bogus code is the only thing wrong).
    expect(await tokenStatus(page.request, clientId, secret)).toEqual({ status: 400, error: 'invalid_grant' });
    expect((await tokenStatus(page.request, clientId, 'wrong' + secret.slice(5))).status).toBe(401);

    // A reload shows the form again, never the secret.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Register application' })).toBeVisible();
    expect(await page.content()).not.toContain(secret);

    // The list, then the detail page: the secret is hashed and not shown.
    await page.goto('/o/applications/');
    const item = page.getByTestId('applications-list').getByRole('link', { name: /Postman/ });
    await expect(item).toContainText(clientId);
    await expect(item).toContainText('Confidential');
    await expect(item).toContainText('Authorization code');
    await item.click();
    await expect(page.getByTestId('application-name')).toHaveText('Postman');
    await expect(page.getByTestId('client-id')).toHaveText(clientId);
    await expect(page.getByText('The client secret is hashed and cannot be shown. Regenerate it if it was lost.')).toBeVisible();
    expect(await page.content()).not.toContain(secret);
    const detailUrl = page.url();

    // Connect panel: the tutorial's Postman settings and curl.
    await expect(page.getByTestId('auth-url')).toHaveText(`${baseURL}/o/authorize/`);
    await expect(page.getByTestId('token-url')).toHaveText(`${baseURL}/o/token/`);
    const postman = page.getByTestId('postman-settings');
    await expect(postman).toContainText('Authorization code (With PKCE)');
    await expect(postman).toContainText(POSTMAN);
    await expect(postman).toContainText('SHA-256');
    await expect(postman).toContainText('Send as Basic Auth header');
    // Every value shell-quoted (lib/apps/snippets.ts); the secret read from $CLIENT_SECRET. Only the
    // app's grants: no client credentials, no SPA (confidential). e2e/connect-snippets.spec.ts runs them.
    await expect(page.getByTestId('exchange-curl')).toContainText(`curl -sS -X POST '${baseURL}/o/token/'`);
    await expect(page.getByTestId('exchange-curl')).toContainText(`-d client_id=${clientId}`);
    await expect(page.getByTestId('exchange-curl')).toContainText('--data-urlencode "client_secret=${CLIENT_SECRET:?set it first}"');
    await expect(page.getByTestId('exchange-curl')).toContainText(`--data-urlencode 'redirect_uri=${POSTMAN}'`);
    await expect(page.getByTestId('client_credentials-curl')).toHaveCount(0);
    await expect(page.getByTestId('spa-sign-in')).toHaveCount(0);

    // Edit the name.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue(clientId);
    await page.getByLabel('Name', { exact: true }).fill('Postman (tutorial)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page).toHaveURL(detailUrl);
    await expect(page.getByTestId('application-name')).toHaveText('Postman (tutorial)');
    // Editing did not change the secret.
    expect((await tokenStatus(page.request, clientId, secret)).status).toBe(400);

    // Regenerate, with a confirmation step.
    await page.getByRole('button', { name: 'Regenerate secret' }).click();
    await expect(page.getByText('The current secret stops working at once')).toBeVisible();
    await page.getByRole('button', { name: 'Regenerate secret' }).click();
    await expect(page.getByTestId('secret-regenerated')).toBeVisible();
    const secret2 = await page.getByLabel('Client secret', { exact: true }).inputValue();
    expect(secret2).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(secret2).not.toBe(secret);
    expect((await tokenStatus(page.request, clientId, secret)).status).toBe(401);
    expect((await tokenStatus(page.request, clientId, secret2)).status).toBe(400);
    await page.reload();
    await expect(page.getByTestId('application-name')).toBeVisible();
    expect(await page.content()).not.toContain(secret2);
  });

  test('a server-side error stands next to its field and keeps what was entered', async ({ page }) => {
    await signUp(page, uniqueName('hs'));
    await registerApp(page, 'HS app', POSTMAN);
    await expect(page.getByTestId('saved-message')).toBeVisible();
    await page.getByRole('link', { name: 'Open application' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();

    // HS256 needs a readable secret; the stored one is hashed and cannot be un-hashed.
    await page.getByLabel('Name', { exact: true }).fill('HS app (HS256)');
    await page.getByLabel('Algorithm', { exact: true }).selectOption({ label: 'HMAC with SHA-2 256' });
    await page.getByLabel('Hash client secret').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('clientSecret-error')).toContainText('The stored secret is hashed and cannot be recovered');
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveAttribute('aria-describedby', 'clientSecret-hint clientSecret-error'); // the rule and what is wrong
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('HS app (HS256)');
    await expect(page.getByLabel('Algorithm', { exact: true })).toHaveValue('HS256');
    await expect(page.getByLabel('Hash client secret')).not.toBeChecked();

    // Paste a secret of one's own (the tutorial's reset trick): now it saves.
    const own = 'my-own-secret-' + 'x'.repeat(30);
    await page.getByLabel('Client secret', { exact: true }).fill(own);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('application-name')).toHaveText('HS app (HS256)');
    await expect(page.getByTestId('secret-status')).toContainText('stored unhashed');
    expect(await page.content()).not.toContain(own);
  });

  test('HS256 with Hash client secret is refused with the reason', async ({ page }) => {
    await signUp(page, uniqueName('alg'));
    await page.goto('/o/applications/register/');
    await page.getByLabel('Name', { exact: true }).fill('OIDC app');
    await page.getByLabel('Redirect uris', { exact: true }).fill(POSTMAN);
    await page.getByLabel('Algorithm', { exact: true }).selectOption({ label: 'HMAC with SHA-2 256' });
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.getByTestId('algorithm-error')).toHaveText(
      'HS256 signs ID tokens with the client secret, so the secret must stay readable: uncheck Hash client secret, or choose RSA with SHA-2 256.',
    );
    await expect(page.getByLabel('Algorithm', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  });

  test('an invalid redirect uri is shown next to the field, fixed, and the app deleted', async ({ page }) => {
    await signUp(page, uniqueName('fix'));
    await registerApp(page, 'Keeper', POSTMAN);
    await expect(page.getByTestId('saved-message')).toBeVisible();

    await registerApp(page, 'Broken redirect', 'http://example.com/cb');
    const error = page.getByTestId('redirectUris-error');
    await expect(error).toContainText('must use https');
    await expect(page.getByLabel('Redirect uris', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Redirect uris', { exact: true })).toHaveAttribute('aria-describedby', 'redirectUris-hint redirectUris-error');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Broken redirect');
    await expect(page.getByLabel('Redirect uris', { exact: true })).toHaveValue('http://example.com/cb');

    await page.getByLabel('Redirect uris', { exact: true }).fill('https://example.com/cb');
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.getByTestId('saved-message')).toContainText('Broken redirect');
    await page.getByRole('link', { name: 'Open application' }).click();
    await expect(page.getByTestId('application-name')).toHaveText('Broken redirect');

    await page.getByRole('link', { name: 'Delete' }).click();
    await expect(page.getByRole('button', { name: 'Delete application' })).toBeVisible();
    // Cancel first: nothing happens.
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(page.getByTestId('application-name')).toHaveText('Broken redirect');
    const detailUrl = page.url();
    await page.getByRole('link', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete application' }).click();
    await expect(page).toHaveURL(/\/o\/applications\/$/);
    const list = page.getByTestId('applications-list');
    await expect(list).toContainText('Keeper');
    await expect(list).not.toContainText('Broken redirect');
    const gone = await page.goto(detailUrl);
    expect(gone?.status()).toBe(404);
  });

  test('another user’s application is not found; staff may open it', async ({ page, browser }) => {
    await signUp(page, uniqueName('owner'));
    await registerApp(page, 'Private app', POSTMAN);
    await page.getByRole('link', { name: 'Open application' }).click();
    await expect(page).toHaveURL(/\/o\/applications\/\d+\/$/);
    const url = new URL(page.url()).pathname;

    const other = await browser.newContext();
    const p = await other.newPage();
    await signUp(p, uniqueName('intruder'));
    for (const path of [url, `${url}update/`, `${url}delete/`, '/o/applications/999999999/', '/o/applications/not-a-number/']) {
      const res = await p.goto(path);
      expect(res?.status(), path).toBe(404);
      await expect(p.getByText('Application not found')).toBeVisible();
    }
    await expect(p.getByText('Private app')).toHaveCount(0);
    await other.close();

    const staffCtx = await browser.newContext();
    const s = await staffCtx.newPage();
    await s.goto('/accounts/login/');
    await logIn(s, E2E_ADMIN.username, E2E_ADMIN.password);
    await expect(s.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
    const res = await s.goto(url);
    expect(res?.status()).toBe(200);
    await expect(s.getByTestId('application-name')).toHaveText('Private app');
    await staffCtx.close();
  });

  test('only staff may change an application’s User and Skip authorization: the owner sees them read-only, and saving keeps what staff set', async ({ page, browser }) => {
    const { username } = await signUp(page, uniqueName('own'));
    await page.goto('/o/applications/register/');
    const owner = page.getByLabel('User', { exact: true });
    await expect(owner).toHaveValue(username);
    await expect(owner).toHaveAttribute('readonly', '');
    await expect(page.getByText('The owner of the application: you.')).toBeVisible();
    await expect(page.getByLabel('Skip authorization')).toBeDisabled();
    await expect(page.getByText('Only staff can let an application skip the consent screen.')).toBeVisible();
    await registerApp(page, 'Governed app', POSTMAN);
    await page.getByRole('link', { name: 'Open application' }).click();
    await expect(page).toHaveURL(/\/o\/applications\/\d+\/$/);
    const detailPath = new URL(page.url()).pathname;
    const setting = (p: Page, label: string) => p.locator(`dt:text-is("${label}") + dd`);
    await expect(setting(page, 'Skip authorization')).toHaveText('No');

    // Staff: both fields can be changed; an unknown user is refused next to the User field.
    const staffCtx = await browser.newContext();
    const s = await staffCtx.newPage();
    await s.goto('/accounts/login/');
    await logIn(s, E2E_ADMIN.username, E2E_ADMIN.password);
    await expect(s.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
    await s.goto(`${detailPath}update/`);
    const staffOwner = s.getByLabel('User', { exact: true });
    await expect(staffOwner).toHaveValue(username);
    await expect(staffOwner).toBeEditable();
    await expect(s.getByText('The owner’s username (staff may pick any user).')).toBeVisible();
    await expect(s.getByLabel('Skip authorization')).toBeEnabled();
    await s.getByLabel('Skip authorization').check();
    await staffOwner.fill(uniqueName('nobody'));
    await s.getByRole('button', { name: 'Save changes' }).click();
    await expect(s.getByTestId('owner-error')).toHaveText('No active user has this username.');
    await expect(staffOwner).toHaveAttribute('aria-invalid', 'true');
    await expect(staffOwner).toHaveAttribute('aria-describedby', 'owner-hint owner-error');
    await expect(s.getByLabel('Skip authorization')).toBeChecked();
    await staffOwner.fill(username);
    await s.getByRole('button', { name: 'Save changes' }).click();
    await expect(s).toHaveURL(new RegExp(`${detailPath}$`));
    await expect(setting(s, 'Skip authorization')).toHaveText('Yes');
    await expect(setting(s, 'User')).toHaveText(username);
    await staffCtx.close();

    // The owner sees it checked but disabled (so not submitted); saving another change keeps it.
    await page.goto(`${detailPath}update/`);
    await expect(page.getByLabel('Skip authorization')).toBeChecked();
    await expect(page.getByLabel('Skip authorization')).toBeDisabled();
    await page.getByLabel('Name', { exact: true }).fill('Governed app (renamed)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('application-name')).toHaveText('Governed app (renamed)');
    await expect(setting(page, 'Skip authorization')).toHaveText('Yes');
    await expect(setting(page, 'User')).toHaveText(username);
  });
});
