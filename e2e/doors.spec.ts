// The tutorial's token flow through both doors of the same build, in a real browser: the production
// server (`npm start`: server.ts, whose node:http door serves the route manifest) and plain
// `next start` (no server.ts: the App Router route handlers over the same manifest entries,
// lib/server/next-door.ts). Each door: discovery; a developer registers an application; a user
// authorizes it (code + PKCE through login and consent) or approves a device; the client exchanges,
// refreshes, introspects, calls UserInfo and revokes; one set of security headers; and a client
// cannot choose its own rate-limit key with x-oauth-client-ip.
import { test, expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { callbackAfter, logIn, logOut, signUp, uniqueName } from './helpers';
import { E2E_PORT, NEXT_START_PORT } from './constants';
import { pathFor, urlFor } from '../lib/oauth/paths';

const CALLBACK = 'https://www.getpostman.com/oauth2/callback';
/** The one set of security headers (lib/http/security-headers.ts reads the same file). */
const SECURITY_HEADERS = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../lib/http/security-headers.json'), 'utf8')) as Record<string, string>;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const DOORS = [
  { name: 'npm start (server.ts, the node:http door)', base: `http://localhost:${E2E_PORT}` },
  { name: 'next start (the App Router route handlers)', base: `http://localhost:${NEXT_START_PORT}` },
];

interface Registered {
  name: string;
  clientId: string;
  secret: string;
  user: { username: string; password: string };
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

/** A developer registers a confidential application with code, refresh and device grants; then a user signs up. */
async function register(browser: Browser, base: string): Promise<Registered> {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await signUp(page, uniqueName('dev'));
  await page.goto('/o/applications/register/');
  const name = uniqueName('Both doors');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
  await expect(page.getByLabel('Authorization code', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Refresh token', { exact: true })).toBeChecked();
  await page.getByLabel('Device code').check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(CALLBACK);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('application-saved')).toBeVisible();
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  await logOut(page);
  const user = await signUp(page, uniqueName('user'));
  await context.close();
  return { name, clientId, secret, user };
}

/** The tutorial's token steps after the user's grant: refresh, introspect, UserInfo, revoke (RFC 6749 §6, RFC 7662, OIDC Core §5.3, RFC 7009). */
async function useTokens(request: APIRequestContext, app: Registered, tokens: { access_token: string; refresh_token: string; scope: string }) {
  const auth = { authorization: basic(app.clientId, app.secret) };
  expect(tokens.scope.split(' ')).toContain('openid');

  const refreshed = await request.post(pathFor('token'), { headers: auth, form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } });
  expect(refreshed.status(), await refreshed.text()).toBe(200);
  const r = await refreshed.json();
  expect(r.access_token).not.toBe(tokens.access_token);
  expect(r.refresh_token).not.toBe(tokens.refresh_token);

  const active = await request.post(pathFor('introspection'), { headers: auth, form: { token: r.access_token } });
  expect(active.status()).toBe(200);
  expect(await active.json()).toMatchObject({ active: true, client_id: app.clientId, username: app.user.username, token_type: 'Bearer' });

  const me = await request.get(pathFor('userinfo'), { headers: { authorization: `Bearer ${r.access_token}` } });
  expect(me.status(), await me.text()).toBe(200);
  expect((await me.json()).sub).toBeTruthy();

  const revoked = await request.post(pathFor('revocation'), { headers: auth, form: { token: r.refresh_token, token_type_hint: 'refresh_token' } });
  expect(revoked.status()).toBe(200);
  // Revoking the refresh token ends its family: the access token too.
  expect(await (await request.post(pathFor('introspection'), { headers: auth, form: { token: r.access_token } })).json()).toEqual({ active: false });
  const gone = await request.get(pathFor('userinfo'), { headers: { authorization: `Bearer ${r.access_token}` } });
  expect(gone.status()).toBe(401);
  expect(gone.headers()['www-authenticate']).toMatch(/^Bearer /);
}

/** Postman's callback page is not reachable from here: answer it with a stub. */
async function stubPostman(page: Page) {
  await page.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Postman</title><h1>Postman callback</h1>' }));
}

for (const door of DOORS) {
  test.describe(door.name, () => {
    test.describe.configure({ mode: 'serial' });
    test.use({ baseURL: door.base });
    let app: Registered;

    test.beforeAll(async ({ browser }) => {
      app = await register(browser, door.base);
    });

    test('OIDC Discovery 1.0 §4, RFC 8414 §3: the metadata names this door\'s issuer and endpoints, and the keys are published', async ({ request }) => {
      const res = await request.get(pathFor('openid_configuration'));
      expect(res.status()).toBe(200);
      expect(res.headers()['access-control-allow-origin']).toBe('*');
      const m = await res.json();
      expect(m.issuer).toBe(door.base);
      expect(m.token_endpoint).toBe(urlFor('token', door.base));
      expect(m.device_authorization_endpoint).toBe(urlFor('device_authorization', door.base));
      for (const alias of ['/o/.well-known/openid-configuration', pathFor('authorization_server_metadata')]) {
        expect(await (await request.get(alias)).json(), alias).toEqual(m);
      }
      const jwks = await (await request.get(new URL(m.jwks_uri).pathname)).json();
      expect(jwks.keys.length).toBeGreaterThan(0);
      expect(jwks.keys[0]).not.toHaveProperty('d');
    });

    test("RFC 9728 §3.1, §5.1: /api's 401 names the built-in resource's metadata, which this door serves with its own issuer", async ({ request }) => {
      const denied = await request.get(pathFor('api_hello'));
      expect(denied.status()).toBe(401);
      const metadataUrl = urlFor('protected_resource_metadata', door.base);
      expect(denied.headers()['www-authenticate']).toBe(`Bearer realm="api", resource_metadata="${metadataUrl}"`);
      const res = await request.get(pathFor('protected_resource_metadata'));
      expect(res.status()).toBe(200);
      expect(res.headers()['access-control-allow-origin']).toBe('*');
      expect(await res.json()).toMatchObject({ resource: `${door.base}/api`, authorization_servers: [door.base], bearer_methods_supported: ['header'] });
      // RFC 9728 §3.3: the bare path would be a resource ISSUER's, which is not one.
      expect((await request.get('/.well-known/oauth-protected-resource')).status()).toBe(404);
    });

    test('RFC 6749 §4.1, RFC 7636: a user logs in and consents; the code is exchanged with its verifier, then refreshed, introspected, used at UserInfo and revoked', async ({ page, baseURL }) => {
      await stubPostman(page);
      const verifier = crypto.randomBytes(32).toString('base64url');
      const state = crypto.randomBytes(8).toString('hex');
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: app.clientId,
        redirect_uri: CALLBACK,
        scope: 'openid read write',
        state,
        code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      await page.goto(`${pathFor('authorization')}?${q}`);
      await expect(page).toHaveURL(/\/accounts\/login\/\?next=/);
      await logIn(page, app.user.username, app.user.password);
      await expect(page.getByTestId('app-name')).toHaveText(app.name);
      const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
      expect(cb.searchParams.get('state')).toBe(state);
      expect(cb.searchParams.get('iss')).toBe(baseURL);

      const token = await page.request.post(pathFor('token'), {
        headers: { authorization: basic(app.clientId, app.secret) },
        form: { grant_type: 'authorization_code', code: cb.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: verifier },
      });
      expect(token.status(), await token.text()).toBe(200);
      expect(token.headers()['cache-control']).toBe('no-store');
      await useTokens(page.request, app, await token.json());
    });

    test('RFC 8628: a device gets a code, the user approves it in the browser, and its tokens are exchanged, refreshed, introspected, used at UserInfo and revoked', async ({ page, request }) => {
      const auth = { authorization: basic(app.clientId, app.secret) };
      const start = await request.post(pathFor('device_authorization'), { headers: auth, form: { scope: 'openid read' } });
      expect(start.status(), await start.text()).toBe(200);
      const d = await start.json();
      expect(d.verification_uri).toBe(urlFor('device_verification', door.base));

      await page.goto(d.verification_uri_complete);
      await expect(page).toHaveURL(/\/accounts\/login\//);
      await logIn(page, app.user.username, app.user.password);
      await expect(page.getByLabel('Code', { exact: true })).toHaveValue(d.user_code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByTestId('app-name')).toHaveText(app.name);
      await page.getByRole('button', { name: 'Approve' }).click();
      await expect(page.getByTestId('device-done')).toHaveText('Device connected');

      // Approved before the first poll: one token request, no waiting.
      const token = await request.post(pathFor('token'), { headers: auth, form: { grant_type: DEVICE_GRANT, device_code: d.device_code } });
      expect(token.status(), await token.text()).toBe(200);
      await useTokens(request, app, await token.json());
    });

    test('one set of security headers: JSON answers, refusals, preflights and pages all carry it', async ({ request }) => {
      const answers = [
        ['discovery', await request.get(pathFor('openid_configuration'))],
        ['token error', await request.post(pathFor('token'), { form: { grant_type: 'client_credentials' } })],
        ['405', await request.fetch(pathFor('jwks'), { method: 'PUT' })],
        ['preflight', await request.fetch(pathFor('token'), { method: 'OPTIONS', headers: { origin: 'https://spa.example', 'access-control-request-method': 'POST' } })],
        ['login page', await request.get(pathFor('login'))],
      ] as const;
      for (const [what, r] of answers) {
        for (const [h, v] of Object.entries(SECURITY_HEADERS)) expect(r.headers()[h], `${what}: ${h}`).toBe(v);
      }
    });

    test('RFC 8628 §5.2, OWASP: a client-sent x-oauth-client-ip does not pick the rate-limit key: device requests with ever new values still hit the per-source limit', async ({ request }) => {
      // RATE_LIMIT_MAX_FAILURES (10) device authorization requests per (client, source) and window.
      // Were the header believed, each value would be a new source and none would be refused.
      const statuses: number[] = [];
      for (let i = 1; i <= 11; i++) {
        const r = await request.post(pathFor('device_authorization'), {
          headers: { authorization: basic(app.clientId, app.secret), 'x-oauth-client-ip': `203.0.113.${i}` },
          form: { scope: 'read' },
        });
        statuses.push(r.status());
      }
      expect(statuses).toContain(429);
      expect(statuses.slice(statuses.indexOf(429)).every((s) => s === 429)).toBe(true);
    });
  });
}
