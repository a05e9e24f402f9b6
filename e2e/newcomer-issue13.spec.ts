// Issue 13's pages as a newcomer meets them walking the tutorial ("Make a Provider in a Minute"),
// through both doors of the same build (npm start and plain next start), at a phone's width: the
// application form (now in components), the login that names the application, the consent page at
// /o/authorize/consent/?pending=<id>, the authorization endpoint's one HTML error view, the device
// flow's verification URI and the RP-initiated logout. Each page says what happened and offers a
// way on, in the site's look, without sideways scrolling.
import { test, expect, type Page } from '@playwright/test';
import { E2E_PORT, NEXT_START_PORT } from './constants';
import { callbackAfter, expectNoOverflow, logIn, logOut, postmanAuthorizeUrl, signUp, uniqueName } from './helpers';
import { pathFor } from '../lib/oauth/paths';

const PHONE = { width: 390, height: 844 };
const CALLBACK = 'https://www.getpostman.com/oauth2/callback';

const DOORS = [
  { name: 'npm start', base: `http://localhost:${E2E_PORT}` },
  { name: 'next start', base: `http://localhost:${NEXT_START_PORT}` },
];

/** The one HTML error view: the site's header bar with the way home, one main, one h1, the fix, and a link back. */
async function expectErrorView(page: Page, title: string, message: string | RegExp, hint: string | RegExp) {
  await expect(page).toHaveTitle(`${title} · OAuth Provider`);
  await expect(page.getByRole('banner').getByRole('link', { name: 'OAuth Provider' })).toHaveAttribute('href', '/');
  await expect(page.getByRole('main')).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByTestId('error-message')).toContainText(message);
  await expect(page.getByText('How to fix it:')).toBeVisible();
  await expect(page.getByRole('main')).toContainText(hint);
  await expect(page.getByRole('link', { name: 'Back to the home page' })).toHaveAttribute('href', '/');
  await expectNoOverflow(page);
}

for (const door of DOORS) {
  test.describe(`the tutorial's pages under ${door.name}, at 390 px`, () => {
    test.describe.configure({ mode: 'serial' });
    test.use({ baseURL: door.base, viewport: PHONE });
    let app: { name: string; clientId: string; owner: string };
    let consenter: string;

    test('the register form: each field has its label and its rule as a hint; an error stands under its field, takes the focus and keeps the value', async ({ page }) => {
      const dev = await signUp(page, uniqueName('dev'));
      await page.goto('/o/applications/register/');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Register a new application');
      const name = page.getByLabel('Name', { exact: true });
      await expect(name).toHaveAttribute('aria-describedby', 'name-hint');
      await expect(page.locator('#name-hint')).toHaveText('Shown to users on the authorization page.');
      const uris = page.getByLabel('Redirect uris', { exact: true });
      await expect(uris).toHaveAttribute('aria-describedby', 'redirectUris-hint');
      await expect(uris).toHaveAttribute('placeholder', CALLBACK);
      await expect(page.locator('#redirectUris-hint')).toContainText('Exact match');
      await expect(page.getByLabel('Allowed origins', { exact: true })).toHaveAttribute('aria-describedby', 'allowedOrigins-hint');
      await expect(page.getByLabel('Client id', { exact: true })).toHaveAttribute('readonly', '');
      await expect(page.getByLabel('Confidential', { exact: true })).toHaveAttribute('aria-describedby', 'clientType-confidential-hint');
      await expect(page.getByLabel('Authorization code', { exact: true })).toBeChecked();
      await expect(page.getByLabel('Hash client secret')).toBeChecked();
      await expectNoOverflow(page);

      app = { name: uniqueName('Postman tutorial'), clientId: '', owner: dev.username };
      await name.fill(app.name);
      await page.getByLabel('Confidential', { exact: true }).check();
      await uris.fill('postman callback');
      await page.getByRole('button', { name: 'Register application' }).click();
      const lines = page.getByTestId('redirectUris-error').getByRole('listitem');
      await expect(lines).toHaveCount(2);
      await expect(lines.nth(0)).toContainText("must be an absolute URI with a scheme (e.g. https://): 'postman'");
      await expect(uris).toHaveAttribute('aria-invalid', 'true');
      await expect(uris).toHaveAttribute('aria-describedby', 'redirectUris-hint redirectUris-error');
      await expect(uris).toBeFocused();
      await expect(uris).toHaveValue('postman callback');
      await expect(name).toHaveValue(app.name);
      await expectNoOverflow(page);

      await uris.fill(CALLBACK);
      await page.getByRole('button', { name: 'Register application' }).click();
      await expect(page.getByTestId('saved-message')).toContainText(app.name);
      app.clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
      await expect(page.getByText('This is the only time the secret is shown. Copy it now.')).toBeVisible();
      await expectNoOverflow(page);
      await logOut(page);
      consenter = (await signUp(page, uniqueName('alice'))).username;
    });

    test('RFC 6749 §4.1.1: the login names the application, and the consent page at /o/authorize/consent/?pending= names the application, its owner and each scope in words', async ({ page }) => {
      await page.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Postman</title>' }));
      await page.goto(postmanAuthorizeUrl(app.clientId));
      await expect(page).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fauthorize%2F%3Fpending%3D/);
      await expect(page.getByRole('main')).toContainText(`Sign in to continue to ${app.name}.`);
      await expectNoOverflow(page);
      await logIn(page, consenter);

      await expect(page).toHaveURL(new RegExp(`${pathFor('consent')}\\?pending=[A-Za-z0-9_-]{43}$`));
      await expect(page).toHaveTitle('Authorize · OAuth Provider');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Authorize ${app.name}?`);
      await expect(page.getByRole('main')).toContainText(`Registered by ${app.owner}. You are signed in as ${consenter}.`);
      // Since issue 16: one group per resource, each scope a checkbox labelled with its sentence and name.
      const group = page.getByRole('group', { name: /^API/ });
      const scopes = group.getByRole('checkbox');
      await expect(scopes).toHaveCount(2);
      await expect(group.getByRole('checkbox', { name: /Read your data\s*read/ })).toBeChecked();
      await expect(group.getByRole('checkbox', { name: /Create and change your data\s*write/ })).toBeChecked();
      await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
      await expect(page.getByText('You can revoke this access at any time under Authorized apps.')).toBeVisible();
      await expectNoOverflow(page);

      const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
      expect(cb.href).toMatch(/^https:\/\/www\.getpostman\.com\/oauth2\/callback\?code=/);
    });

    test('RFC 6749 §4.1.2.1: an unknown client_id gets the error view in the site’s look, saying where to find the right one', async ({ page }) => {
      const res = await page.goto(postmanAuthorizeUrl('no-such-client'));
      expect(res!.status()).toBe(400);
      await expectErrorView(page, 'Invalid client', 'No application is registered with this client_id.', 'against the one shown on the page of the application');
      await expect(page.getByRole('link', { name: 'Your applications' })).toHaveAttribute('href', '/o/applications/');
      await page.getByRole('banner').getByRole('link', { name: 'OAuth Provider' }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    });

    test('RFC 6749 §3.1.2.4: an unregistered redirect_uri gets the error view naming the URI and the application, never a redirect', async ({ page }) => {
      const res = await page.goto(postmanAuthorizeUrl(app.clientId, { redirect_uri: 'https://evil.example/cb' }));
      expect(res!.status()).toBe(400);
      await expectErrorView(page, 'Invalid callback URL', 'The redirect_uri “https://evil.example/cb” is not registered for this application.', `Redirect uris of “${app.name}”`);
      await page.getByRole('link', { name: 'Back to the home page' }).click();
      await expect(page).toHaveURL(/\/$/);
    });

    test('a request with no parameters, and a consent link with no open request, get the error view with the fix', async ({ page }) => {
      await page.goto(pathFor('authorization'));
      await expectErrorView(page, 'Missing client_id', 'does not say which application is asking', 'as shown on the application’s page');
      await page.goto(`${pathFor('consent')}?pending=${'A'.repeat(43)}`);
      await expectErrorView(page, 'This sign-in request has expired', 'is no longer open', 'Go back to the application you came from');
    });

    test('RFC 7636 §4.4.1: a request without code_challenge goes back to the client as invalid_request naming code_challenge and the Postman setting', async ({ request }) => {
      const url = postmanAuthorizeUrl(app.clientId, { state: 'tutorial' }).replace(/&code_challenge=[^&]*&code_challenge_method=S256/, '');
      const res = await request.get(url, { maxRedirects: 0 });
      expect(res.status()).toBe(302);
      const back = new URL(res.headers().location);
      expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('error_description')).toContain('code_challenge is required');
      expect(back.searchParams.get('error_description')).toContain('Authorization Code (With PKCE)');
      expect(back.searchParams.get('state')).toBe('tutorial');
    });

    test('RFC 8628 §3.2: the verification_uri is this door’s /o/device/ page, and verification_uri_complete fills the code in', async ({ page, request, baseURL }) => {
      await signUp(page, uniqueName('tv'));
      await page.goto('/o/applications/register/');
      await page.getByLabel('Name', { exact: true }).fill(uniqueName('TV app'));
      await page.getByLabel('Public', { exact: true }).check();
      await page.getByLabel('Authorization code', { exact: true }).uncheck();
      await page.getByLabel('Device code').check();
      await page.getByRole('button', { name: 'Register application' }).click();
      await expect(page.getByTestId('saved-message')).toBeVisible();
      const clientId = await page.getByTestId('application-saved').getByLabel('Client id', { exact: true }).inputValue();

      const res = await request.post(pathFor('device_authorization'), { form: { client_id: clientId, scope: 'read' } });
      expect(res.status(), await res.text()).toBe(200);
      const d = await res.json();
      expect(d.verification_uri).toBe(`${baseURL}${pathFor('device_verification')}`);
      expect(d.verification_uri_complete).toBe(`${d.verification_uri}?user_code=${d.user_code}`);
      await page.goto(d.verification_uri_complete);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connect a device');
      await expect(page.getByLabel('Code')).toHaveValue(d.user_code);
      await expectNoOverflow(page);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Connect TV app');
      await expect(page.getByRole('list', { name: 'Requested permissions' })).toContainText('Read your data');
      await expectNoOverflow(page);
    });

    test('OIDC RP-Initiated Logout 1.0 §2: /o/logout/ without a hint asks first, in the site’s layout', async ({ page }) => {
      await signUp(page, uniqueName('bye'));
      await page.goto(pathFor('end_session'));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log out?');
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      await expectNoOverflow(page);
      await page.getByRole('button', { name: 'Yes, log out' }).click();
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
    });
  });
}
