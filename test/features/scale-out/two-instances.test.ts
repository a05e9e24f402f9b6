// Issue 15 item 4: two production instances (server.ts after `next build`) on one PostgreSQL
// database behind nginx (round robin, X-Forwarded-For appended), test/helpers/cluster.ts. What one
// instance does, the other honours: each test sends some steps to an instance directly (A or B,
// around the proxy) and some through nginx, whose X-Upstream header says who answered.
// PostgreSQL only: PGlite is one process's database, so there is nothing to scale out.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { BASE_PORT, settings } from './settings';
import { nginxConfig, PROXY_LOCATION, startCluster, UPSTREAM_HEADER, type Cluster, type Instance } from '@/test/helpers/cluster';
import { useTestSettings } from '@/test/helpers/settings';
import { basic, form, loginSession, makeApp, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { exchange, expectOAuthError, getAuthorize, newVerifier, obtainCode, postToken, redirectParams, type Target } from '@/test/helpers/codeflow';
import { s256 } from '@/lib/oauth/pkce';
import { closeDb } from '@/lib/db';
import { regenerateSecret, updateApplication } from '@/lib/apps/service';
import { setUserActive } from '@/lib/admin/service';
import { rotateSigningKey } from '@/lib/oauth/oidc/keys';
import type { Application } from '@/lib/db/schema';

const ON_POSTGRES = process.env.TEST_DB === 'postgres';
/** How soon an edit on one instance must be seen by every other (issue 15: "within one second"). */
const PROPAGATION_MS = 1000;

describe('README "Deploying" shows the nginx proxy settings the scale-out tests run with', () => {
  it('the location block of the README is the one nginxConfig() writes', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const conf = nginxConfig({ listen: 8000, upstreams: ['127.0.0.1:8001', '127.0.0.1:8002'], dir: '/tmp/x' });
    const norm = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(conf).toContain(PROXY_LOCATION);
    const deploying = readme.slice(readme.indexOf('## Deploying\n'));
    for (const line of norm(PROXY_LOCATION)) expect(deploying, line).toContain(line);
    for (const line of ['upstream oauth {', 'server 127.0.0.1:8001;', 'server 127.0.0.1:8002;', 'keepalive 32;', 'proxy_pass http://oauth;']) {
      expect(deploying, line).toContain(line);
      expect(conf, line).toContain(line);
    }
  });
});

describe.skipIf(!ON_POSTGRES)('two instances on one PostgreSQL behind nginx (issue 15; PostgreSQL only: run with TEST_DB=postgres)', () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let proxy: Target;

  beforeAll(async () => {
    cluster = await startCluster({ basePort: BASE_PORT, env: settings as Record<string, string> });
    [A, B] = cluster.instances;
    proxy = { url: cluster.url };
    // This test process works on the same database with the same secret: its fixtures (users,
    // applications, sessions) and its edits (lib/apps, lib/admin) are those of a third instance.
    const { DATABASE_URL, AUTH_SECRET, ISSUER, TRUST_PROXY, DATA_DIR } = cluster.env;
    useTestSettings({ ...settings, DATABASE_URL, AUTH_SECRET, ISSUER, TRUST_PROXY, DATA_DIR });
  }, 300_000);

  afterAll(async () => {
    await closeDb();
    await cluster?.dispose();
  });

  /** Polls `check` until it is true; asserts it became true within PROPAGATION_MS of `since` (when the edit had returned: committed and announced). */
  async function seenWithin(since: number, what: string, check: () => Promise<boolean>) {
    for (;;) {
      if (await check()) break;
      if (Date.now() - since > PROPAGATION_MS) throw new Error(`${what}: not seen within ${PROPAGATION_MS} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Which instances answered a series of requests through the proxy. */
  const upstreams = (rs: Response[]) => new Set(rs.map((r) => r.headers.get(UPSTREAM_HEADER)));

  const introspect = (on: Target, app: { clientId: string; secret: string }, token: string) =>
    fetch(`${on.url}/o/introspect/`, { method: 'POST', headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: form({ token }) });

  const clientCredentials = (on: Target, id: string, secret: string, headers: Record<string, string> = {}) =>
    postToken(on, { grant_type: 'client_credentials', scope: 'read' }, { id, secret }, headers);

  /** A real login through next-auth's credentials form: the CSRF token from `csrfOn`, the form posted to `postOn`. Returns the Cookie header of the session. */
  async function logIn(csrfOn: Target, postOn: Target, username: string, password: string): Promise<string> {
    const csrf = await fetch(`${csrfOn.url}/accounts/auth/csrf`);
    expect(csrf.status).toBe(200);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const jar = csrf.headers.getSetCookie().map((c) => c.split(';')[0]);
    const r = await fetch(`${postOn.url}/accounts/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrfToken, username, password }),
    });
    expect(r.status).toBe(303);
    const session = r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('authjs.session-token='));
    expect(session, `no session cookie; Location ${r.headers.get('location')}`).toBeTruthy();
    return session!;
  }

  const codeParams = (app: Pick<Application, 'clientId'>, extra: Record<string, string> = {}) => {
    const verifier = newVerifier();
    return { verifier, params: { response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 'st', ...extra } };
  };

  it('the proxy spreads requests over both instances (round robin) and every instance serves the whole site', async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, () => fetch(`${proxy.url}/.well-known/openid-configuration`)));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(upstreams(rs)).toEqual(new Set([A.upstream, B.upstream]));
    for (const i of [A, B]) expect((await fetch(`${i.url}/accounts/login/`)).status).toBe(200);
  });

  it('RFC 6749 §4.1: a code from one instance is exchanged on the other, refreshed, introspected and revoked anywhere; a code is redeemed once across instances', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const user = await makeUser();
    // Authorize on A, exchange on B; and the other way round.
    for (const [first, second] of [
      [A, B],
      [B, A],
    ]) {
      const c = await obtainCode(first, app, user);
      const r = await exchange(second, app, c);
      expect(r.status, await r.clone().text()).toBe(200);
      // RFC 6749 §4.1.2: the code is single-use: the first instance refuses it now.
      await expectOAuthError(await exchange(first, app, c), 400, 'invalid_grant');
    }
    const c = await obtainCode(A, app, user);
    const t = await exchange(proxy, app, c);
    expect(t.status).toBe(200);
    const first = (await t.json()) as { access_token: string; refresh_token: string };
    // Refresh on B: the rotated-out refresh token is refused on A (RFC 9700 §4.14.2).
    const refreshed = await postToken(B, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, { id: app.clientId, secret: app.secret });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string };
    await expectOAuthError(await postToken(A, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, { id: app.clientId, secret: app.secret }), 400, 'invalid_grant');
    // RFC 7662 §2.2: active on both, and through the proxy (either).
    for (const on of [A, B, proxy]) expect(await (await introspect(on, app, second.access_token)).json()).toMatchObject({ active: true, client_id: app.clientId, username: user.username });
    // RFC 7009 §2.1: revoked on A, inactive everywhere at once.
    const rv = await fetch(`${A.url}/o/revoke_token/`, { method: 'POST', headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: form({ token: second.access_token }) });
    expect(rv.status).toBe(200);
    const after = await Promise.all([B, proxy, proxy].map((on) => introspect(on, app, second.access_token)));
    for (const r of after) expect(await r.json()).toEqual({ active: false });
  });

  it('a regenerated client secret: the old one is refused by both instances within one second, the new one accepted', async () => {
    const owner = await makeUser({ isStaff: true });
    const app = await makeApp({ grantTypes: ['client_credentials'], redirectUris: [], userId: owner.id });
    // Both instances have the client cached and its secret verified.
    for (const on of [A, B, A, B]) expect((await clientCredentials(on, app.clientId, app.secret)).status).toBe(200);
    const r = await regenerateSecret(app.id, { id: owner.id, isStaff: true });
    const since = Date.now(); // the edit is committed and announced
    expect(r.ok).toBe(true);
    for (const on of [A, B]) await seenWithin(since, `old secret on instance ${on.upstream}`, async () => (await clientCredentials(on, app.clientId, app.secret)).status === 401);
    const fresh = r.ok ? r.plainSecret : '';
    for (const on of [A, B]) expect((await clientCredentials(on, app.clientId, fresh)).status).toBe(200);
  });

  it('RFC 6749 §3.1.2.3: an edited redirect URI: the removed one is refused by both instances within one second, the new one served', async () => {
    const owner = await makeUser({ isStaff: true });
    const app = await makeApp({ skipAuthorization: true, userId: owner.id });
    const { cookie } = await loginSession(owner);
    for (const on of [A, B]) redirectParams(await getAuthorize(on, codeParams(app).params, cookie));
    const moved = 'https://app.example.com/callback';
    const r = await updateApplication(
      app.id,
      { name: app.name, clientId: undefined, clientType: 'confidential', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [moved], postLogoutRedirectUris: [], allowedOrigins: [], algorithm: '', hashClientSecret: true, skipAuthorization: true, owner: undefined, clientSecret: '', allowedScopes: null, scopePolicy: 'refuse' },
      { id: owner.id, isStaff: true },
    );
    const since = Date.now(); // the edit is committed and announced
    expect(r.ok, JSON.stringify(r)).toBe(true);
    // The old redirect URI is no longer registered: the error page, never a redirect to it.
    for (const on of [A, B]) await seenWithin(since, `old redirect URI on ${on.upstream}`, async () => (await getAuthorize(on, codeParams(app).params, cookie)).status === 400);
    for (const on of [A, B]) redirectParams(await getAuthorize(on, codeParams(app, { redirect_uri: moved }).params, cookie), moved);
  });

  it('OIDC Core §10.1.1: a rotated signing key signs the ID tokens of both instances and is in both JWKS within one second', async () => {
    const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    const user = await makeUser();
    const idTokenKid = async (on: Instance) => {
      const c = await obtainCode(on, app, user, { scope: 'openid' });
      const r = await exchange(on, app, c);
      const body = (await r.json()) as { id_token: string };
      return decodeProtectedHeader(body.id_token).kid;
    };
    const jwksKids = async (on: Instance) => ((await (await fetch(`${on.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await idTokenKid(A);
    expect(await idTokenKid(B)).toBe(before);
    const { kid } = await rotateSigningKey();
    const since = Date.now(); // the new key is committed and announced
    expect(kid).not.toBe(before);
    for (const on of [A, B]) {
      await seenWithin(since, `new key in the JWKS of ${on.upstream}`, async () => (await jwksKids(on)).includes(kid));
      expect(await idTokenKid(on)).toBe(kid);
      expect(await jwksKids(on)).toContain(before); // still published for the ID tokens it signed
    }
  });

  it('a session logged in on one instance serves the other; logged out on one, refused by both', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const user = await makeUser();
    const cookie = await logIn(A, B, user.username, user.password);
    for (const on of [A, B, proxy]) redirectParams(await getAuthorize(on, codeParams(app).params, cookie));
    // Log out on B (next-auth's sign-out ends the server-side session).
    const csrf = await fetch(`${B.url}/accounts/auth/csrf`, { headers: { cookie } });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const jar = [cookie, ...csrf.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
    const out = await fetch(`${B.url}/accounts/auth/signout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ csrfToken }) });
    expect(out.status).toBe(303);
    // The old cookie on A: sent to the login page, no code.
    for (const on of [A, B]) {
      const r = await getAuthorize(on, codeParams(app).params, cookie);
      expect(r.status).toBe(302);
      expect(new URL(r.headers.get('location')!, cluster.url).pathname).toBe('/accounts/login/');
    }
  });

  it('a deactivated user: their tokens, refresh tokens and session are refused by both instances', async () => {
    const staff = await makeUser({ isStaff: true });
    const app = await makeApp({ skipAuthorization: true });
    const user = await makeUser();
    const cookie = await logIn(B, A, user.username, user.password);
    const tokens = (await (await exchange(A, app, await obtainCode(B, app, user))).json()) as { access_token: string; refresh_token: string };
    expect((await setUserActive({ id: staff.id, isStaff: true }, user.id, false)).ok).toBe(true);
    for (const on of [A, B]) {
      expect(await (await introspect(on, app, tokens.access_token)).json()).toEqual({ active: false });
      const api = await fetch(`${on.url}/api/hello`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(api.status).toBe(401);
      await expectOAuthError(await postToken(on, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { id: app.clientId, secret: app.secret }), 400, 'invalid_grant');
      const r = await getAuthorize(on, codeParams(app).params, cookie);
      expect(new URL(r.headers.get('location')!, cluster.url).pathname).toBe('/accounts/login/');
    }
  });

  it('rate limits: failures on one instance block the other; the source is the address nginx appends to X-Forwarded-For, never one the client wrote', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'], redirectUris: [] });
    const limit = Number(settings.RATE_LIMIT_MAX_FAILURES);
    // One failure on A, one on B, the rest through the proxy: all from this machine (127.0.0.1).
    const targets: Target[] = [A, B, ...Array.from({ length: limit - 2 }, () => proxy)];
    for (const on of targets) expect((await clientCredentials(on, app.clientId, 'wrong secret')).status).toBe(401);
    // The right secret now: 429 with Retry-After from both, and through the proxy whatever the client claims to be.
    for (const on of [A, B]) {
      const r = await clientCredentials(on, app.clientId, app.secret);
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const spoofed = await Promise.all([1, 2].map(() => clientCredentials(proxy, app.clientId, app.secret, { 'x-forwarded-for': '198.51.100.7' })));
    expect(spoofed.map((r) => r.status)).toEqual([429, 429]);
    expect(upstreams(spoofed)).toEqual(new Set([A.upstream, B.upstream]));
    // Another client behind the proxy (the address the proxy appended): its own budget, on both.
    for (const on of [A, B]) expect((await clientCredentials(on, app.clientId, app.secret, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200);
  });

  it('consent given on one instance (the consent form, a server action) is honoured by the other', async () => {
    const app = await makeApp({ skipAuthorization: false });
    const user = await makeUser();
    const cookie = await logIn(B, A, user.username, user.password);
    const { verifier, params } = codeParams(app);
    const ask = await getAuthorize(A, params, cookie);
    expect(ask.status).toBe(302);
    const consentPath = ask.headers.get('location')!;
    expect(new URL(consentPath, cluster.url).pathname).toBe('/o/authorize/consent/');
    // The consent page from B; its form posted to A, as a browser without JavaScript sends it.
    const page = await fetch(new URL(consentPath, B.url), { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const body = new FormData();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) body.append(m[1], m[2].replace(/&amp;/g, '&'));
    for (const m of html.matchAll(/<input type="hidden" name="(\$ACTION_ID_[^"]+)"\/?>/g)) body.append(m[1], '');
    // The scopes a browser submits: the checked, enabled checkboxes (the user unchecked none).
    for (const [tag] of html.matchAll(/<input [^>]*type="checkbox"[^>]*>/g)) {
      const value = /value="([^"]*)"/.exec(tag)?.[1];
      if (/ name="scope"/.test(tag) && / checked=""/.test(tag) && !/ disabled=""/.test(tag) && value !== undefined) body.append('scope', value);
    }
    body.append('decision', 'allow');
    const decided = await fetch(new URL(consentPath, A.url), {
      method: 'POST',
      redirect: 'manual',
      // fetch sets Host itself (A's address); the public host goes where a proxy would say it.
      headers: { cookie, origin: cluster.url, 'x-forwarded-host': new URL(cluster.url).host },
      body,
    });
    expect(decided.status, await decided.clone().text()).toBe(303);
    const code = redirectParams(new Response(null, { status: 302, headers: { location: decided.headers.get('location')! } })).get('code')!;
    const t = await exchange(proxy, app, { code, verifier, params: new URLSearchParams() });
    expect(t.status).toBe(200);
    // The consent is remembered: B answers the next request at once, with a code.
    redirectParams(await getAuthorize(B, codeParams(app).params, cookie));
  });
});
