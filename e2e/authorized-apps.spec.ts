// Authorized applications (/o/authorized_tokens/): a person authorizes an app, sees it listed,
// revokes it, and the app's next API call fails.
import { test, expect, type Page, type APIRequestContext } from '@playwright/test';
import crypto from 'node:crypto';
import { callbackAfter, signUp, uniqueName } from './helpers';

const POSTMAN = 'https://www.getpostman.com/oauth2/callback';
const b64url = (b: Buffer) => b.toString('base64url');

/** Registers a confidential app through the form and returns its client id and (shown-once) secret. */
async function registerApp(page: Page, name: string) {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(POSTMAN);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  return {
    clientId: await page.getByLabel('Client id', { exact: true }).inputValue(),
    secret: await page.getByLabel('Client secret', { exact: true }).inputValue(),
  };
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

async function hello(request: APIRequestContext, accessToken: string) {
  return request.get('/api/hello', { headers: { authorization: `Bearer ${accessToken}` } });
}

test('a user authorizes an app, sees it under Authorized apps, revokes it, and the app is cut off', async ({ page }) => {
  const { username } = await signUp(page, uniqueName('owner'));
  const appName = uniqueName('Notes app');
  const { clientId, secret } = await registerApp(page, appName);

  // Authorize it as a person does: the consent page, then the redirect back to the client.
  await page.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback' }));
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: POSTMAN, scope: 'read write', state: 'st', code_challenge: challenge, code_challenge_method: 'S256' });
  await page.goto(`/o/authorize/?${q}`);
  await expect(page.getByTestId('app-name')).toHaveText(appName);
  const cb = await callbackAfter(page, `${POSTMAN}?`, () => page.getByRole('button', { name: 'Authorize' }).click());
  const code = cb.searchParams.get('code')!;
  expect(code).toBeTruthy();

  const t = await page.request.post('/o/token/', {
    headers: { authorization: basic(clientId, secret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: POSTMAN, code_verifier: verifier },
  });
  expect(t.status()).toBe(200);
  const tokens = (await t.json()) as { access_token: string; refresh_token: string };
  const ok = await hello(page.request, tokens.access_token);
  expect(ok.status()).toBe(200);
  expect((await ok.json()).username).toBe(username);

  // Authorized apps lists it with its scopes and dates.
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Authorized apps' }).click();
  await expect(page.getByRole('heading', { name: 'Authorized applications' })).toBeVisible();
  const item = page.getByTestId('authorized-app').filter({ hasText: appName });
  await expect(item).toBeVisible();
  await expect(item.getByRole('listitem').filter({ hasText: /^read$/ })).toBeVisible();
  await expect(item.getByRole('listitem').filter({ hasText: /^write$/ })).toBeVisible();
  await expect(item.getByTestId('granted-at')).toContainText('UTC');
  await expect(item.getByTestId('last-used-at')).toContainText('UTC');
  await expect(item.getByTestId('expires-at')).toHaveText('Never (until revoked)');

  // Revoke, after its confirmation (which names the application).
  await item.getByRole('button', { name: `Revoke ${appName}` }).click();
  await page.getByTestId('confirm').getByRole('button', { name: `Revoke access for ${appName}` }).click();
  await expect(page.getByTestId('notice')).toContainText(`Revoked access for ${appName}.`);
  await expect(page.getByTestId('authorized-app').filter({ hasText: appName })).toHaveCount(0);
  await expect(page.getByTestId('no-authorized-apps')).toBeVisible();

  // The app's next API call fails, and so does its refresh.
  const denied = await hello(page.request, tokens.access_token);
  expect(denied.status()).toBe(401);
  expect(denied.headers()['www-authenticate']).toContain('invalid_token');
  const r = await page.request.post('/o/token/', {
    headers: { authorization: basic(clientId, secret) },
    form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
  });
  expect(r.status()).toBe(400);
  expect((await r.json()).error).toBe('invalid_grant');

  // Authorizing again asks for consent again.
  await page.goto(`/o/authorize/?${q}`);
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
});

test('an anonymous visitor is sent to log in first', async ({ page }) => {
  await page.goto('/o/authorized_tokens/');
  await expect(page).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fauthorized_tokens%2F$/);
});
