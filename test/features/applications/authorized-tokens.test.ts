// /o/authorized_tokens/: the lib functions its page and Revoke action call, with tokens obtained
// through the real authorization code flow over HTTP, and the database state afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, loginSession, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit } from '@/lib/db/queries/audit';
import { randomToken, sha256b64url } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { authorizeOutcome, giveConsent } from '@/test/helpers/codeflow';
import { AuthorizationNotFoundError, listMyAuthorizedApps, revokeMyAuthorizedApp } from '@/lib/admin/authorized';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

type User = Awaited<ReturnType<typeof makeUser>>;
type App = Awaited<ReturnType<typeof makeApp>>;

const tokenPost = (app: App, params: Record<string, string>) =>
  fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form(params),
  });

/** Gets a code the way a browser does: the consent page (here: its action's lib function) then the redirect. */
async function getCode(user: User, app: App, scope = 'read write'): Promise<{ code: string; verifier: string }> {
  const verifier = randomToken();
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, scope, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 's' });
  const url = new URL(`/o/authorize/?${q}`, srv.url);
  // With remembered consent the door redirects with a code at once; otherwise the consent page decides.
  const login = await loginSession(user);
  const first = await fetch(url, { headers: { cookie: login.cookie }, redirect: 'manual' });
  let location = first.headers.get('location')!;
  if (!location.startsWith(POSTMAN_CALLBACK)) {
    const outcome = await giveConsent(srv, url, login, 'allow');
    if (outcome.kind !== 'redirect') throw new Error(`expected a redirect, got ${outcome.kind}`);
    location = outcome.location;
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier };
}

async function authorizeApp(user: User, app: App, scope = 'read write') {
  const { code, verifier } = await getCode(user, app, scope);
  const r = await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier });
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body as { access_token: string; refresh_token?: string; scope: string };
}

const hello = (accessToken: string) => fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${accessToken}` } });
const refresh = (app: App, refreshToken: string) => tokenPost(app, { grant_type: 'refresh_token', refresh_token: refreshToken });

async function accessRevoked(token: string): Promise<boolean> {
  const [r] = await query<{ revoked: boolean }>(sql`SELECT revoked_at IS NOT NULL AS revoked FROM access_tokens WHERE token_hash = ${sha256b64url(token)}`);
  return r.revoked;
}

describe('listing authorized applications', () => {
  it("shows each authorized application with its scopes, grant time, last use and expiry", async () => {
    const owner = await makeUser({ username: `owner_${Date.now()}` });
    const user = await makeUser();
    const notes = await makeApp({ name: 'Notes', userId: owner.id });
    const cli = await makeApp({ name: 'CLI', grantTypes: ['authorization_code'] });
    const before = Date.now() - 1000;
    const t1 = await authorizeApp(user, notes, 'read');
    await authorizeApp(user, cli, 'read write');

    const list = await listMyAuthorizedApps({ id: user.id });
    expect(list.map((a) => a.name)).toEqual(['CLI', 'Notes']);
    const n = list.find((a) => a.name === 'Notes')!;
    expect(n).toMatchObject({ applicationId: notes.id, ownerUsername: owner.username, scopes: ['read'], neverExpires: true, expiresAt: null });
    expect(n.grantedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(n.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(n.grantedAt!.getTime() - 1000);
    // No refresh token (the app lacks the grant): it expires with its access token.
    const c = list.find((a) => a.name === 'CLI')!;
    expect(c.neverExpires).toBe(false);
    expect(c.scopes.sort()).toEqual(['read', 'write']);
    const [exp] = await query<{ e: string }>(sql`SELECT max(expires_at) AS e FROM access_tokens WHERE application_id = ${cli.id} AND user_id = ${user.id}`);
    expect(c.expiresAt!.getTime()).toBe(new Date(exp.e).getTime());

    // Using the refresh token moves "last used".
    const usedBefore = n.lastUsedAt!;
    await new Promise((r) => setTimeout(r, 20));
    expect((await refresh(notes, t1.refresh_token!)).status).toBe(200);
    const after = (await listMyAuthorizedApps({ id: user.id })).find((a) => a.name === 'Notes')!;
    expect(after.lastUsedAt!.getTime()).toBeGreaterThan(usedBefore.getTime());
  });

  it('"Last used" stays after the tokens are revoked at /o/revoke_token/ (RFC 7009 §2.1): the issuance was recorded on the consent', async () => {
    const user = await makeUser();
    const app = await makeApp({ name: 'Revoked later' });
    const before = Date.now() - 1000;
    const t = await authorizeApp(user, app, 'read');
    const revoked = await fetch(`${srv.url}/o/revoke_token/`, {
      method: 'POST',
      headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token: t.refresh_token!, token_type_hint: 'refresh_token' }),
    });
    expect(revoked.status).toBe(200);
    expect(await accessRevoked(t.access_token)).toBe(true);
    const [entry] = await listMyAuthorizedApps({ id: user.id });
    expect(entry).toMatchObject({ name: 'Revoked later', liveTokens: 0 });
    expect(entry.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('lists an application that holds live tokens without a stored consent (skip authorization)', async () => {
    const user = await makeUser();
    const app = await makeApp({ name: 'Trusted', skipAuthorization: true });
    await authorizeApp(user, app);
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${user.id}`)).toHaveLength(0);
    const list = await listMyAuthorizedApps({ id: user.id });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'Trusted', scopes: ['read', 'write'] });
    expect(list[0].grantedAt).not.toBeNull();
  });

  it("never lists another user's authorizations", async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    await authorizeApp(alice, await makeApp({ name: 'Alice only' }));
    expect(await listMyAuthorizedApps({ id: bob.id })).toEqual([]);
  });
});

describe('revoking an authorized application', () => {
  it("revokes that user's access and refresh tokens and consent; other users' tokens stay valid (RFC 7009 §2.1)", async () => {
    const app = await makeApp({ name: 'Shared' });
    const alice = await makeUser();
    const bob = await makeUser();
    const a1 = await authorizeApp(alice, app);
    const a2 = await authorizeApp(alice, app); // a second device: two families
    const b = await authorizeApp(bob, app);

    for (const t of [a1, a2, b]) expect((await hello(t.access_token)).status).toBe(200);
    const r = await revokeMyAuthorizedApp({ id: alice.id, ip: '203.0.113.9' }, app.id);
    expect(r).toMatchObject({ consent: true, accessTokens: 2, refreshTokens: 2 });

    // Alice's tokens are dead: the API refuses them, refresh fails, access tokens are revoked.
    for (const t of [a1, a2]) {
      const api = await hello(t.access_token);
      expect(api.status).toBe(401);
      expect(api.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
      const res = await refresh(app, t.refresh_token!);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('invalid_grant');
      expect(await accessRevoked(t.access_token)).toBe(true);
    }
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${alice.id}`)).toHaveLength(0);
    expect(await query(sql`SELECT 1 FROM refresh_tokens WHERE user_id = ${alice.id} AND revoked_at IS NULL`)).toHaveLength(0);
    expect(await listMyAuthorizedApps({ id: alice.id })).toEqual([]);

    // Bob's are untouched.
    expect(await accessRevoked(b.access_token)).toBe(false);
    expect((await hello(b.access_token)).status).toBe(200);
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${bob.id}`)).toHaveLength(1);
    expect((await refresh(app, b.refresh_token!)).status).toBe(200);

    await flushAudit();
    const ev = await query<{ ip: string; detail: Record<string, unknown> }>(
      sql`SELECT ip, detail FROM audit_events WHERE type = 'consent.revoked' AND actor_user_id = ${alice.id} AND application_id = ${app.id}`,
    );
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ ip: '203.0.113.9', detail: { access_tokens: 2, refresh_tokens: 2 } });
  });

  it('asks for consent again after a revoke', async () => {
    const app = await makeApp();
    const user = await makeUser();
    await authorizeApp(user, app);
    await revokeMyAuthorizedApp({ id: user.id }, app.id);
    const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(randomToken()), code_challenge_method: 'S256' });
    const outcome = await authorizeOutcome({ url: new URL(`/o/authorize/?${q}`, srv.url), session: (await loginSession(user)).session, ip: '127.0.0.1' });
    // The consent page of the request, kept as a pending request.
    expect(outcome.kind === 'redirect' && outcome.location).toMatch(/^\/o\/authorize\/consent\/\?pending=[A-Za-z0-9_-]{43}$/);
  });

  it('voids an authorization code issued before the revoke', async () => {
    const app = await makeApp();
    const user = await makeUser();
    const { code, verifier } = await getCode(user, app);
    await revokeMyAuthorizedApp({ id: user.id }, app.id);
    const r = await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_grant');
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE user_id = ${user.id}`)).toHaveLength(0);
  });

  it("answers not found for another user's grant and changes nothing", async () => {
    const app = await makeApp();
    const alice = await makeUser();
    const mallory = await makeUser();
    const t = await authorizeApp(alice, app);
    await expect(revokeMyAuthorizedApp({ id: mallory.id }, app.id)).rejects.toBeInstanceOf(AuthorizationNotFoundError);
    await expect(revokeMyAuthorizedApp({ id: mallory.id }, 987654)).rejects.toBeInstanceOf(AuthorizationNotFoundError);
    await expect(revokeMyAuthorizedApp({ id: mallory.id }, -1)).rejects.toBeInstanceOf(AuthorizationNotFoundError);
    expect(await accessRevoked(t.access_token)).toBe(false);
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${alice.id}`)).toHaveLength(1);
    expect((await refresh(app, t.refresh_token!)).status).toBe(200);
  });

  it('answers not found to a second revoke of the same application', async () => {
    const app = await makeApp();
    const user = await makeUser();
    await authorizeApp(user, app);
    await revokeMyAuthorizedApp({ id: user.id }, app.id);
    await expect(revokeMyAuthorizedApp({ id: user.id }, app.id)).rejects.toBeInstanceOf(AuthorizationNotFoundError);
  });
});
