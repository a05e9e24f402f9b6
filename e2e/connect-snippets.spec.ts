// The Connect panel's snippets run as pasted (issue 14). Each test copies a snippet with its copy
// button (the clipboard must hold exactly the code block's text), runs it as a newcomer would (bash
// for curl, `node step.mjs` for the Node scripts, the browser for a single-page app's fetch()) against
// this server, and checks the answer. The callback URL and the token responses are pasted into the
// panel's fields, as the panel asks. lib/apps/snippets.test.ts checks which snippets an application
// gets and their quoting; this file checks that they work.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { E2E_PORT } from './constants';
import { callbackAfter, signUp, uniqueName } from './helpers';

const POSTMAN = 'https://www.getpostman.com/oauth2/callback';
/**
 * An application's own pages (its callback, a single-page app), served for real on a loopback port:
 * a navigation's redirect to a host answered by page.route escapes the route (e2e/authorize.spec.ts),
 * and a returning user with remembered consent is redirected straight back. Every path answers a
 * blank page. E2E_PORT + 1 to + 3 are the SPA specs' ports; the specs run one after another.
 */
const APP_ORIGIN = `http://127.0.0.1:${E2E_PORT + 1}`;
let appServer: http.Server;
test.beforeAll(async () => {
  appServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title><h1>App</h1>'));
  await new Promise<void>((resolve) => appServer.listen(E2E_PORT + 1, '127.0.0.1', resolve));
});
test.afterAll(async () => {
  appServer.closeAllConnections();
  await new Promise((resolve) => appServer.close(resolve));
});
type Language = 'curl' | 'node';
const LANGUAGE_LABELS: Record<Language, string> = { curl: 'curl (bash)', node: 'Node.js (fetch)' };

interface Registered {
  clientId: string;
  secret: string | null;
  name: string;
}

/** Registers an application through the form, as a person does, and opens its page. */
async function register(
  page: Page,
  o: { type: 'Confidential' | 'Public'; grants: { code?: boolean; refresh?: boolean; clientCredentials?: boolean; device?: boolean }; redirect?: string; origin?: string; rs256?: boolean },
): Promise<Registered> {
  const name = uniqueName('Connect');
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel(o.type, { exact: true }).check();
  await page.getByLabel('Authorization code', { exact: true }).setChecked(o.grants.code ?? false);
  await page.getByLabel('Refresh token', { exact: true }).setChecked(o.grants.refresh ?? false);
  if (o.type === 'Confidential') await page.getByLabel('Client credentials', { exact: true }).setChecked(o.grants.clientCredentials ?? false);
  await page.getByLabel('Device code', { exact: true }).setChecked(o.grants.device ?? false);
  if (o.redirect) await page.getByLabel('Redirect uris', { exact: true }).fill(o.redirect);
  if (o.origin) await page.getByLabel('Allowed origins', { exact: true }).fill(o.origin);
  // OIDC Core: openid, the nonce and UserInfo only with an ID token algorithm (lib/apps/snippets.ts idTokenPossible).
  if (o.rs256) await page.getByLabel('Algorithm', { exact: true }).selectOption({ label: 'RSA with SHA-2 256' });
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  const secret = o.type === 'Confidential' ? await page.getByLabel('Client secret', { exact: true }).inputValue() : null;
  await page.getByRole('link', { name: 'Open application' }).click();
  await expect(page.getByTestId('application-name')).toHaveText(name);
  return { clientId, secret, name };
}

/** Clicks a copy button and answers what it put on the clipboard, which must be the text of `testId`'s code block. */
async function copy(page: Page, button: string, testId: string): Promise<string> {
  const shown = (await page.getByTestId(testId).textContent())!;
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
  return shown;
}

interface Run {
  /** Resolves with the output once the process exits. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves with the first match of `re` in stdout. */
  waitFor: (re: RegExp) => Promise<RegExpMatchArray>;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-snippets-'));
test.afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs a snippet as a person would in a fresh terminal: curl pasted into bash; a Node script saved
 * as step.mjs and run with `node step.mjs`. A confidential app's secret is set first with the panel's
 * own set-up command (which reads it from the terminal: here, stdin).
 */
function runSnippet(language: Language, snippet: string, o: { setup?: string; secret?: string | null } = {}): Run {
  const dir = fs.mkdtempSync(path.join(scratch, 'run-'));
  let script = snippet;
  if (language === 'node') {
    fs.writeFileSync(path.join(dir, 'step.mjs'), snippet);
    script = `${JSON.stringify(process.execPath)} step.mjs`;
  }
  if (o.setup) script = `${o.setup}\n${script}`;
  const env = { ...process.env };
  delete env.CLIENT_SECRET;
  const child = spawn('/bin/bash', ['-c', script], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(o.secret ? `${o.secret}\n` : '');
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString('utf8');
    for (const w of [...waiters]) {
      const m = stdout.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  void done.then(() => clearTimeout(timer));
  return {
    done,
    waitFor: (re) => {
      const m = stdout.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        void done.then(() => reject(new Error(`exited without printing ${re}: ${stdout} ${stderr}`)));
      });
    },
  };
}

/** The JSON object a snippet printed (curl prints it on one line, Node over several). */
function printedJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1));
}

/** What the panel calls each command's copy button and code block. */
const commandOf = (language: Language, noun: string, kind: string) => ({
  button: `Copy ${noun} ${language === 'curl' ? 'command' : 'script'}`,
  testId: `${kind}-${language}`,
});

/** The panel's steps for one application, in one language (or the language each step names). */
function panel(page: Page, app: Registered) {
  const setup: { setup?: string; secret?: string | null } = app.secret ? { secret: app.secret } : {};
  return {
    async useLanguage(language: Language) {
      await page.getByLabel(LANGUAGE_LABELS[language], { exact: true }).check();
    },
    /** The set-up command the panel offers for CLIENT_SECRET, copied once. */
    async copySetup() {
      if (app.secret) setup.setup = await copy(page, 'Copy set-up command', 'secret-setup');
    },
    /** Copies and runs one command; answers its output. */
    async run(language: Language, noun: string, kind: string) {
      await this.useLanguage(language);
      const { button, testId } = commandOf(language, noun, kind);
      return runSnippet(language, await copy(page, button, testId), setup);
    },
    async runToEnd(language: Language, noun: string, kind: string) {
      const r = await (await this.run(language, noun, kind)).done;
      expect(r.stderr, `${kind} (${language}) printed errors`).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    },
    async pasteTokens(stdout: string) {
      await page.getByLabel('Token response', { exact: true }).fill(stdout);
      await expect(page.getByTestId('tokens-read')).toBeVisible();
    },
  };
}

/**
 * Copies the authorization URL, opens it in a new tab of the same browser (the user is logged in),
 * authorizes if asked, and answers the URL the browser was sent back to. After Authorize, that URL is
 * read from the navigation request (callbackAfter), not from the tab's address: the Postman callback
 * is only a route stub. A redirect straight back (consent remembered) is read from the address, so it
 * needs a callback that loads: the specs that go straight back use APP_ORIGIN's real server.
 */
async function authorizeInNewTab(context: BrowserContext, page: Page, callbackPrefix: string): Promise<string> {
  await expect(page.getByTestId('authorize-url')).toContainText('code_challenge=');
  const url = await copy(page, 'Copy authorization URL', 'authorize-url');
  const tab = await context.newPage();
  await tab.goto(url);
  await expect(tab).toHaveURL((u) => u.href.startsWith(callbackPrefix) || u.pathname.startsWith('/o/authorize/consent/'));
  const callback = tab.url().startsWith(callbackPrefix)
    ? tab.url()
    : (await callbackAfter(tab, callbackPrefix, () => tab.getByRole('button', { name: 'Authorize' }).click())).href;
  await tab.close();
  return callback;
}

/** The person's side of the device flow: opens the printed address in a new tab, continues and approves. */
async function approveDevice(context: BrowserContext, uri: string, code: string) {
  const tab = await context.newPage();
  await tab.goto(uri);
  await expect(tab.getByLabel('Code', { exact: true })).toHaveValue(code);
  await tab.getByRole('button', { name: 'Continue' }).click();
  await tab.getByRole('button', { name: 'Approve' }).click();
  await expect(tab.getByTestId('device-done')).toHaveText('Device connected');
  await tab.close();
}

const DEVICE_PROMPT = /Open (\S+) in a browser and approve the code (\S+)\./;

test.beforeEach(async ({ context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  // The Postman callback page, as the browser shows it: its address carries the code.
  await context.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Postman</title>' }));
});

test.describe('Connect panel', () => {
  for (const language of ['curl', 'node'] as const) {
    test(`the authorize URL works as copied (RFC 7636 §4.2 S256 challenge from the page), and a confidential app's ${language} snippets run as pasted: code exchange, refresh, introspection, UserInfo, revocation, client credentials, device flow`, async ({
      page,
      context,
      baseURL,
    }) => {
      test.setTimeout(150_000);
      await signUp(page, uniqueName('conn'));
      const app = await register(page, { type: 'Confidential', grants: { code: true, refresh: true, clientCredentials: true, device: true }, redirect: POSTMAN, rs256: true });
      const p = panel(page, app);
      await p.copySetup();
      await p.useLanguage(language);

      // RFC 7636 §4.2: the URL's challenge is BASE64URL(SHA-256(the verifier the page shows)).
      await expect(page.getByTestId('pkce-verifier')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
      const verifier = (await page.getByTestId('pkce-verifier').textContent())!;
      const state = (await page.getByTestId('pkce-state').textContent())!;
      const callback = await authorizeInNewTab(context, page, POSTMAN);
      const authorizeUrl = new URL((await page.getByTestId('authorize-url').textContent())!);
      expect(authorizeUrl.searchParams.get('code_challenge')).toBe(crypto.createHash('sha256').update(verifier).digest('base64url'));
      expect(new URL(callback).searchParams.get('state')).toBe(state);

      // The exchange needs only the pasted callback URL: the code and the verifier are in the command.
      await page.getByLabel('2. Callback URL', { exact: true }).fill(callback);
      await expect(page.getByTestId('callback-read')).toBeVisible();
      const exchanged = printedJson(await p.runToEnd(language, 'code exchange', 'exchange'));
      expect(exchanged).toMatchObject({ token_type: 'Bearer', scope: 'openid read' });
      expect(exchanged.refresh_token).toEqual(expect.any(String));

      // RFC 6749 §6: the refresh answers new tokens (rotation); they go back into the panel.
      await p.pasteTokens(JSON.stringify(exchanged));
      const refreshedOut = await p.runToEnd(language, 'refresh', 'refresh');
      const refreshed = printedJson(refreshedOut);
      expect(refreshed.access_token).toEqual(expect.any(String));
      expect(refreshed.access_token).not.toBe(exchanged.access_token);
      await p.pasteTokens(refreshedOut);

      // RFC 7662: the new access token is active; OIDC Core §5.3: UserInfo names the same user.
      const introspected = printedJson(await p.runToEnd(language, 'introspection', 'introspect'));
      expect(introspected).toMatchObject({ active: true, client_id: app.clientId, scope: 'openid read' });
      const userinfo = printedJson(await p.runToEnd(language, 'UserInfo', 'userinfo'));
      expect(userinfo.sub).toBe(introspected.sub);

      // RFC 7009 §2.2: revocation answers 200, and the tokens of the sign-in are no longer active.
      expect((await p.runToEnd(language, 'revocation', 'revoke')).trim()).toBe('HTTP 200');
      expect(printedJson(await p.runToEnd(language, 'introspection', 'introspect'))).toEqual({ active: false });

      // RFC 6749 §4.4: client credentials, a token for the application itself.
      const cc = printedJson(await p.runToEnd(language, 'client credentials', 'client_credentials'));
      expect(cc).toMatchObject({ token_type: 'Bearer', scope: 'read' });
      expect(cc.refresh_token).toBeUndefined();
      await p.pasteTokens(JSON.stringify(cc));
      expect(printedJson(await p.runToEnd(language, 'introspection', 'introspect'))).toMatchObject({ active: true, sub: app.clientId });

      // RFC 8628: the device flow prints where to approve, polls while the person approves in the browser, then prints the tokens.
      const device = await p.run(language, 'device flow', 'device');
      const [, uri, code] = await device.waitFor(DEVICE_PROMPT);
      expect(uri).toBe(`${baseURL}/o/device/?user_code=${code}`);
      await approveDevice(context, uri, code);
      const out = await device.done;
      expect(out.stderr).toBe('');
      expect(printedJson(out.stdout)).toMatchObject({ token_type: 'Bearer', scope: 'openid read', refresh_token: expect.any(String) });
    });
  }

  test('"New values" makes a new verifier, challenge and state; a callback with the old state is refused next to its field (RFC 6749 §10.12), and the Node exchange of the new code runs as pasted', async ({
    page,
    context,
  }) => {
    await signUp(page, uniqueName('newv'));
    const callback = `${APP_ORIGIN}/cb`;
    const app = await register(page, { type: 'Confidential', grants: { code: true }, redirect: callback, rs256: true });
    const p = panel(page, app);
    await p.copySetup();
    await expect(page.getByTestId('pkce-verifier')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
    const old = await authorizeInNewTab(context, page, callback);
    const before = { verifier: await page.getByTestId('pkce-verifier').textContent(), state: await page.getByTestId('pkce-state').textContent() };

    await page.getByRole('button', { name: 'New values' }).click();
    await expect(page.getByText('New verifier, challenge and state made: open the authorization URL again.')).toBeVisible();
    await expect(page.getByTestId('pkce-verifier')).not.toHaveText(before.verifier!);
    await expect(page.getByTestId('pkce-state')).not.toHaveText(before.state!);
    const field = page.getByLabel('2. Callback URL', { exact: true });
    await field.fill(old);
    await expect(page.getByTestId('connect-callback-error')).toContainText('Its state is not the one of the authorization URL above');
    await expect(field).toHaveAttribute('aria-invalid', 'true');

    // Only this app's grants: no refresh command (no refresh grant), no client credentials, no device, no SPA.
    const copyButtons = await page.getByTestId('connect-panel').getByRole('button', { name: /^Copy / }).allTextContents();
    expect(copyButtons.map((t) => t.trim())).toEqual(['Copy set-up command', 'Copy authorization URL', 'Copy code exchange command', 'Copy introspection command', 'Copy UserInfo command', 'Copy revocation command']);

    // Consent is remembered: the new URL goes straight back to the callback.
    await field.fill(await authorizeInNewTab(context, page, callback));
    await expect(page.getByTestId('callback-read')).toBeVisible();
    const tokens = printedJson(await p.runToEnd('node', 'code exchange', 'exchange'));
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'openid read' });
    expect(tokens.refresh_token).toBeUndefined();
  });

  test('a public app’s commands run with its client_id alone (RFC 7636 §4.5: the verifier proves it), it introspects with its own token (RFC 7662 §2.1), and its SPA fetch() snippets sign in from an allowed origin', async ({
    page,
    context,
  }) => {
    test.setTimeout(120_000);
    const spaOrigin = APP_ORIGIN;
    await signUp(page, uniqueName('pub'));
    const app = await register(page, { type: 'Public', grants: { code: true, refresh: true }, redirect: `${spaOrigin}/callback`, origin: spaOrigin, rs256: true });
    const p = panel(page, app);
    await expect(page.getByTestId('connect-secret')).toHaveCount(0);
    await expect(page.getByTestId('connect-summary')).toContainText('None: a public client sends only its client_id');

    await page.getByLabel('2. Callback URL', { exact: true }).fill(await authorizeInNewTab(context, page, `${spaOrigin}/callback`));
    await expect(page.getByTestId('callback-read')).toBeVisible();
    const exchangedOut = await p.runToEnd('curl', 'code exchange', 'exchange');
    expect(printedJson(exchangedOut)).toMatchObject({ token_type: 'Bearer', scope: 'openid read introspection' });
    await p.pasteTokens(exchangedOut);
    const refreshedOut = await p.runToEnd('node', 'refresh', 'refresh');
    await p.pasteTokens(refreshedOut);
    expect(printedJson(await p.runToEnd('curl', 'introspection', 'introspect'))).toMatchObject({ active: true, client_id: app.clientId });
    expect(printedJson(await p.runToEnd('node', 'introspection', 'introspect'))).toMatchObject({ active: true });
    expect(printedJson(await p.runToEnd('curl', 'UserInfo', 'userinfo')).sub).toEqual(expect.any(String));
    expect((await p.runToEnd('curl', 'revocation', 'revoke')).trim()).toBe('HTTP 200');

    // The browser snippets, on the app's own origin: sign in (consent remembered: straight back), then the callback page's fetch() (CORS).
    const signIn = await copy(page, 'Copy SPA sign-in snippet', 'spa-sign-in');
    const onCallback = await copy(page, 'Copy SPA callback snippet', 'spa-callback');
    const spa = await context.newPage();
    await spa.goto(`${spaOrigin}/`);
    // The snippet navigates away while it runs: its evaluation ends with the page it ran in.
    await spa.evaluate(`(async () => {\n${signIn}\n})()`).catch(() => undefined);
    await expect(spa).toHaveURL((u) => u.href.startsWith(`${spaOrigin}/callback?`) || u.pathname.startsWith('/o/authorize/consent/'));
    if (!spa.url().startsWith(spaOrigin)) await spa.getByRole('button', { name: 'Authorize' }).click();
    await expect(spa).toHaveURL((u) => u.href.startsWith(`${spaOrigin}/callback?`));
    const logged = new Promise<unknown>((resolve) => spa.on('console', (m) => void m.args()[0]?.jsonValue().then(resolve)));
    await spa.evaluate(`(async () => {\n${onCallback}\n})()`);
    expect(await logged).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), scope: 'openid read introspection' });
  });

  test('a device-only public app gets the device flow and the token commands only, and nothing it lacks (no PKCE, no Postman, no secret, no “Hash client secret: Yes”; without an ID token algorithm no openid and no UserInfo); each runs as pasted (RFC 8628 §3.4)', async ({
    page,
    context,
  }) => {
    test.setTimeout(120_000);
    await signUp(page, uniqueName('tv'));
    const app = await register(page, { type: 'Public', grants: { device: true } });
    const p = panel(page, app);

    await expect(page.locator('body')).not.toContainText('PKCE');
    await expect(page.locator('body')).not.toContainText('CLIENT_SECRET');
    await expect(page.getByTestId('connect-panel')).not.toContainText('Postman');
    await expect(page.getByTestId('auth-url')).toHaveCount(0);
    await expect(page.getByText('No secret (public client)', { exact: true })).toBeVisible();
    const copyButtons = await page.getByTestId('connect-panel').getByRole('button', { name: /^Copy / }).allTextContents();
    expect(copyButtons.map((t) => t.trim())).toEqual(['Copy device flow command', 'Copy introspection command', 'Copy revocation command']);
    await expect(page.getByTestId('connect-panel')).not.toContainText('openid');

    const device = await p.run('curl', 'device flow', 'device');
    const [, uri, code] = await device.waitFor(DEVICE_PROMPT);
    await approveDevice(context, uri, code);
    const out = await device.done;
    expect(out.stderr).toBe('');
    expect(printedJson(out.stdout)).toMatchObject({ token_type: 'Bearer', scope: 'read introspection' });
    await p.pasteTokens(out.stdout);

    expect(printedJson(await p.runToEnd('curl', 'introspection', 'introspect'))).toMatchObject({ active: true, client_id: app.clientId });
    expect((await p.runToEnd('node', 'revocation', 'revoke')).trim()).toBe('HTTP 200');
    // A public client introspects with its own token: revoked, the token can no longer ask (RFC 6750 §3.1).
    expect(printedJson(await p.runToEnd('curl', 'introspection', 'introspect'))).toEqual({ error: 'invalid_token', error_description: 'The access token has been revoked.' });

    // The Node device script too.
    const node = await p.run('node', 'device flow', 'device');
    const [, uri2, code2] = await node.waitFor(DEVICE_PROMPT);
    await approveDevice(context, uri2, code2);
    const nodeOut = await node.done;
    expect(nodeOut.stderr).toBe('');
    expect(printedJson(nodeOut.stdout).access_token).toEqual(expect.any(String));
  });
});
