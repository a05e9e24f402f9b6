// Deactivating a user suspends the applications they own, at every door: client authentication
// (token endpoint), the authorization endpoint, protected APIs, introspection and UserInfo refuse
// them and their tokens; reactivating the user restores them. Suspension is derived from the
// owner's is_active (lib/db/queries/clients.ts), so there is no flag to forget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { randomToken } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import * as admin from '@/lib/admin/service';
import type { StaffActor } from '@/lib/admin/service';
import { parseAppFilters, parseUserFilters } from '@/lib/admin/schema';
import { settings } from './settings';

let srv: TestServer;
let staff: StaffActor;
beforeAll(async () => {
  srv = await startTestServer(settings);
  const s = await makeUser({ isStaff: true });
  staff = { id: s.id, isStaff: true, ip: '192.0.2.1' };
});
afterAll(async () => srv?.close());

type App = Awaited<ReturnType<typeof makeApp>>;
type Tokens = { access_token: string; refresh_token: string };

const tokenPost = (app: Pick<App, 'clientId' | 'secret'>, params: Record<string, string>) =>
  fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form(params),
  });

function authorizeUrl(app: App, verifier = randomToken()) {
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', scope: 'openid read' });
  return `${srv.url}/o/authorize/?${q}`;
}

/** Code flow through the real door (the app skips the consent screen), then the token endpoint. */
async function userTokens(user: Awaited<ReturnType<typeof makeUser>>, app: App): Promise<Tokens> {
  const verifier = randomToken();
  const r = await fetch(authorizeUrl(app, verifier), { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  expect(r.status).toBe(302);
  const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
  const t = await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier });
  expect(t.status).toBe(200);
  return t.json();
}

const hello = (token: string) => fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${token}` } });
const userinfo = (token: string) => fetch(`${srv.url}/o/userinfo/`, { headers: { authorization: `Bearer ${token}` } });
const introspect = (caller: App, token: string) => tokenPostTo('/o/introspect/', caller, { token });
const tokenPostTo = (path: string, app: App, params: Record<string, string>) =>
  fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form(params),
  });

interface World {
  owner: Awaited<ReturnType<typeof makeUser>>;
  user: Awaited<ReturnType<typeof makeUser>>;
  app: App;
  /** An application without an owner, used as a resource server that introspects. */
  resourceServer: App;
  userToken: Tokens;
  clientToken: string;
}

/** An owned application with a user's tokens and a client-credentials token, all used once (so cached). */
async function world(): Promise<World> {
  const owner = await makeUser();
  const user = await makeUser();
  const app = await makeApp({
    userId: owner.id,
    skipAuthorization: true,
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  });
  const resourceServer = await makeApp({ grantTypes: ['client_credentials'], redirectUris: [] });
  const userToken = await userTokens(user, app);
  const cc = await tokenPost(app, { grant_type: 'client_credentials', scope: 'read' });
  expect(cc.status).toBe(200);
  const clientToken = ((await cc.json()) as { access_token: string }).access_token;
  expect((await hello(clientToken)).status).toBe(200);
  return { owner, user, app, resourceServer, userToken, clientToken };
}

async function expectSuspendedClient(r: Response) {
  expect(r.status).toBe(401);
  expect(await r.json()).toEqual({ error: 'invalid_client', error_description: 'This application is suspended.' });
}

describe('a deactivated user’s applications are suspended (OWASP Authorization: deny by default)', () => {
  it('token endpoint: client authentication answers invalid_client "This application is suspended" for every grant', async () => {
    const w = await world();
    await admin.setUserActive(staff, w.owner.id, false);
    await expectSuspendedClient(await tokenPost(w.app, { grant_type: 'client_credentials' }));
    await expectSuspendedClient(await tokenPost(w.app, { grant_type: 'refresh_token', refresh_token: w.userToken.refresh_token }));
    // A wrong secret is still just a wrong secret.
    const wrong = await tokenPost({ clientId: w.app.clientId, secret: 'wrong' }, { grant_type: 'client_credentials' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error_description).not.toMatch(/suspended/);
  });

  it('authorization endpoint: an error page saying the application is suspended, never a code', async () => {
    const w = await world();
    await admin.setUserActive(staff, w.owner.id, false);
    const r = await fetch(authorizeUrl(w.app), { headers: { cookie: await sessionCookie(w.user) }, redirect: 'manual' });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('location')).toBeNull();
    const html = await r.text();
    expect(html).toContain('Application suspended');
    expect(html).toContain('is suspended');
  });

  it('/api/*: tokens already issued to the application are refused (RFC 6750 invalid_token)', async () => {
    const w = await world();
    await admin.setUserActive(staff, w.owner.id, false);
    for (const t of [w.clientToken, w.userToken.access_token]) {
      const r = await hello(t);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    }
  });

  it('introspection (RFC 7662 §2.2): the application’s tokens are not active; the suspended application cannot introspect', async () => {
    const w = await world();
    await admin.setUserActive(staff, w.owner.id, false);
    for (const t of [w.clientToken, w.userToken.access_token]) {
      const r = await introspect(w.resourceServer, t);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ active: false });
    }
    await expectSuspendedClient(await introspect(w.app, w.userToken.refresh_token));
  });

  it('UserInfo (OIDC Core §5.3.3): the application’s tokens are refused', async () => {
    const w = await world();
    expect((await userinfo(w.userToken.access_token)).status).toBe(200);
    await admin.setUserActive(staff, w.owner.id, false);
    const r = await userinfo(w.userToken.access_token);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('reactivating the owner restores the application and the tokens issued to it, at every door', async () => {
    const w = await world();
    await admin.setUserActive(staff, w.owner.id, false);
    await expectSuspendedClient(await tokenPost(w.app, { grant_type: 'client_credentials' }));
    expect((await admin.setUserActive(staff, w.owner.id, true)).ok).toBe(true);
    expect((await tokenPost(w.app, { grant_type: 'client_credentials' })).status).toBe(200);
    expect((await hello(w.clientToken)).status).toBe(200);
    expect((await hello(w.userToken.access_token)).status).toBe(200);
    expect((await userinfo(w.userToken.access_token)).status).toBe(200);
    expect(await (await introspect(w.resourceServer, w.userToken.access_token)).json()).toMatchObject({ active: true, client_id: w.app.clientId });
    const refreshed = await tokenPost(w.app, { grant_type: 'refresh_token', refresh_token: w.userToken.refresh_token });
    expect(refreshed.status).toBe(200);
    const a = await fetch(authorizeUrl(w.app), { headers: { cookie: await sessionCookie(w.user) }, redirect: 'manual' });
    expect(a.status).toBe(302);
    expect(new URL(a.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('applications without an owner, and other users’ applications, are not suspended', async () => {
    const w = await world();
    const bystander = await makeUser();
    const theirs = await makeApp({ userId: bystander.id, grantTypes: ['client_credentials'], redirectUris: [] });
    await admin.setUserActive(staff, w.owner.id, false);
    expect((await tokenPost(w.resourceServer, { grant_type: 'client_credentials' })).status).toBe(200);
    expect((await tokenPost(theirs, { grant_type: 'client_credentials' })).status).toBe(200);
  });

  it('admin: the application list and page say "Suspended (owner inactive)", and the user list shows their applications as suspended', async () => {
    const w = await world();
    const r = await admin.setUserActive(staff, w.owner.id, false);
    expect(r).toMatchObject({ ok: true, message: expect.stringContaining('Applications suspended: 1.') });
    const list = await admin.listApplications(staff, parseAppFilters({ q: w.app.clientId }));
    expect(list.rows.map((a) => [a.id, a.suspended])).toEqual([[w.app.id, true]]);
    expect((await admin.getApplicationForAdmin(staff, w.app.id)).suspended).toBe(true);
    expect((await admin.getApplicationForAdmin(staff, w.resourceServer.id)).suspended).toBe(false);
    const users = await admin.listUsers(staff, parseUserFilters({ q: w.owner.username }));
    expect(users.rows.map((u) => [u.id, u.isActive, u.applications])).toEqual([[w.owner.id, false, [{ id: w.app.id, name: w.app.name, suspended: true }]]]);

    expect(await admin.setUserActive(staff, w.owner.id, true)).toMatchObject({ ok: true, message: 'User activated. Applications restored: 1.' });
    expect((await admin.listApplications(staff, parseAppFilters({ q: w.app.clientId }))).rows[0].suspended).toBe(false);
    expect((await admin.listUsers(staff, parseUserFilters({ q: w.owner.username }))).rows[0].applications).toEqual([{ id: w.app.id, name: w.app.name, suspended: false }]);
  });
});
