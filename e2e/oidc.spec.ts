// A person signs in to a relying party through OpenID Connect and signs out again through
// RP-initiated logout. The RP is a tiny web app on its own origin (E2E_PORT + 1) built on
// openid-client v6: discovery, code flow with PKCE + state + nonce, ID token validation (signature
// checked against our JWKS), UserInfo, and the end_session_endpoint.
import http from 'node:http';
import { test, expect, type Page } from '@playwright/test';
import * as client from 'openid-client';
import { signUp, logIn, uniqueName } from './helpers';

const OP = `http://localhost:${Number(process.env.E2E_PORT ?? 8100)}`;
const RP_PORT = Number(process.env.E2E_PORT ?? 8100) + 1;
const RP = `http://localhost:${RP_PORT}`;
const CALLBACK = `${RP}/callback`;
const LOGGED_OUT = `${RP}/logged-out`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const html = (res: http.ServerResponse, body: string, status = 200) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Relying party</title></head><body>${body}</body></html>`);
};

/** The relying party. Holds one pending login and one signed-in session: enough for one person. */
class RelyingParty {
  config: client.Configuration | null = null;
  pending = new Map<string, { verifier: string; nonce: string }>();
  idToken: string | null = null;
  logoutState: string | null = null;
  /** Each sign-in must reach the callback exactly once (a background fetch would spend the code). */
  callbacks = 0;
  server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => html(res, `<p data-testid="rp-error">${esc(e.message)}</p>`, 500));
    });
  }

  async configure(clientId: string, secret: string) {
    this.config = await client.discovery(new URL(OP), clientId, secret, undefined, {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', RP);
    // Only page loads: a CORS preflight or a script's fetch must not consume a login state.
    if (req.method !== 'GET') return html(res, 'method not allowed', 405);
    const config = this.config!;
    if (url.pathname === '/') {
      return html(res, '<h1>Photo app</h1><a href="/login">Sign in with the OAuth provider</a>');
    }
    if (url.pathname === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      this.pending.set(state, { verifier, nonce });
      const to = client.buildAuthorizationUrl(config, {
        redirect_uri: CALLBACK,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      res.writeHead(302, { location: to.href });
      return res.end();
    }
    if (url.pathname === '/callback') {
      this.callbacks++;
      const state = url.searchParams.get('state') ?? '';
      const p = this.pending.get(state);
      if (!p) throw new Error('unknown state');
      this.pending.delete(state);
      const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: p.verifier, expectedState: state, expectedNonce: p.nonce, idTokenExpected: true });
      const claims = tokens.claims()!;
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      this.idToken = tokens.id_token!;
      return html(
        res,
        `<p data-testid="rp-user">Hello ${esc(String(info.preferred_username))}</p>
         <p data-testid="rp-email">${esc(String(info.email))}</p>
         <p data-testid="rp-nonce">${claims.nonce === p.nonce ? 'nonce ok' : 'nonce mismatch'}</p>
         <a href="/logout">Sign out</a> <a href="/logout?hint=0">Sign out (ask the provider to confirm)</a>`,
      );
    }
    if (url.pathname === '/logout') {
      this.logoutState = client.randomState();
      const params: Record<string, string> = { post_logout_redirect_uri: LOGGED_OUT, state: this.logoutState };
      // Without the hint the provider cannot tell the request comes from the user's own session: it asks.
      if (url.searchParams.get('hint') !== '0' && this.idToken) params.id_token_hint = this.idToken;
      const to = client.buildEndSessionUrl(config, params);
      res.writeHead(302, { location: to.href });
      return res.end();
    }
    if (url.pathname === '/logged-out') {
      const ok = url.searchParams.get('state') === this.logoutState;
      this.idToken = null;
      return html(res, `<p data-testid="rp-logged-out">Signed out (${ok ? 'state ok' : 'state mismatch'})</p>`);
    }
    html(res, 'not found', 404);
  }
}

let rp: RelyingParty;
test.beforeAll(async () => {
  rp = new RelyingParty();
  await new Promise<void>((r) => rp.server.listen(RP_PORT, '127.0.0.1', r));
});
test.afterAll(async () => {
  rp.server.closeAllConnections();
  await new Promise((r) => rp.server.close(r));
});

async function registerOidcApp(page: Page, name: string) {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await expect(page.getByLabel('Authorization code')).toBeChecked();
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  await page.getByLabel('Post logout redirect uris', { exact: true }).fill(LOGGED_OUT);
  await page.getByLabel('Algorithm', { exact: true }).selectOption({ label: 'RSA with SHA-2 256' });
  await expect(page.getByLabel('Hash client secret')).toBeChecked(); // RS256 needs no readable secret
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('one-time-secret')).toBeVisible();
  return {
    clientId: await page.locator('#created-client-id').inputValue(),
    secret: await page.locator('#created-client-secret').inputValue(),
  };
}

async function expectLoggedOutAtOp(page: Page) {
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect(page.getByTestId('whoami')).toHaveCount(0);
}

test.describe('OpenID Connect sign-in and RP-initiated logout', () => {
  test('a person signs in to a relying party and signs out again', async ({ page }) => {
    // A developer registers the relying party through the UI, then logs out.
    const { username } = await signUp(page, uniqueName('oidc'));
    const { clientId, secret } = await registerOidcApp(page, 'Photo app');
    expect(clientId).toMatch(/^[A-Za-z0-9]{40}$/);
    await rp.configure(clientId, secret);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();

    // Sign in at the RP: provider login, consent, back to the RP with a validated ID token.
    await page.goto(`${RP}/`);
    await page.getByRole('link', { name: 'Sign in with the OAuth provider' }).click();
    await expect(page).toHaveURL(/\/accounts\/login\//);
    await logIn(page, username);
    await expect(page.getByTestId('app-name')).toHaveText('Photo app');
    await expect(page.getByText('Confirm your identity (sign you in)')).toBeVisible();
    await page.getByRole('button', { name: 'Authorize' }).click();
    await expect(page.getByTestId('rp-user')).toHaveText(`Hello ${username}`);
    await expect(page.getByTestId('rp-email')).toHaveText(`${username}@example.com`);
    await expect(page.getByTestId('rp-nonce')).toHaveText('nonce ok');
    expect(rp.callbacks).toBe(1);

    // Sign out without an id_token_hint: the provider asks first; nothing names the user, so it
    // does not redirect by itself but links back to the application, by name, with state.
    await page.getByRole('link', { name: 'Sign out (ask the provider to confirm)' }).click();
    await expect(page).toHaveURL(/\/o\/logout\/confirm\//);
    await expect(page.getByTestId('logout-question')).toContainText('Photo app');
    await expect(page.getByTestId('logout-question')).toContainText(username);
    await page.getByRole('button', { name: 'Yes, log out' }).click();
    await expect(page.getByTestId('logged-out')).toBeVisible();
    expect(page.url().startsWith(OP)).toBe(true);
    await page.getByRole('link', { name: 'Return to Photo app' }).click();
    await expect(page.getByTestId('rp-logged-out')).toHaveText('Signed out (state ok)');
    expect(page.url().startsWith(`${LOGGED_OUT}?`)).toBe(true);
    await expectLoggedOutAtOp(page);

    // Sign in again (consent is remembered), then sign out with the hint: no question asked.
    await page.goto(`${RP}/login`);
    await logIn(page, username);
    await expect(page.getByTestId('rp-user')).toHaveText(`Hello ${username}`);
    expect(rp.callbacks).toBe(2);
    await page.getByRole('link', { name: 'Sign out', exact: true }).click();
    await expect(page.getByTestId('rp-logged-out')).toHaveText('Signed out (state ok)');
    await expectLoggedOutAtOp(page);
  });

  test('"Stay logged in" keeps the session, and an unregistered post-logout URI is never followed', async ({ page }) => {
    const { username } = await signUp(page, uniqueName('oidc'));
    const { clientId, secret } = await registerOidcApp(page, 'Strict app');
    await rp.configure(clientId, secret);

    const evil = `${RP}/evil`;
    await page.goto(`/o/logout/?client_id=${clientId}&post_logout_redirect_uri=${encodeURIComponent(evil)}&state=x`);
    await expect(page.getByTestId('logout-error')).toContainText('not registered');
    expect(page.url().startsWith(OP)).toBe(true);
    await expect(page.getByTestId('whoami')).toContainText(username); // still logged in

    // A near miss (trailing slash) is not the registered URI either.
    await page.goto(`/o/logout/?client_id=${clientId}&post_logout_redirect_uri=${encodeURIComponent(LOGGED_OUT + '/')}`);
    await expect(page.getByTestId('logout-error')).toBeVisible();

    await page.goto(`/o/logout/?client_id=${clientId}&post_logout_redirect_uri=${encodeURIComponent(LOGGED_OUT)}&state=s`);
    await expect(page.getByTestId('logout-question')).toContainText('Strict app');
    await page.getByRole('link', { name: 'Stay logged in' }).click();
    await expect(page.getByTestId('whoami')).toContainText(username);
  });

  test('RFC 9700 §4.11.2: a valid id_token_hint redirects only the user it names, after ending their session', async ({ page, browser }) => {
    // The owner of an application signs in to it and keeps the ID token: the "link" they could send around.
    const { username } = await signUp(page, uniqueName('owner'));
    const { clientId, secret } = await registerOidcApp(page, 'Lure app');
    await rp.configure(clientId, secret);
    await page.goto(`${RP}/login`);
    await page.getByRole('button', { name: 'Authorize' }).click();
    await expect(page.getByTestId('rp-user')).toHaveText(`Hello ${username}`);
    const lure = `/o/logout/?${new URLSearchParams({ id_token_hint: rp.idToken!, post_logout_redirect_uri: LOGGED_OUT, state: 'x' })}`;

    // An anonymous visitor: no redirect; the signed-out page names the application and links to it.
    const anonymous = await (await browser.newContext()).newPage();
    await anonymous.goto(lure);
    await expect(anonymous.getByTestId('logged-out')).toBeVisible();
    expect(anonymous.url().startsWith(`${OP}/o/logout/confirm/`)).toBe(true);
    const back = anonymous.getByRole('link', { name: 'Return to Lure app' });
    expect(await back.getAttribute('href')).toBe(`${LOGGED_OUT}?state=x`);
    await anonymous.context().close();

    // Another signed-in user, not named by the hint: asked, and still signed in until they say yes.
    const other = await (await browser.newContext()).newPage();
    const { username: otherName } = await signUp(other, uniqueName('other'));
    await other.goto(lure);
    await expect(other.getByTestId('logout-question')).toContainText('Lure app');
    expect(other.url().startsWith(OP)).toBe(true);
    await other.goto('/');
    await expect(other.getByTestId('whoami')).toContainText(otherName);
    await other.context().close();

    // RFC 9110 §9.2.1: HEAD is safe. A HEAD of the same link (a prefetcher, a link checker) with
    // the named user's cookie ends nothing and sends nobody to the application.
    const head = await page.request.head(lure, { maxRedirects: 0 });
    expect(head.status()).toBe(303);
    expect(head.headers()['location']).toMatch(/\/o\/logout\/confirm\//);
    await page.goto('/');
    await expect(page.getByTestId('whoami')).toContainText(username);

    // The user the hint names, signed in: their session ends and they go back to the application.
    await page.goto(lure);
    await expect(page).toHaveURL(new RegExp(`^${LOGGED_OUT}\\?state=x$`));
    await expectLoggedOutAtOp(page);
  });

  test('discovery and JWKS are served to any origin', async ({ request }) => {
    const d = await request.get('/.well-known/openid-configuration');
    expect(d.status()).toBe(200);
    expect(d.headers()['access-control-allow-origin']).toBe('*');
    const m = (await d.json()) as { issuer: string; jwks_uri: string; end_session_endpoint: string };
    expect(m.issuer).toBe(OP);
    expect(m.end_session_endpoint).toBe(`${OP}/o/logout/`);
    const j = await request.get(new URL(m.jwks_uri).pathname);
    expect(j.status()).toBe(200);
    expect(((await j.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });
});
