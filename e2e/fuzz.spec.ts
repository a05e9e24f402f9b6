// Every page and every server action of the production build, fed what real users, scanners and
// broken clients send (OWASP Input Validation): property-based inputs from fast-check through the
// query strings of pages and the arguments of actions (FormData fields, ids, states), anonymously,
// as a user and as staff. The rule: a 4xx or a page, never a 5xx nor a stack trace, and the server
// healthy afterwards. Then each fault found this way, named for its rule. The node door's endpoints
// are fuzzed in test/features/http/real-world-inputs.test.ts.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import fc from 'fast-check';
import { E2E_ADMIN, logIn, signUp, uniqueName } from './helpers';


// React's own encoder: action arguments go on the wire exactly as a page's JavaScript sends them.
const require = createRequire(import.meta.url);
const { encodeReply } = require('next/dist/compiled/react-server-dom-webpack/client.node.js') as { encodeReply: (v: unknown) => Promise<string | FormData> };

/** FUZZ_SCALE=n runs every property n times as often (a longer hunt; the default keeps the spec near a minute). */
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE) || 1);
const runs = (n: number) => ({ numRuns: n * SCALE });

/** A stack trace, or a path into the server's files or node's internals, in a response body. */
const STACK = /\n\s*at [^\n]*:\d+:\d+|node:internal|node_modules\/|webpack-internal|\.tsx?:\d+:\d+/;

interface Answer {
  status: number;
  body: string;
}

function expectNoServerError(r: Answer, what: string) {
  expect(r.status, `${what}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
  expect(r.body, what).not.toMatch(STACK);
}

// --- inputs ----------------------------------------------------------------------------------------

/** Values that have broken servers: NUL and controls, invalid UTF-8 escapes, huge numbers, 36 dashes, Object's own keys, long text. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u0000', 'a\u0000b', '-'.repeat(36), '9'.repeat(30), '-1', '0', '1e308', 'NaN', 'constructor', '__proto__', 'toString', '$(id)', '$@1', '$K1', '<script>', '\uD800', '🙂', ''),
  fc.integer({ min: 200, max: 5000 }).map((n) => 'x'.repeat(n)),
);
/** What a query value looks like on the wire: encoded, or raw with invalid escapes (%ZZ, %FF, a lone %). */
const wireValue = fc.oneof(
  nasty.map((s) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom('%00', '%ZZ', '%', '%C3', '%FF%FE', '%E0%A4%A', '%2e%2e%2f'),
);
const QUERY_NAMES = ['next', 'pending', 'callbackUrl', 'notice', 'confirm', 'uri', 'retry', 'session', 'ids', 'n', 'q', 'after', 'user', 'app', 'kind', 'state', 'type', 'actor', 'ip', 'revoked', 'user_code', 'step', 'done', 'client_id', 'redirect_uri', 'response_type', 'scope', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'request_id', 'id_token_hint', 'post_logout_redirect_uri', 'error'];
/** A query string with repeated names (a=1&a=2) among our parameters and others. */
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), wireValue), wireValue), { minLength: 1, maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/**
 * Every form field name our pages send, and what plausible values look like, so inputs get past the
 * first checks. Never the test users' password: the fuzz must not change it under the other specs.
 */
const FIELD_NAMES = [
  'name', 'clientType', 'grantTypes', 'redirectUris', 'postLogoutRedirectUris', 'allowedOrigins', 'algorithm', 'hashClientSecret', 'skipAuthorization', 'owner', 'clientSecret', 'clientId',
  'username', 'email', 'password', 'password2', 'next', 'current_password', 'new_password', 'new_password2',
  'session_id', 'application_id', 'user_id', 'value', 'back', 'kind', 'ids', 'id', 'confirm', 'query', 'pending', 'decision', 'user_code', 'uri', 'retry',
];
const plausible = fc.constantFrom('confidential', 'public', 'authorization_code', 'client_credentials', 'on', 'yes', 'true', 'false', 'allow', 'deny', 'approve', 'access', 'RS256', 'HS256', 'https://app.example.org/cb', 'ada@example.org', '12345678', 'not the password 1', 'response_type=code&client_id=x');
const formData = fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.oneof(nasty, plausible)), { maxLength: 10 }).map((entries) => {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
});
/** Any value React can encode: JSON (plain objects only: React refuses null prototypes), undefined, big numbers, dates. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  nasty,
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
);
const state = fc.oneof(fc.record({ seq: fc.oneof(fc.nat(), anyValue) }, { requiredKeys: [], noNullPrototype: true }), anyValue);
/** An id bound to an action: out of the range of real rows, so the fuzz deletes nothing that another spec made. */
const boundId = fc.oneof(fc.integer({ min: 10_000_000, max: 2 ** 53 + 10 }), nasty, anyValue);
/** The argument lists our actions take (form; state, form; id, state, form; id, state; id) and anything else. */
const argList = fc.oneof(
  formData.map((f) => [f]),
  fc.tuple(state, formData),
  fc.tuple(boundId, state, formData),
  fc.tuple(boundId, state),
  fc.tuple(boundId),
  fc.array(fc.oneof(anyValue, formData), { maxLength: 4 }),
);

// --- the build's actions and pages ------------------------------------------------------------------

interface Action {
  id: string;
  name: string;
  /** A page that has the action (where a browser posts it). */
  page: string;
}

/** Every server action of the build (its server-reference manifest), each with one page that uses it. */
function buildActions(): Action[] {
  const file = path.join(process.env.NEXT_DIST_DIR || '.next', 'server', 'server-reference-manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { node: Record<string, { exportedName: string; filename: string; workers: Record<string, unknown> }> };
  return Object.entries(manifest.node).map(([id, a]) => {
    const worker = Object.keys(a.workers).find((w) => !w.includes('_not-found')) ?? 'app/page';
    const page = worker.replace(/^app/, '').replace(/\/\([^)]+\)/g, '').replace(/\/page$/, '/').replace(/\[[^\]]+\]/g, '1').replace(/^\/\/$/, '/');
    return { id, name: `${a.exportedName} (${a.filename})`, page };
  });
}

/** Every page and Next.js GET route: [path, who may see it]. */
const PAGES = [
  '/', '/accounts/login/', '/accounts/signup/', '/accounts/logout/', '/accounts/password/', '/accounts/sessions/',
  '/admin/', '/admin/users/', '/admin/applications/', '/admin/applications/1/', '/admin/tokens/', '/admin/audit/',
  '/o/applications/', '/o/applications/register/', '/o/applications/1/', '/o/applications/1/update/', '/o/applications/1/delete/',
  '/o/authorize/', '/o/authorize/consent/', '/o/authorized_tokens/', '/o/device/', '/o/logout/', '/o/logout/confirm/',
  '/accounts/auth/session', '/accounts/auth/providers', '/accounts/auth/csrf', '/accounts/auth/signin', '/accounts/auth/signout', '/accounts/auth/error',
];
/** Pages with an id in the path: the segment is fuzzed too. */
const DYNAMIC = ['/admin/applications/{}/', '/o/applications/{}/', '/o/applications/{}/update/', '/o/applications/{}/delete/'];

// --- sessions -----------------------------------------------------------------------------------------

interface Who {
  label: string;
  context: BrowserContext;
}

let anonymous: Who;
let user: Who;
let staff: Who;

async function loggedIn(browser: Browser, label: string, as: 'new user' | 'staff'): Promise<Who> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (as === 'new user') await signUp(page, uniqueName('fuzz'));
  else {
    await page.goto('/accounts/login/');
    await logIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await expect(page.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
  }
  await page.close();
  return { label, context };
}

test.beforeAll(async ({ browser }) => {
  anonymous = { label: 'anonymous', context: await browser.newContext() };
  user = await loggedIn(browser, 'user', 'new user');
  staff = await loggedIn(browser, 'staff', 'staff');
});
test.afterAll(async () => {
  for (const w of [anonymous, user, staff]) await w?.context.close();
});

async function get(request: APIRequestContext, url: string, method: 'GET' | 'HEAD' = 'GET'): Promise<Answer> {
  const r = await request.fetch(url, { method, maxRedirects: 0, failOnStatusCode: false });
  return { status: r.status(), body: method === 'HEAD' ? '' : await r.text() };
}

/** Posts `args` to `action` as the page's JavaScript would (React's encoding, Next-Action, our Origin). */
async function callAction(request: APIRequestContext, baseURL: string, action: Action, args: unknown[], origin = baseURL): Promise<Answer> {
  const encoded = await encodeReply(args);
  const wire = new Request('http://x/', { method: 'POST', body: encoded });
  const headers = { 'next-action': action.id, origin, accept: 'text/x-component', 'content-type': wire.headers.get('content-type')! };
  const r = await request.post(action.page, { headers, data: Buffer.from(await wire.arrayBuffer()), maxRedirects: 0, failOnStatusCode: false });
  return { status: r.status(), body: await r.text() };
}

/** The server still answers, and a staff member who logs in now is served (the fuzz may have ended the earlier sessions). */
async function expectHealthy(browser: Browser) {
  const request = anonymous.context.request;
  expect((await get(request, '/.well-known/openid-configuration')).status).toBe(200);
  expect((await get(request, '/accounts/login/')).status).toBe(200);
  const fresh = await loggedIn(browser, 'staff', 'staff');
  const apps = await get(fresh.context.request, '/admin/applications/');
  expect(apps.status).toBe(200);
  expect(apps.body).toContain('Applications');
  await fresh.context.close();
}

// --- the properties ------------------------------------------------------------------------------------

test('OWASP Input Validation: no page answers 5xx or a stack trace to any query string, anonymously, as a user or as staff', async ({ browser }) => {
  test.setTimeout(240_000 * SCALE);
  const who = fc.constantFrom(...[anonymous, user, staff].map((w) => w.label));
  const byLabel = (l: string) => [anonymous, user, staff].find((w) => w.label === l)!;
  await fc.assert(
    fc.asyncProperty(who, fc.constantFrom(...PAGES), queryString, async (label, p, q) => {
      expectNoServerError(await get(byLabel(label).context.request, `${p}?${q}`), `${label} GET ${p}?${q.slice(0, 200)}`);
    }),
    runs(450),
  );
  await fc.assert(
    fc.asyncProperty(who, fc.constantFrom(...DYNAMIC), wireValue, async (label, p, id) => {
      expectNoServerError(await get(byLabel(label).context.request, p.replace('{}', id)), `${label} GET ${p} ${id}`);
    }),
    runs(120),
  );
  await expectHealthy(browser);
});

test('OWASP Input Validation: no server action answers 5xx or a stack trace to any arguments, as a user or as staff', async ({ baseURL, browser }) => {
  test.setTimeout(300_000 * SCALE);
  const actions = buildActions();
  expect(actions.length).toBeGreaterThanOrEqual(20);
  // Actions that end the caller's session run last, so the others run signed in.
  const ending = /^(logoutAction|endOtherSessionsAction) /;
  const ordered = [...actions.filter((a) => !ending.test(a.name)), ...actions.filter((a) => ending.test(a.name))];
  for (const action of ordered) {
    for (const who of [user, staff]) {
      await fc.assert(
        fc.asyncProperty(argList, async (args) => {
          expectNoServerError(await callAction(who.context.request, baseURL!, action, args), `${who.label} ${action.name} on ${action.page}`);
        }),
        runs(12),
      );
    }
  }
  await expectHealthy(browser);
  // The fuzz logged both out (logoutAction): the tests after this one get new sessions.
  for (const w of [user, staff]) await w.context.close();
  user = await loggedIn(browser, 'user', 'new user');
  staff = await loggedIn(browser, 'staff', 'staff');
});

test('OWASP Input Validation: no page answers 5xx to a POST body it cannot read (garbage multipart, bad boundary, foreign action ids)', async ({ baseURL, browser }) => {
  test.setTimeout(120_000 * SCALE);
  const bodies = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constant('--xyz\r\nContent-Disposition: form-data; name="$ACTION_REF_1"\r\n\r\n\r\n--xyz--\r\n'));
  const types = fc.constantFrom('multipart/form-data; boundary=xyz', 'multipart/form-data', 'multipart/form-data; boundary=', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded');
  const actionId = fc.oneof(fc.constant(undefined), fc.stringMatching(/^[0-9a-f]{42}$/), fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 50 }));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...PAGES.filter((p) => !p.startsWith('/accounts/auth/'))), bodies, types, actionId, async (p, b, type, id) => {
      const headers: Record<string, string> = { 'content-type': type, origin: baseURL! };
      if (id !== undefined) headers['next-action'] = id;
      const r = await staff.context.request.post(p, { headers, data: Buffer.from(b, 'latin1'), maxRedirects: 0, failOnStatusCode: false });
      expectNoServerError({ status: r.status(), body: await r.text() }, `POST ${p} ${type} ${id}`);
    }),
    runs(200),
  );
  await expectHealthy(browser);
});

// --- the faults found, each named for its rule -----------------------------------------------------------

test.describe('regressions', () => {
  /** Turns off the browser's own checks (type=email, required), so the server's answer is what shows. */
  const submitUnchecked = (page: Page) => page.locator('form').first().evaluate((f) => ((f as HTMLFormElement).noValidate = true));

  test('OWASP Input Validation: a NUL in an application name is an error next to the Name field, nothing is saved', async ({ baseURL }) => {
    const page = await user.context.newPage();
    await page.goto('/o/applications/register/');
    await page.getByLabel('Name', { exact: true }).fill('Billing\u0000app');
    await page.getByLabel('Redirect uris', { exact: true }).fill('https://app.example.org/cb');
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.locator('#name-error')).toContainText('Remove the control characters');
    await expect(page.getByTestId('saved-message')).toHaveCount(0);
    await page.close();
    // The server's own answer to the same form (the page checks it first with the same schema).
    const form = new FormData();
    for (const [k, v] of [['name', 'Billing\u0000app'], ['clientType', 'confidential'], ['grantTypes', 'authorization_code'], ['redirectUris', 'https://app.example.org/cb'], ['algorithm', '']]) form.append(k, v);
    const r = await callAction(user.context.request, baseURL!, buildActions().find((a) => a.name.startsWith('createApplicationAction '))!, [{}, form]);
    expect(r.status).toBe(200);
    expect(r.body).toContain('Remove the control characters');
  });

  test('OWASP Input Validation: a NUL in the sign-up email is an error next to the Email field, no account is made', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const username = uniqueName('nul');
    await page.goto('/accounts/signup/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(`${username}\u0000@example.com`);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByLabel('Confirm password').fill('correct horse battery staple');
    await submitUnchecked(page);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('#email-error')).toContainText('Remove the control characters');
    await expect(page.getByTestId('whoami')).toHaveCount(0);
    await context.close();
  });

  test('OWASP Input Validation: a NUL in an admin search filter is an error next to the filter, not a 500', async () => {
    const page = await staff.context.newPage();
    for (const [url, field] of [
      ['/admin/users/?q=ada%00', '#q-error'],
      ['/admin/applications/?q=%00', '#q-error'],
      ['/admin/tokens/?user=a%00b', '#user-error'],
      ['/admin/tokens/?app=a%00b', '#app-error'],
      ['/admin/audit/?actor=%00', '#actor-error'],
      ['/admin/audit/?ip=1.2.3.4%00', '#ip-error'],
    ]) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      await expect(page.locator(field), url).toContainText('Remove the control characters');
      await expect(page.getByText('Correct the filter above to see the list.'), url).toBeVisible();
    }
    await page.close();
  });

  test('RFC 9562 §4: a user filter of 36 dashes is a username nobody has, not a uuid (and not a 500)', async () => {
    const dashes = '-'.repeat(36);
    const tokens = await get(staff.context.request, `/admin/tokens/?user=${dashes}`);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toContain('No user has this username.');
    expect((await get(staff.context.request, `/admin/audit/?actor=${dashes}`)).status).toBe(200);
  });

  test('OWASP Input Validation: a confirmation or notice naming a property of Object (constructor, __proto__) opens and shows nothing, not a 500', async () => {
    for (const code of ['constructor', '__proto__', 'toString']) {
      const q = ['notice', 'confirm', 'user', 'app', 'session', 'ids', 'uri', 'retry'].map((k) => `${k}=${code}`).join('&');
      for (const [who, url] of [[user, '/accounts/sessions/'], [user, '/o/authorized_tokens/'], [staff, '/admin/users/'], [staff, '/admin/applications/'], [staff, '/admin/tokens/']] as const) {
        const r = await get(who.context.request, `${url}?${q}`);
        expect(r.status, `${url} ${code}`).toBe(200);
        expect(r.body, url).not.toContain('data-testid="confirm"');
        expect(r.body, url).not.toContain('data-testid="notice"');
      }
    }
  });

  test('OWASP Input Validation: a forged or garbled flash cookie shows no notice, not a 500', async ({ baseURL }) => {
    const forged = Buffer.from(JSON.stringify({ c: 'app_deleted', a: 'Call 555-0100 now', p: '/o/applications/', u: '', e: 9_999_999_999 })).toString('base64url');
    for (const value of [`${forged}.AAAA`, forged, 'garbage', '%FF', 'x'.repeat(3000)]) {
      await user.context.addCookies([{ name: 'flash', value, url: baseURL! }]);
      const r = await get(user.context.request, '/o/applications/');
      expect(r.status, value.slice(0, 20)).toBe(200);
      expect(r.body).not.toContain('data-testid="notice"');
      expect(r.body).not.toContain('Call 555-0100');
    }
    await user.context.clearCookies({ name: 'flash' });
  });

  test('OWASP Input Validation: a garbage multipart body to a page is 400 with a page saying the form could not be read', async () => {
    for (const p of ['/', '/accounts/login/', '/o/applications/register/']) {
      const r = await anonymous.context.request.post(p, { headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, data: 'garbage', failOnStatusCode: false });
      expect(r.status(), p).toBe(400);
      expect(await r.text()).toContain('The form data could not be read');
    }
  });

  test('OWASP CSRF Prevention: a server action from another origin is 403 with a short page, not a 500', async ({ baseURL }) => {
    const action = buildActions().find((a) => a.name.startsWith('setUserActiveAction '))!;
    const form = new FormData();
    form.set('user_id', '00000000-0000-4000-8000-000000000000');
    form.set('value', 'false');
    for (const origin of ['https://evil.example', 'null']) {
      const r = await callAction(staff.context.request, baseURL!, action, [form], origin);
      expect(r.status, origin).toBe(403);
      expect(r.body).toContain('not sent from a page of this site');
    }
  });

  test('RFC 9110 §9.3.2: HEAD on /o/userinfo/ and next-auth’s GET routes answers as GET does, without content', async () => {
    for (const url of ['/o/userinfo/', '/accounts/auth/session', '/accounts/auth/providers', '/accounts/auth/csrf', '/.well-known/openid-configuration']) {
      const g = await anonymous.context.request.fetch(url, { method: 'GET', maxRedirects: 0, failOnStatusCode: false });
      const h = await anonymous.context.request.fetch(url, { method: 'HEAD', maxRedirects: 0, failOnStatusCode: false });
      expect(h.status(), url).toBe(g.status());
      expect(h.headers()['content-type'], url).toBe(g.headers()['content-type']);
      expect((await h.body()).length, url).toBe(0);
    }
  });

  test('OWASP Input Validation: next-auth’s routes answer a callbackUrl that is not a web address, or a query value outside printable ASCII, with 400 (not a 500); a tampered callback-url cookie is ignored', async ({ browser }) => {
    for (const [url, says] of [
      ['/accounts/auth/session?callbackUrl=javascript:alert(1)', 'The callbackUrl parameter is not a web address'],
      ['/accounts/auth/csrf?callbackUrl=x', 'The callbackUrl parameter is not a web address'],
      ['/accounts/auth/session?callbackUrl=%00', 'outside printable ASCII'],
      ['/accounts/auth/signin?callbackUrl=/%E2%80%AE', 'outside printable ASCII'],
      ['/accounts/auth/error?error=%C3%A9', 'outside printable ASCII'],
    ]) {
      const r = await get(anonymous.context.request, url);
      expect(r.status, url).toBe(400);
      expect(r.body, url).toContain(says);
    }
    const context = await browser.newContext();
    await context.addCookies([{ name: 'authjs.callback-url', value: 'javascript:alert(1)', url: test.info().project.use.baseURL! }]);
    for (const url of ['/accounts/auth/session', '/accounts/auth/csrf']) expect((await get(context.request, url)).status, url).toBe(200);
    await context.close();
  });

  test('forms still work without JavaScript: the action guard passes what a no-script form sends', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/accounts/login/');
    await logIn(page, E2E_ADMIN.username, 'not the password');
    await expect(page.getByText('Invalid username or password.')).toBeVisible();
    await context.close();
  });
});
