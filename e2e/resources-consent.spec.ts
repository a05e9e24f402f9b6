// The consent screen of issue 16: the requested scopes grouped by resource (its name and host) with
// their sentences, OIDC scopes in their own group, optional scopes unchecked by the user, and a
// remembered consent that records only what was granted. Keyboard only, through labels.
import { test, expect } from '@playwright/test';
import crypto from 'node:crypto';
import { callbackAfter, signUp, logOut, uniqueName } from './helpers';

const CALLBACK = 'https://www.getpostman.com/oauth2/callback';
const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

test('consent groups scopes by resource, openid is required, unchecking a scope grants the rest, and the remembered consent is what was granted', async ({ page, baseURL }) => {
  await page.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>cb</title><h1>cb</h1>' }));
  // A developer registers an application through the form.
  await signUp(page, uniqueName('dev'));
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(uniqueName('Resources app'));
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('application-saved')).toBeVisible();
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  await logOut(page);
  await signUp(page, uniqueName('alice'));

  const authorize = (scope: string) => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope,
      state: 'st',
      code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    return { url: `/o/authorize/?${q}`, verifier };
  };

  const first = authorize('openid read write');
  await page.goto(first.url);
  await expect(page).toHaveURL(/\/o\/authorize\/consent\/\?pending=/);
  // One fieldset per resource, named by its legend: the built-in API and its host; then identity.
  const host = new URL(baseURL!).host;
  const api = page.getByRole('group', { name: `API (${host})` });
  await expect(api.getByRole('checkbox', { name: /Read your data/ })).toBeChecked();
  await expect(api.getByRole('checkbox', { name: /Create and change your data/ })).toBeChecked();
  const identity = page.getByRole('group', { name: 'Your identity' });
  const openid = identity.getByRole('checkbox', { name: /Confirm your identity/ });
  await expect(openid).toBeChecked();
  await expect(openid).toBeDisabled();

  // Keyboard: focus the "write" checkbox, uncheck it with Space, then Authorize.
  await api.getByRole('checkbox', { name: /Create and change your data/ }).focus();
  await page.keyboard.press('Space');
  await expect(api.getByRole('checkbox', { name: /Create and change your data/ })).not.toBeChecked();
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  const code = cb.searchParams.get('code')!;
  // Let the (routed) callback page load: left in flight, its navigation can interrupt the page.goto below.
  await page.waitForURL((u) => u.href.startsWith(CALLBACK));
  const token = await page.request.post('/o/token/', {
    headers: { authorization: basic(clientId, secret) },
    form: { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: first.verifier },
  });
  expect(token.status(), await token.text()).toBe(200);
  // RFC 6749 §5.1: the response's scope says what was granted.
  expect((await token.json()).scope).toBe('openid read');

  // Remembered: the granted scopes need no consent again; the unchecked one asks again.
  // (The browser's own cookies, without following the redirect to the client.)
  const again = await page.request.get(authorize('openid read').url, { maxRedirects: 0 });
  expect(again.status()).toBe(302);
  expect(new URL(again.headers()['location']).searchParams.get('code')).toBeTruthy();
  await page.goto(authorize('openid read write').url);
  await expect(page).toHaveURL(/\/o\/authorize\/consent\/\?pending=/);
});
