// The single-page-app journey: a public client on another origin registers its origin, runs the
// authorization code flow with PKCE in the browser, fetches /o/token/ cross-origin (CORS), calls the
// protected API and refreshes. The same page on an origin the app does not allow is stopped by CORS
// at the token fetch.
import { test, expect, type Page } from '@playwright/test';
import { signUp, logIn, logOut, uniqueName } from './helpers';
import { startSpaServer, type SpaServer } from './spa-server';

const E2E_PORT = Number(process.env.E2E_PORT ?? 8100);
let allowed: SpaServer;
let disallowed: SpaServer;

test.beforeAll(async () => {
  allowed = await startSpaServer(E2E_PORT + 1);
  disallowed = await startSpaServer(E2E_PORT + 2);
});
test.afterAll(async () => {
  await allowed?.close();
  await disallowed?.close();
});

async function registerPublicSpa(page: Page, spaOrigin: string): Promise<string> {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(uniqueName('Notes SPA'));
  await page.getByLabel('Public', { exact: true }).check();
  await expect(page.getByLabel('Authorization code', { exact: true })).toBeChecked();
  await page.getByLabel('Refresh token', { exact: true }).check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(`${spaOrigin}/callback`);
  await page.getByLabel('Allowed origins', { exact: true }).fill(spaOrigin);
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  expect(clientId).toMatch(/^[A-Za-z0-9]{40}$/);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText('registered');
  return clientId;
}

test.describe('single-page app (public client, CORS)', () => {
  test('signs in with PKCE, fetches the token cross-origin, calls the API and refreshes; a disallowed origin is stopped by CORS', async ({ page, baseURL }) => {
    const { username } = await signUp(page);
    const clientId = await registerPublicSpa(page, allowed.origin);
    await logOut(page);
    const config = new URLSearchParams({ as: baseURL!, client_id: clientId });

    // The allowed origin: authorize → log in → consent → callback → token (CORS) → API.
    await page.goto(`${allowed.origin}/?${config}`);
    await expect(page.getByTestId('status')).toHaveText('Not signed in');
    await page.getByRole('button', { name: 'Sign in with the provider' }).click();
    await expect(page).toHaveURL(/\/accounts\/login\//);
    await logIn(page, username);
    await expect(page.getByTestId('app-name')).toContainText('Notes SPA');
    await page.getByRole('button', { name: 'Authorize' }).click();
    await expect(page).toHaveURL(`${allowed.origin}/`);
    await expect(page.getByTestId('status')).toHaveText('Signed in');
    await expect(page.getByTestId('greeting')).toHaveText(`Hello, ${username}!`);
    await expect(page.getByTestId('error')).toHaveText('');
    const first = await page.getByTestId('fingerprint').textContent();
    expect(first).toMatch(/^[\w-]{12}$/);

    // Refresh: a new access token (rotated refresh token), and the API accepts it.
    await page.getByRole('button', { name: 'Refresh the token' }).click();
    await expect(page.getByTestId('status')).toHaveText('Refreshed');
    await expect(page.getByTestId('greeting')).toHaveText(`Hello, ${username}!`);
    await expect(page.getByTestId('fingerprint')).not.toHaveText(first!);
    await expect(page.getByTestId('error')).toHaveText('');

    // The same page from an origin the application does not list. The loopback redirect URI
    // matches on any port (RFC 8252 §7.3) and consent is remembered, so the user comes back with a
    // code — but the browser refuses to hand the page the token response.
    const corsErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /CORS policy/.test(m.text())) corsErrors.push(m.text());
    });
    await page.goto(`${disallowed.origin}/?${config}`);
    await page.getByRole('button', { name: 'Sign in with the provider' }).click();
    await expect(page).toHaveURL(`${disallowed.origin}/`);
    await expect(page.getByTestId('error')).toHaveText(/^Token request failed: TypeError/);
    await expect(page.getByTestId('status')).toHaveText('Not signed in');
    await expect(page.getByTestId('greeting')).toHaveText('');
    expect(corsErrors.join('\n')).toContain(disallowed.origin);
  });
});
