// Self-registered clients in the browser: a Client ID Metadata Document client (served from
// 127.0.0.1, which the e2e server allows with CLIENT_METADATA_ALLOW_LOOPBACK) meets a consent page
// that names the host it claims; staff find it in the applications list marked self-registered,
// without an owner, and suspend it (after a confirmation) and unsuspend it.
import http from 'node:http';
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { E2E_ADMIN, loggedInBrowser, signUp, uniqueName } from './helpers';
import { E2E_REGISTRATION_TOKEN } from './constants';

// The brief's ports for metadata documents are 8410-8419; the vitest files use 8410 and 8411.
const DOC_PORT = 8412;
const ORIGIN = `http://127.0.0.1:${DOC_PORT}`;
const CALLBACK = `${ORIGIN}/callback`;
let server: http.Server;
const names = new Map<string, string>();

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', ORIGIN).pathname;
    if (path === '/callback') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Callback</title><h1>Callback received</h1>');
    const name = names.get(path);
    if (!name) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' });
    res.end(JSON.stringify({ client_id: `${ORIGIN}${path}`, client_name: name, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' }));
  });
  await new Promise<void>((r) => server.listen(DOC_PORT, '127.0.0.1', r));
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Serves a new document and returns its URL, the client_id. */
function publishDocument(name: string): string {
  const path = `/${crypto.randomBytes(6).toString('hex')}/client.json`;
  names.set(path, name);
  return `${ORIGIN}${path}`;
}

function authorizePath(clientId: string) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CALLBACK,
    state: 'st',
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return `/o/authorize/?${q}`;
}

test('a metadata-document client: the consent page says it is not verified and names the host the code goes to; Authorize sends the code to its callback', async ({ page }) => {
  await signUp(page, uniqueName('agentuser'));
  const clientId = publishDocument('Agent Smith');
  await page.goto(authorizePath(clientId));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Agent Smith');
  await expect(page.getByTestId('unverified-client')).toContainText('This application is not verified by OAuth Provider. If you authorize, your browser is sent to');
  await expect(page.getByTestId('client-host')).toHaveText(`127.0.0.1:${DOC_PORT}`);
  await expect(page.getByTestId('consent-remembered')).toContainText('it will ask you again next time');
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((u) => u.href.startsWith(CALLBACK));
  expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();

  // Asked again the next time (never remembered for an unvetted client).
  await page.goto(authorizePath(clientId));
  await expect(page.getByTestId('client-host')).toHaveText(`127.0.0.1:${DOC_PORT}`);
});

test('an RFC 7591 client is asked every time; the warning names the redirect URI’s host, and the client_uri it chose only as what it says it is', async ({ page, baseURL }) => {
  await signUp(page, uniqueName('dynuser'));
  const r = await fetch(`${baseURL}/o/register/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${E2E_REGISTRATION_TOKEN}` },
    body: JSON.stringify({ client_name: 'Your Bank', client_uri: 'https://bank.example/', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' }),
  });
  expect(r.status).toBe(201);
  const { client_id } = (await r.json()) as { client_id: string };
  await page.goto(authorizePath(client_id));
  await expect(page.getByTestId('client-host')).toHaveText(`127.0.0.1:${DOC_PORT}`);
  await expect(page.getByTestId('client-claims')).toHaveText('It says it is bank.example.');
  await expect(page.getByTestId('consent-remembered')).toContainText('it will ask you again next time');
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((u) => u.href.startsWith(CALLBACK));
  // Asked again: consent is never remembered for a self-registered client.
  await page.goto(authorizePath(client_id));
  await expect(page.getByTestId('client-host')).toHaveText(`127.0.0.1:${DOC_PORT}`);
});

test('staff see a self-registered client without an owner, suspend it after a confirmation, and unsuspend it', async ({ browser }) => {
  const user = await (await browser.newContext()).newPage();
  await signUp(user, uniqueName('agentuser'));
  const name = uniqueName('Agent');
  const clientId = publishDocument(name);
  await user.goto(authorizePath(clientId));
  await expect(user.getByTestId('client-host')).toBeVisible();

  const admin = await loggedInBrowser(browser, E2E_ADMIN.username, E2E_ADMIN.password);
  await admin.goto(`/admin/applications/?q=${encodeURIComponent(clientId)}`);
  const row = admin.getByTestId('app-row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('self-registered')).toHaveText('Self-registered (metadata document)');
  await expect(row).toContainText('none');
  await row.getByRole('link', { name }).click();

  await expect(admin.getByTestId('admin-app-name')).toHaveText(name);
  await admin.getByRole('button', { name: 'Suspend application' }).click();
  await expect(admin.getByRole('heading', { name: `Suspend ${name}?` })).toBeFocused();
  await admin.getByRole('button', { name: `Suspend ${name}` }).click();
  await expect(admin.getByRole('status')).toContainText(`Suspended ${name}`);
  await expect(admin.getByTestId('admin-app-status')).toContainText('Suspended by staff');

  // The client is refused at once: an error page, never a redirect to its callback.
  await user.goto(authorizePath(clientId));
  await expect(user.getByRole('heading', { level: 1 })).toHaveText('Application suspended');
  expect(user.url()).not.toContain(CALLBACK);

  await admin.getByRole('button', { name: `Unsuspend ${name}` }).click();
  await expect(admin.getByRole('status')).toContainText(`${name} is active again`);
  await expect(admin.getByTestId('admin-app-status')).toContainText('Active');
  await user.goto(authorizePath(clientId));
  await expect(user.getByTestId('client-host')).toBeVisible();
});
