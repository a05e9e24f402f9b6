// The audit log: each security event the issue lists is written, with time, actor, application and
// IP, by the real code path (HTTP at the door, or the lib function a page's action calls).
// Logins (success and failure) go through next-auth, which runs only under Next.js here: the e2e
// spec e2e/admin.spec.ts checks them on the admin's audit page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, loginSession, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit } from '@/lib/db/queries/audit';
import { randomToken } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { giveConsent } from '@/test/helpers/codeflow';
import { revokeMyAuthorizedApp } from '@/lib/admin/authorized';
import { decideDevice, enterUserCode } from '@/lib/oauth/device';
import * as admin from '@/lib/admin/service';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
type App = Awaited<ReturnType<typeof makeApp>>;

const post = (path: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(params) });
const tokenPost = (app: App, params: Record<string, string | undefined>) => post('/o/token/', params, { authorization: basic(app.clientId, app.secret) });

type Ev = {
  type: string;
  at: Date;
  actor_user_id: string | null;
  actor_label: string | null;
  application_id: number | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
};

async function events(where: { type: string; applicationId?: number }): Promise<Ev[]> {
  await flushAudit();
  const rows = await query<Ev>(sql`
    SELECT type, at, actor_user_id, actor_label, application_id::int AS application_id, ip, detail FROM audit_events
    WHERE type = ${where.type} AND (${where.applicationId ?? null}::bigint IS NULL OR application_id = ${where.applicationId ?? null}::bigint)
    ORDER BY id`);
  return rows.map((r) => ({ ...r, at: new Date(r.at) }));
}

const consentUrl = (app: App, verifier: string, extra: Record<string, string> = {}) =>
  new URL(
    `/o/authorize/?${new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', ...extra })}`,
    srv.url,
  );

describe('audit events', () => {
  it('consent granted and denied (the consent form), with the user, application and IP', async () => {
    const user = await makeUser();
    const app = await makeApp();
    const login = await loginSession(user);
    const before = Date.now() - 1000;
    await giveConsent(srv, consentUrl(app, randomToken()), login, 'allow', '198.51.100.7');
    // prompt=consent: the approval just remembered would answer at once otherwise.
    await giveConsent(srv, consentUrl(app, randomToken(), { prompt: 'consent' }), login, 'deny', '198.51.100.8');
    const [granted] = await events({ type: 'consent.granted', applicationId: app.id });
    expect(granted).toMatchObject({ actor_user_id: user.id, ip: '198.51.100.7', detail: { scope: 'read write' } });
    expect(granted.at.getTime()).toBeGreaterThanOrEqual(before);
    const [denied] = await events({ type: 'consent.denied', applicationId: app.id });
    expect(denied).toMatchObject({ actor_user_id: user.id, ip: '198.51.100.8' });
  });

  it('token issuance, by grant type: authorization_code, refresh_token, client_credentials, device_code', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT] });
    const verifier = randomToken();
    const r = await fetch(consentUrl(app, verifier), { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
    const t = await (await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier })).json();
    expect((await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).status).toBe(200);
    expect((await tokenPost(app, { grant_type: 'client_credentials' })).status).toBe(200);
    const d = await (await post('/o/device-authorization/', {}, { authorization: basic(app.clientId, app.secret) })).json();
    await enterUserCode({ userId: user.id, ip: '198.51.100.9' }, d.user_code);
    await decideDevice({ userId: user.id, ip: '198.51.100.9' }, d.user_code, 'approve');
    expect((await tokenPost(app, { grant_type: DEVICE_GRANT, device_code: d.device_code })).status).toBe(200);

    const issued = await events({ type: 'token.issued', applicationId: app.id });
    expect(issued.map((e) => e.detail?.grant_type)).toEqual(['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT]);
    expect(issued.map((e) => e.actor_user_id)).toEqual([user.id, user.id, null, user.id]);
    expect(issued.every((e) => e.ip === '127.0.0.1')).toBe(true);
    const [approved] = await events({ type: 'device.approved', applicationId: app.id });
    expect(approved).toMatchObject({ actor_user_id: user.id, ip: '198.51.100.9' });
  });

  it('revocations: by the client (RFC 7009), by the user (Authorized apps) and by staff', async () => {
    const user = await makeUser();
    const staffUser = await makeUser({ isStaff: true });
    const app = await makeApp({ skipAuthorization: true });
    const getTokens = async () => {
      const verifier = randomToken();
      const r = await fetch(consentUrl(app, verifier), { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
      const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
      return (await (await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier })).json()) as {
        access_token: string;
        refresh_token: string;
      };
    };
    const t1 = await getTokens();
    expect((await post('/o/revoke_token/', { token: t1.refresh_token }, { authorization: basic(app.clientId, app.secret) })).status).toBe(200);
    const byClient = await events({ type: 'token.revoked', applicationId: app.id });
    expect(byClient).toHaveLength(1);
    expect(byClient[0].ip).toBe('127.0.0.1');

    await getTokens();
    await revokeMyAuthorizedApp({ id: user.id, ip: '203.0.113.5' }, app.id);
    const [byUser] = await events({ type: 'consent.revoked', applicationId: app.id });
    expect(byUser).toMatchObject({ actor_user_id: user.id, ip: '203.0.113.5', detail: { access_tokens: 1, refresh_tokens: 1 } });

    await getTokens();
    const list = await admin.listTokens({ id: staffUser.id, isStaff: true }, { kind: 'access', app: app.clientId, user: '', state: 'active' });
    expect(list.rows).toHaveLength(1);
    await admin.revokeTokens({ id: staffUser.id, isStaff: true, ip: '192.0.2.44' }, 'access', [list.rows[0].id]);
    const byStaff = (await events({ type: 'token.revoked' })).filter((e) => e.actor_user_id === staffUser.id);
    expect(byStaff).toHaveLength(1);
    expect(byStaff[0]).toMatchObject({ ip: '192.0.2.44', detail: { via: 'admin', kind: 'access', count: 1 } });
    const [action] = (await events({ type: 'admin.action' })).filter((e) => e.actor_user_id === staffUser.id);
    expect(action).toMatchObject({ ip: '192.0.2.44', detail: { action: 'tokens.revoked', count: 1 } });
  });

  it('secret resets, with the staff member as actor', async () => {
    const staffUser = await makeUser({ isStaff: true });
    const app = await makeApp();
    const r = await admin.resetApplicationSecret({ id: staffUser.id, isStaff: true, ip: '192.0.2.45' }, app.id);
    expect(r.ok).toBe(true);
    const [e] = await events({ type: 'application.secret_reset', applicationId: app.id });
    expect(e).toMatchObject({ actor_user_id: staffUser.id, ip: '192.0.2.45' });
    const [a] = await events({ type: 'admin.action', applicationId: app.id });
    expect(a).toMatchObject({ actor_user_id: staffUser.id, detail: { action: 'application.secret_reset' } });
  });

  it('refresh token reuse detected (RFC 9700 §4.14.2) and authorization code replayed (RFC 6749 §4.1.2)', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const verifier = randomToken();
    const r = await fetch(consentUrl(app, verifier), { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier };
    const t = await (await tokenPost(app, exchange)).json();
    expect((await tokenPost(app, exchange)).status).toBe(400);
    const [replayed] = await events({ type: 'code.replayed', applicationId: app.id });
    expect(replayed).toMatchObject({ actor_user_id: user.id, ip: '127.0.0.1' });

    // The replay revoked t's family; a second authorization for the reuse case.
    expect((await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).status).toBe(400);
    const v2 = randomToken();
    const r2 = await fetch(consentUrl(app, v2), { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    const code2 = new URL(r2.headers.get('location')!).searchParams.get('code')!;
    const u = await (await tokenPost(app, { grant_type: 'authorization_code', code: code2, redirect_uri: POSTMAN_CALLBACK, code_verifier: v2 })).json();
    const u2 = await (await tokenPost(app, { grant_type: 'refresh_token', refresh_token: u.refresh_token })).json();
    expect(u2.refresh_token).toBeTruthy();
    expect(await events({ type: 'refresh.reuse_detected', applicationId: app.id })).toHaveLength(0);
    // A reuse well after the rotation (not a concurrent race) signals theft.
    await query(sql`UPDATE refresh_tokens SET rotated_at = now() - interval '1 minute' WHERE rotated_at IS NOT NULL AND application_id = ${app.id}`);
    expect((await tokenPost(app, { grant_type: 'refresh_token', refresh_token: u.refresh_token })).status).toBe(400);
    const [reuse] = await events({ type: 'refresh.reuse_detected', applicationId: app.id });
    expect(reuse).toMatchObject({ actor_user_id: user.id, ip: '127.0.0.1' });
  });

  it('failed client authentication', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const r = await post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic(app.clientId, 'not-the-secret-not-the-secret-xx') });
    expect(r.status).toBe(401);
    const [e] = await events({ type: 'client.auth_failed', applicationId: app.id });
    expect(e.ip).toBe('127.0.0.1');
    expect(JSON.stringify(e.detail)).not.toContain('not-the-secret');
  });

  it('admin actions: user deactivation, staff changes and application deletion', async () => {
    const staffUser = await makeUser({ isStaff: true });
    const target = await makeUser();
    const actor = { id: staffUser.id, isStaff: true, ip: '192.0.2.46' };
    await admin.setUserActive(actor, target.id, false);
    await admin.setUserStaff(actor, target.id, true);
    const app = await makeApp();
    await admin.deleteApplicationAsAdmin(actor, app.id);
    const mine = (await events({ type: 'admin.action' })).filter((e) => e.actor_user_id === staffUser.id);
    expect(mine.map((e) => e.detail?.action)).toEqual(['user.deactivated', 'user.made_staff', 'application.deleted']);
    expect(mine.every((e) => e.ip === '192.0.2.46')).toBe(true);
    expect(mine[2].application_id).toBe(app.id);
    expect((await events({ type: 'application.deleted', applicationId: app.id })).length).toBe(1);
  });
});
