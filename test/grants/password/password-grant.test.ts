// RFC 6749 §4.3: the legacy password grant, off unless ALLOW_PASSWORD_GRANT is on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { withSettings } from '@/test/helpers/settings';
import { basic, form, makeApp, makeUser } from '@/test/helpers/fixtures';
import { getDb } from '@/lib/db';
import { accessTokens, auditEvents, rateLimits, refreshTokens } from '@/lib/db/schema';
import { flushAudit } from '@/lib/db/queries/audit';
import { sha256b64url } from '@/lib/oauth/random';
import { loginKeys } from '@/lib/rate-limits';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, RATE_LIMIT_MAX_FAILURES: '3', ALLOW_PASSWORD_GRANT: 'true' });
});
afterAll(async () => srv?.close());

beforeEach(async () => {
  // The per-IP login budget is shared by every test here (all from 127.0.0.1).
  await (await getDb()).delete(rateLimits);
});

const pwApp = (over: Parameters<typeof makeApp>[0] = {}) => makeApp({ grantTypes: ['password', 'refresh_token'], redirectUris: [], ...over });

function token(app: { clientId: string; secret: string }, body: Record<string, string | undefined>) {
  return fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
    body: form({ grant_type: 'password', ...body }),
  });
}

describe('password grant (RFC 6749 §4.3)', () => {
  it('is refused with unsupported_grant_type while ALLOW_PASSWORD_GRANT is off (the default)', async () => {
    // Unset: the default.
    await withSettings({ ALLOW_PASSWORD_GRANT: undefined }, async () => {
      const user = await makeUser();
      const app = await pwApp();
      const r = await token(app, { username: user.username, password: user.password });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe('unsupported_grant_type');
      expect(await (await getDb()).select().from(accessTokens).where(eq(accessTokens.applicationId, app.id))).toHaveLength(0);
    });
  });

  it('issues an access and a refresh token for the right password when allowed (§4.3.3)', async () => {
    const user = await makeUser();
    const app = await pwApp();
    const r = await token(app, { username: user.username.toUpperCase(), password: user.password, scope: 'read' });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: expect.any(String) });
    const db = await getDb();
    const [at] = await db.select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(at).toMatchObject({ userId: user.id, applicationId: app.id, grantType: 'password', scope: 'read' });
    const [rt] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(body.refresh_token)));
    expect(rt).toMatchObject({ userId: user.id, familyId: at.familyId });
    await flushAudit();
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.type, 'login.success'), eq(auditEvents.actorUserId, user.id)));
    expect(events[0]?.detail).toEqual({ via: 'password_grant' });
    // The token works at the API.
    const hello = await fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect((await hello.json()).message).toBe(`Hello, ${user.username}!`);
  });

  it('issues no refresh token when the application lacks the refresh_token grant', async () => {
    const user = await makeUser();
    const app = await pwApp({ grantTypes: ['password'] });
    const body = await (await token(app, { username: user.username, password: user.password })).json();
    expect(body.access_token).toBeTruthy();
    expect(body.scope).toBe('read write');
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('refuses an application without the password grant with unauthorized_client (§5.2)', async () => {
    const user = await makeUser();
    const app = await makeApp({ grantTypes: ['authorization_code', 'client_credentials'] });
    const r = await token(app, { username: user.username, password: user.password });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('unauthorized_client');
  });

  it('refuses a public client (the grant needs client authentication here)', async () => {
    const user = await makeUser();
    const app = await pwApp({ clientType: 'public' });
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'password', client_id: app.clientId, username: user.username, password: user.password }),
    });
    expect(r.status).toBe(400); // RFC 6749 §5.2: no Authorization header, no challenge
    expect((await r.json()).error).toBe('invalid_client');
  });

  it('answers invalid_grant alike for a wrong password and an unknown user, and audits the failure (§5.2)', async () => {
    const user = await makeUser();
    const app = await pwApp();
    const wrong = await token(app, { username: user.username, password: 'not the password' });
    const unknown = await token(app, { username: 'nobody_' + user.username, password: 'whatever' });
    const a = await wrong.json();
    const b = await unknown.json();
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(a).toEqual({ error: 'invalid_grant', error_description: 'The username or password is incorrect.' });
    expect(b).toEqual(a);
    await flushAudit();
    const failures = await (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.type, 'login.failure'), eq(auditEvents.actorLabel, user.username)));
    expect(failures).toHaveLength(1);
    expect(failures[0].applicationId).toBe(app.id);
  });

  it('refuses a deactivated user with invalid_grant', async () => {
    const user = await makeUser({ isActive: false });
    const app = await pwApp();
    const r = await token(app, { username: user.username, password: user.password });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_grant');
  });

  it('requires username and password (§4.3.2)', async () => {
    const app = await pwApp();
    const r = await token(app, { password: 'x' });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'invalid_request', error_description: "The parameter 'username' is missing." });
  });

  it('is rate-limited like login: after the allowed failures from a source even the right password waits (429, Retry-After)', async () => {
    const user = await makeUser();
    const app = await pwApp();
    for (let i = 0; i < 3; i++) expect((await token(app, { username: user.username, password: `wrong ${i}` })).status).toBe(400);
    const r = await token(app, { username: user.username, password: user.password });
    expect(r.status).toBe(429);
    // Retry-After: the rest of the 300 s window.
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(290);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(300);
    expect((await r.json()).error).toBe('temporarily_unavailable');
    // The same counter as the login form's, per (account, source); every attempt is counted before
    // the check (the three failures and the refused one), so parallel bursts cannot slip past it.
    const rows = await (await getDb()).select().from(rateLimits).where(eq(rateLimits.key, loginKeys(user.username, '127.0.0.1').pair));
    expect(rows[0]?.count).toBe(4);
  });
});
