// Device authorization grant (RFC 8628), as it happens: a CLI asks for a code and polls the token
// endpoint (a bounded fetch loop here) while a person enters the code in the browser and approves.
import { test, expect, type Page } from '@playwright/test';
import { logIn, logOut, signUp, uniqueName } from './helpers';
import { E2E_REGISTRATION_TOKEN } from './constants';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Registers a public client with only the Device code grant (a CLI: no redirect URI, no secret). */
async function registerDeviceApp(page: Page, name: string): Promise<string> {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Public', { exact: true }).check();
  await page.getByLabel('Authorization code').uncheck();
  await page.getByLabel('Refresh token').uncheck();
  await page.getByLabel('Device code').check();
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  // A public client has no secret: the confirmation shows only its client id.
  const clientId = await page.getByTestId('application-saved').getByLabel('Client id', { exact: true }).inputValue();
  expect(clientId).toMatch(/^[A-Za-z0-9]{40}$/);
  return clientId;
}

class Cli {
  constructor(
    private base: string,
    private clientId: string,
  ) {}

  async start(): Promise<DeviceStart> {
    const r = await fetch(`${this.base}/o/device-authorization/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: this.clientId, scope: 'read' }),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as DeviceStart;
  }

  /** Polls as RFC 8628 §3.5 says (interval, +5 s on slow_down) until an answer other than pending, at most `maxSeconds`. */
  async poll(d: DeviceStart, maxSeconds = 40): Promise<{ seen: string[]; final: Record<string, string> }> {
    const seen: string[] = [];
    let interval = d.interval;
    const deadline = Date.now() + maxSeconds * 1000;
    while (Date.now() < deadline) {
      const r = await fetch(`${this.base}/o/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: d.device_code, client_id: this.clientId }),
      });
      const body = (await r.json()) as Record<string, string>;
      if (r.status === 200) return { seen, final: body };
      seen.push(body.error);
      if (body.error === 'slow_down') interval += 5;
      else if (body.error !== 'authorization_pending') return { seen, final: body };
      await new Promise((res) => setTimeout(res, interval * 1000));
    }
    throw new Error(`still pending after ${maxSeconds}s: ${seen.join(', ')}`);
  }
}

test('a CLI gets tokens while the user enters the code in the browser and approves', async ({ page, baseURL }) => {
  const { username } = await signUp(page, uniqueName('tv'));
  const appName = uniqueName('Terminal CLI');
  const clientId = await registerDeviceApp(page, appName);
  await logOut(page);

  const cli = new Cli(baseURL!, clientId);
  const d = await cli.start();
  expect(d.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  expect(d.verification_uri).toBe(`${baseURL}/o/device/`);
  expect(d.verification_uri_complete).toBe(`${baseURL}/o/device/?user_code=${d.user_code}`);
  const polling = cli.poll(d);

  // The person opens the link the CLI printed, logs in, and lands back on the code form.
  await page.goto(d.verification_uri_complete);
  await expect(page).toHaveURL(/\/accounts\/login\//);
  await logIn(page, username);
  await expect(page).toHaveURL(/\/o\/device\/\?user_code=/);
  await expect(page.getByLabel('Code', { exact: true })).toHaveValue(d.user_code);
  await page.getByRole('button', { name: 'Continue' }).click();

  // The consent page for the app: name, owner, scopes.
  await expect(page.getByTestId('app-name')).toHaveText(appName);
  await expect(page.getByTestId('app-owner')).toHaveText(username);
  await expect(page.getByRole('list', { name: 'Requested permissions' })).toContainText('read');
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('device-done')).toHaveText('Device connected');

  const { seen, final } = await polling;
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((e) => e === 'authorization_pending')).toBe(true);
  expect(final.token_type).toBe('Bearer');
  expect(final.scope).toBe('read');
  const hello = await fetch(`${baseURL}/api/hello`, { headers: { authorization: `Bearer ${final.access_token}` } });
  expect(hello.status).toBe(200);
  expect((await hello.json()).username).toBe(username);

  // The code cannot be used twice.
  await page.goto('/o/device/');
  await page.getByLabel('Code', { exact: true }).fill(d.user_code);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('user_code-error')).toContainText('That code is not valid');

  // The device shows under Authorized apps.
  await page.goto('/o/authorized_tokens/');
  await expect(page.getByTestId('authorized-app').filter({ hasText: appName })).toBeVisible();
});

test('the device is told access_denied when the user denies, and a wrong code is refused', async ({ page, baseURL }) => {
  await signUp(page, uniqueName('deny'));
  const clientId = await registerDeviceApp(page, uniqueName('Console'));
  const cli = new Cli(baseURL!, clientId);
  const d = await cli.start();

  await page.goto('/o/device/');
  await page.getByLabel('Code', { exact: true }).fill('BBBB-BBBB');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('user_code-error')).toContainText('That code is not valid');
  await expect(page.getByLabel('Code', { exact: true })).toHaveValue('BBBB-BBBB');

  // Typed in lower case without the dash: still the same code (RFC 8628 §6.1).
  await page.getByLabel('Code', { exact: true }).fill(d.user_code.replace('-', '').toLowerCase());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByTestId('device-done')).toHaveText('Request denied');

  const { final } = await cli.poll(d, 15);
  expect(final.error).toBe('access_denied');
});

test('another user cannot approve a code someone else entered (DOT #1819)', async ({ browser, baseURL }) => {
  const alice = await (await browser.newContext()).newPage();
  const mallory = await (await browser.newContext()).newPage();
  await signUp(alice, uniqueName('alice'));
  await signUp(mallory, uniqueName('mallory'));
  const clientId = await registerDeviceApp(alice, uniqueName('Set-top box'));
  const d = await new Cli(baseURL!, clientId).start();

  await alice.goto(d.verification_uri_complete);
  await alice.getByRole('button', { name: 'Continue' }).click();
  await expect(alice.getByRole('button', { name: 'Approve' })).toBeVisible();

  // Mallory has the code too (shoulder-surfing): entering it and opening the consent URL both fail.
  await mallory.goto(d.verification_uri_complete);
  await mallory.getByRole('button', { name: 'Continue' }).click();
  await expect(mallory.getByTestId('user_code-error')).toContainText('That code is not valid');
  await mallory.goto(`/o/device/?user_code=${d.user_code}&step=consent`);
  await expect(mallory.getByTestId('device-notice')).toBeVisible();
  await expect(mallory.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  await alice.getByRole('button', { name: 'Approve' }).click();
  await expect(alice.getByTestId('device-done')).toHaveText('Device connected');
});

test('a self-registered (RFC 7591) device client: the approval page warns that it is not verified and names the host it claims', async ({ page, baseURL }) => {
  await signUp(page, uniqueName('tvdyn'));
  const reg = await fetch(`${baseURL}/o/register/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${E2E_REGISTRATION_TOKEN}` },
    body: JSON.stringify({ client_name: 'Your Bank TV', client_uri: 'https://bank.example/', grant_types: [DEVICE_GRANT], token_endpoint_auth_method: 'none' }),
  });
  const body = await reg.json();
  expect(reg.status, JSON.stringify(body)).toBe(201);
  const d = await new Cli(baseURL!, body.client_id).start();
  await page.goto(d.verification_uri_complete);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('app-name')).toHaveText('Your Bank TV');
  await expect(page.getByTestId('unverified-client')).toContainText('This application is not verified by OAuth Provider.');
  await expect(page.getByTestId('client-claims')).toHaveText('It says it is bank.example.');
});
