// No secret in any log (OWASP Logging Cheat Sheet, "Data to exclude"; RFC 9700 §4.14): the real
// production server (npm start after next build) runs every flow, the ones that fail included,
// with its stdout and stderr captured; then every password, client secret, code, code_verifier,
// token, session cookie and stored hash of the run is searched for in that output, as is and in the
// encodings it travels in (URL-encoded, base64, Basic credentials). Zero hits.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import { startProdServer, type ProdServer } from './prod-server';
import { callbackAfter, logIn, logOut, uniqueName } from './helpers';

const CALLBACK = 'https://www.getpostman.com/oauth2/callback';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Typed into a field, turned into a NUL byte on the wire (the browser cannot type one). */
const NUL_MARK = 'NULBYTEHERE';

let srv: ProdServer;
/** label → value, for the failure message. */
const secrets = new Map<string, string>();
const keep = (label: string, value: string | null | undefined) => {
  if (value) secrets.set(label, value);
  return value ?? '';
};

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);
test.use({ actionTimeout: 20_000 });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  srv = await startProdServer({ ALLOW_PASSWORD_GRANT: 'true', DEVICE_CODE_INTERVAL_SECONDS: '1' });
  keep('AUTH_SECRET', srv.authSecret);
});
test.afterAll(async () => srv?.dispose());

const randomPassword = () => `pw-${crypto.randomBytes(12).toString('base64url')}`;
const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

/** Rewrites NUL_MARK into a NUL byte in the next POST bodies of `page`. */
async function sendNulBytes(page: Page) {
  await page.route('**/*', async (route) => {
    const body = route.request().postDataBuffer();
    if (route.request().method() !== 'POST' || !body || !body.includes(NUL_MARK)) return route.fallback();
    await route.continue({ postData: Buffer.from(body.toString('latin1').split(NUL_MARK).join('\0'), 'latin1') });
  });
}

async function fillSignUp(page: Page, username: string, password: string, o: { email?: string; confirm?: string } = {}) {
  await page.goto('/accounts/signup/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(o.email ?? `${username}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(o.confirm ?? password);
}

/** Submits a form whose save fails in the database; today a 500, later a 4xx: either is fine here. */
async function submitFailing(page: Page, button: string) {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: button }).click();
  const r = await answered;
  expect(r.status()).toBeGreaterThanOrEqual(200);
}

async function registerApp(page: Page, o: { name: string; type: 'Confidential' | 'Public'; grants: string[]; redirect?: string; hashed?: boolean }) {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(o.name);
  await page.getByLabel(o.type, { exact: true }).check();
  for (const g of ['Authorization code', 'Refresh token', 'Client credentials', 'Device code', 'Password (deprecated)']) {
    await page.getByLabel(g, { exact: true }).setChecked(o.grants.includes(g));
  }
  if (o.redirect) await page.getByLabel('Redirect uris', { exact: true }).fill(o.redirect);
  if (o.type === 'Confidential') await page.getByLabel('Hash client secret').setChecked(o.hashed ?? true);
}

async function savedApp(page: Page, label: string) {
  await expect(page.getByTestId('saved-message')).toBeVisible();
  const secretField = page.getByLabel('Client secret', { exact: true });
  if (!(await secretField.count())) {
    // A public client: the confirmation shows only its client id.
    return { clientId: await page.getByTestId('application-saved').getByLabel('Client id', { exact: true }).inputValue(), secret: '' };
  }
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  return { clientId, secret: keep(`client secret of ${label}`, await secretField.inputValue()) };
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${srv.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, string> };
}

/** Every form a secret can take on its way through the server. */
function encodings(s: string): string[] {
  const forms = [s, encodeURIComponent(s), new URLSearchParams({ x: s }).toString().slice(2), Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url')];
  return [...new Set(forms)].filter((f) => f.length >= 8);
}

test('OWASP Logging Cheat Sheet: no password, secret, token, code, verifier or hash reaches the production log', async ({ browser }) => {
  const ctx: BrowserContext = await browser.newContext({ baseURL: srv.baseURL });
  const page = await ctx.newPage();
  await page.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Postman</title>' }));
  await sendNulBytes(page);

  // Sign up; a sign-up that fails in the database (NUL in the email); one that fails validation.
  const dev = { username: uniqueName('dev'), password: keep('password of dev', randomPassword()) };
  await fillSignUp(page, dev.username, dev.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('whoami')).toContainText(dev.username);
  await logOut(page);
  await fillSignUp(page, uniqueName('nul'), keep('password of the failed sign-up', randomPassword()), { email: `x${NUL_MARK}@example.com` });
  await submitFailing(page, 'Create account');
  await fillSignUp(page, uniqueName('mismatch'), keep('password of the mismatched sign-up', randomPassword()), { confirm: randomPassword() });
  await submitFailing(page, 'Create account');

  // Log in: a wrong password, then the right one.
  await page.goto('/accounts/login/');
  await logIn(page, dev.username, keep('wrong password', randomPassword()));
  await expect(page.getByTestId('form-error')).toBeVisible();
  await logIn(page, dev.username, dev.password);
  await expect(page.getByTestId('whoami')).toContainText(dev.username);
  for (const c of await ctx.cookies()) if (c.name.includes('session-token')) keep('session cookie', c.value);

  // A confidential app (code, refresh, client credentials, password), a public one (code, device).
  await registerApp(page, { name: 'Confidential', type: 'Confidential', grants: ['Authorization code', 'Refresh token', 'Client credentials', 'Password (deprecated)'], redirect: CALLBACK });
  await page.getByRole('button', { name: 'Register application' }).click();
  const conf = await savedApp(page, 'the confidential app');
  expect(conf.secret).toMatch(/^[A-Za-z0-9]{128}$/);
  await page.getByRole('link', { name: 'Open application' }).click();
  await page.waitForURL(/\/o\/applications\/\d+\/$/);
  const confUrl = page.url();
  await registerApp(page, { name: 'Public', type: 'Public', grants: ['Authorization code', 'Device code'], redirect: CALLBACK });
  await page.getByRole('button', { name: 'Register application' }).click();
  const pub = await savedApp(page, 'the public app');

  // Saves that fail in the database: a NUL in the name, with an unhashed generated secret (register)
  // and with a secret of the owner's choosing (edit).
  await registerApp(page, { name: `Bad${NUL_MARK}name`, type: 'Confidential', grants: ['Authorization code'], redirect: CALLBACK, hashed: false });
  await submitFailing(page, 'Register application');
  await page.goto(`${confUrl}update/`);
  await page.getByLabel('Name', { exact: true }).fill(`Bad${NUL_MARK}edit`);
  await page.getByLabel('Client secret', { exact: true }).fill(keep('secret chosen in the failing edit', `own-${crypto.randomBytes(24).toString('base64url')}`));
  await page.getByLabel('Hash client secret').uncheck(); // stored as typed: the statement carries it in plain text
  await submitFailing(page, 'Save changes');

  // Authorization code + PKCE through the consent page, exchange, refresh.
  const verifier = keep('code_verifier', crypto.randomBytes(32).toString('base64url'));
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  await page.goto(`/o/authorize/?${form({ response_type: 'code', client_id: conf.clientId, redirect_uri: CALLBACK, code_challenge: challenge, code_challenge_method: 'S256', state: 'st', scope: 'read write' })}`);
  const cb = await callbackAfter(page, CALLBACK, () => page.getByRole('button', { name: 'Authorize' }).click());
  const code = keep('authorization code', cb.searchParams.get('code'));
  const tokens = await post('/o/token/', form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }), { authorization: basic(conf.clientId, conf.secret) });
  expect(tokens.status).toBe(200);
  keep('access token (code)', tokens.json.access_token);
  keep('refresh token (code)', tokens.json.refresh_token);
  const refreshed = await post('/o/token/', form({ grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token, client_id: conf.clientId, client_secret: conf.secret }));
  expect(refreshed.status).toBe(200);
  keep('access token (refresh)', refreshed.json.access_token);
  keep('refresh token (refresh)', refreshed.json.refresh_token);

  // Client credentials, introspection, revocation, the bearer API, the password grant.
  const cc = await post('/o/token/', form({ grant_type: 'client_credentials' }), { authorization: basic(conf.clientId, conf.secret) });
  expect(cc.status).toBe(200);
  keep('access token (client credentials)', cc.json.access_token);
  const intro = await post('/o/introspect/', form({ token: refreshed.json.access_token }), { authorization: basic(conf.clientId, conf.secret) });
  expect(intro.json.active).toBe(true);
  expect((await fetch(`${srv.baseURL}/api/hello`, { headers: { authorization: `Bearer ${refreshed.json.access_token}` } })).status).toBe(200);
  expect((await post('/o/revoke_token/', form({ token: refreshed.json.refresh_token, client_id: conf.clientId, client_secret: conf.secret }))).status).toBe(200);
  const pw = await post('/o/token/', form({ grant_type: 'password', username: dev.username, password: dev.password, scope: 'read' }), { authorization: basic(conf.clientId, conf.secret) });
  expect(pw.status).toBe(200);
  keep('access token (password)', pw.json.access_token);
  keep('refresh token (password)', pw.json.refresh_token);

  // Device flow: the CLI asks, the user enters the code and approves, the CLI polls.
  const d = await post('/o/device-authorization/', form({ client_id: pub.clientId, scope: 'read' }));
  expect(d.status).toBe(200);
  keep('device_code', d.json.device_code);
  keep('user_code', d.json.user_code);
  keep('user_code without dash', d.json.user_code.replace('-', ''));
  const poll = () => post('/o/token/', form({ grant_type: DEVICE_GRANT, device_code: d.json.device_code, client_id: pub.clientId }));
  expect((await poll()).json.error).toBe('authorization_pending');
  await page.goto(d.json.verification_uri_complete);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('device-done')).toHaveText('Device connected');
  await new Promise((r) => setTimeout(r, 1100));
  const device = await poll();
  expect(device.status, JSON.stringify(device.json)).toBe(200);
  keep('access token (device)', device.json.access_token);

  // Wrong secrets and malformed requests.
  const wrong = keep('wrong client secret', `wrong-${crypto.randomBytes(40).toString('base64url')}`);
  expect((await post('/o/token/', form({ grant_type: 'client_credentials' }), { authorization: basic(conf.clientId, wrong) })).status).toBe(401);
  expect((await post('/o/token/', form({ grant_type: 'client_credentials', client_id: conf.clientId, client_secret: wrong }))).status).toBe(400); // RFC 6749 §5.2: 401 only when the client used the Authorization header
  const wrongPw = keep('wrong password (password grant)', randomPassword());
  expect((await post('/o/token/', form({ grant_type: 'password', username: dev.username, password: wrongPw }), { authorization: basic(conf.clientId, conf.secret) })).json.error).toBe('invalid_grant');
  // A replayed code (it also revokes the tokens issued from it).
  const replay = await post('/o/token/', form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }), { authorization: basic(conf.clientId, conf.secret) });
  expect(replay.json.error).toBe('invalid_grant');
  const junk = keep('junk in a malformed request', `junk-${crypto.randomBytes(30).toString('base64url')}`);
  const malformed: [string, string, Record<string, string>][] = [
    ['/o/token/', `grant_type=client_credentials&client_secret=${junk}%zz&client_id=${conf.clientId}`, {}],
    ['/o/token/', form({ grant_type: 'refresh_token', refresh_token: `${junk}\0` }), { authorization: basic(conf.clientId, conf.secret) }],
    ['/o/token/', form({ grant_type: 'authorization_code', code: junk, code_verifier: junk, redirect_uri: CALLBACK }), { authorization: `Basic ${junk}` }],
    ['/o/token/', `grant_type=password&password=${junk}&` + 'x'.repeat(70 * 1024), {}],
    ['/o/introspect/', form({ token: junk }), { authorization: `Bearer ${junk}` }],
    ['/o/revoke_token/', form({ token: junk, client_id: conf.clientId, client_secret: `${junk}\0` }), {}],
    ['/o/token/', JSON.stringify({ grant_type: 'client_credentials', client_secret: junk }), { 'content-type': 'application/json' }],
    // Not an action this build knows: Next.js must not print the body.
    ['/o/applications/register/', `------x\r\nContent-Disposition: form-data; name="password"\r\n\r\n${junk}\r\n------x--\r\n`, { 'next-action': 'ab'.repeat(21), 'content-type': 'multipart/form-data; boundary=----x' }],
  ];
  for (const [p, body, headers] of malformed) {
    const r = await post(p, body, headers);
    expect(r.status, `${p} ${body.slice(0, 60)}`).toBeLessThan(500);
  }
  expect((await fetch(`${srv.baseURL}/api/hello`, { headers: { authorization: `Bearer ${junk}` } })).status).toBe(401);
  expect((await fetch(`${srv.baseURL}/o/userinfo/`, { headers: { authorization: `Bearer ${junk}`, cookie: `authjs.session-token=${junk}` } })).status).toBe(401);
  expect((await fetch(`${srv.baseURL}/o/applications/`, { headers: { cookie: `authjs.session-token=${junk}` }, redirect: 'manual' })).status).toBeLessThan(500);
  await ctx.close();

  // What the server printed, then what it stored (hashes included).
  const output = await srv.stop();
  await test.info().attach('server output', { body: output, contentType: 'text/plain' });
  expect(output).toContain(srv.baseURL); // the capture works: the start line is there
  const tables = await srv.dumpTables();
  const stored: [string, string, string][] = [
    ['users', 'password_hash', 'password hash'],
    ['applications', 'client_secret', 'stored client secret'],
    ['authorization_codes', 'code_hash', 'code hash'],
    ['access_tokens', 'token_hash', 'access token hash'],
    ['refresh_tokens', 'token_hash', 'refresh token hash'],
    ['device_codes', 'device_code_hash', 'device code hash'],
    ['sessions', 'sid_hash', 'session id hash'],
    ['signing_keys', 'private_jwk_enc', 'encrypted signing key'],
  ];
  for (const [table, column, label] of stored) {
    for (const [i, row] of (tables[table] ?? []).entries()) keep(`${label} #${i + 1}`, row[column] as string);
  }
  expect((tables.users ?? []).length).toBeGreaterThanOrEqual(1);
  expect([...secrets.keys()].filter((k) => k.startsWith('password hash')).length).toBeGreaterThanOrEqual(1);

  const hits: string[] = [];
  for (const [label, value] of secrets) {
    for (const e of encodings(value)) {
      const at = output.indexOf(e);
      if (at >= 0) hits.push(`${label}: ${output.slice(Math.max(0, at - 80), at).split('\n').pop()}[…]`);
    }
  }
  hits.push(...basicPairs(conf, pub).filter((b) => output.includes(b)).map(() => 'Basic credentials'));
  // Secrets the run never saw (the hash of the failed sign-up; the unhashed generated secret of
  // the failed register) by their shape: a PHC argon2 string, 128 characters of [A-Za-z0-9].
  for (const m of output.matchAll(/\$argon2(id|i|d)\$|(?<![A-Za-z0-9])[A-Za-z0-9]{128}(?![A-Za-z0-9])/g)) {
    hits.push(`by shape: ${output.slice(Math.max(0, m.index - 80), m.index).split('\n').pop()}[…]`);
  }
  expect(hits, `secrets found in the server output:\n${hits.join('\n')}`).toEqual([]);
  expect(secrets.size).toBeGreaterThan(25);
});

function basicPairs(...apps: { clientId: string; secret: string }[]): string[] {
  return apps.filter((a) => a.secret).map((a) => basic(a.clientId, a.secret).slice('Basic '.length));
}
