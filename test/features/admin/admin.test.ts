// The staff area's service (lib/admin/service.ts): its authorization checks (everyone but active
// staff gets "not found", which the pages and actions turn into a 404), and what each action does,
// checked over HTTP at the token endpoint and in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit } from '@/lib/db/queries/audit';
import { randomToken, sha256b64url } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import * as admin from '@/lib/admin/service';
import { checkPassword } from '@/lib/auth/check-password';
import { AdminNotFoundError, type StaffActor } from '@/lib/admin/service';
import { parseAuditFilters, parseTokenFilters, parseUserFilters, parseAppFilters, PAGE_SIZE } from '@/lib/admin/schema';
import { settings } from './settings';

let srv: TestServer;
let staff: StaffActor;
beforeAll(async () => {
  srv = await startTestServer(settings);
  const s = await makeUser({ username: 'boss', isStaff: true });
  staff = { id: s.id, isStaff: true, ip: '192.0.2.1' };
});
afterAll(async () => srv?.close());

type User = Awaited<ReturnType<typeof makeUser>>;
type App = Awaited<ReturnType<typeof makeApp>>;

const tokenPost = (app: App, params: Record<string, string>, secret = app.secret) =>
  fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { authorization: basic(app.clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form(params),
  });

/** Code flow through the real door (the app skips the consent screen), then the token endpoint. */
async function userTokens(user: User, app: App) {
  const verifier = randomToken();
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256' });
  const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  expect(r.status).toBe(302);
  const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
  const t = await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier });
  expect(t.status).toBe(200);
  return (await t.json()) as { access_token: string; refresh_token: string };
}

const trustedApp = (over: Parameters<typeof makeApp>[0] = {}) =>
  makeApp({ skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], ...over });

async function adminEvents(action: string) {
  await flushAudit();
  return query<{ actor_user_id: string; ip: string; application_id: number | null; detail: Record<string, unknown> }>(
    sql`SELECT actor_user_id, ip, application_id::int AS application_id, detail FROM audit_events WHERE type = 'admin.action' AND detail->>'action' = ${action} ORDER BY id`,
  );
}

describe('authorization: everyone but active staff gets not found', () => {
  it('refuses every admin function to a non-staff user, a forged staff claim, and deactivated staff', async () => {
    const plain = await makeUser();
    const formerStaff = await makeUser({ isStaff: true, isActive: false });
    const victim = await makeUser();
    const app = await trustedApp();
    const tokens = await userTokens(victim, app);
    const actors: Array<StaffActor | null> = [
      null,
      { id: plain.id, isStaff: false },
      { id: plain.id, isStaff: true }, // a stale or forged claim: the database says no
      { id: formerStaff.id, isStaff: true },
      { id: '00000000-0000-4000-8000-000000000000', isStaff: true },
    ];
    for (const actor of actors) {
      const calls: Array<() => Promise<unknown>> = [
        () => admin.listUsers(actor!, parseUserFilters({})),
        () => admin.setUserActive(actor!, victim.id, false),
        () => admin.setUserStaff(actor!, victim.id, true),
        () => admin.listApplications(actor!, parseAppFilters({})),
        () => admin.getApplicationForAdmin(actor!, app.id),
        () => admin.resetApplicationSecret(actor!, app.id),
        () => admin.deleteApplicationAsAdmin(actor!, app.id),
        () => admin.listTokens(actor!, parseTokenFilters({})),
        () => admin.revokeTokens(actor!, 'access', [1, 2, 3]),
        () => admin.listAuditEvents(actor!, parseAuditFilters({})),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(AdminNotFoundError);
    }
    // Nothing changed.
    const [v] = await query<{ is_active: boolean; is_staff: boolean }>(sql`SELECT is_active, is_staff FROM users WHERE id = ${victim.id}`);
    expect(v).toEqual({ is_active: true, is_staff: false });
    expect(await query(sql`SELECT 1 FROM applications WHERE id = ${app.id}`)).toHaveLength(1);
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE revoked_at IS NOT NULL`)).toHaveLength(0);
    expect((await tokenPost(app, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
    expect(await adminEvents('user.deactivated')).toHaveLength(0);
  });

  it('answers not found for unknown users and applications', async () => {
    await expect(admin.setUserActive(staff, '00000000-0000-4000-8000-000000000000', false)).rejects.toBeInstanceOf(AdminNotFoundError);
    await expect(admin.setUserStaff(staff, 'not-a-uuid', true)).rejects.toBeInstanceOf(AdminNotFoundError);
    await expect(admin.getApplicationForAdmin(staff, 999999)).rejects.toBeInstanceOf(AdminNotFoundError);
    await expect(admin.resetApplicationSecret(staff, 999999)).rejects.toBeInstanceOf(AdminNotFoundError);
    await expect(admin.deleteApplicationAsAdmin(staff, 999999)).rejects.toBeInstanceOf(AdminNotFoundError);
  });
});

describe('users', () => {
  it('lists users newest first, a page of 50 at a time, without gaps or repeats (keyset)', async () => {
    const made: string[] = [];
    for (let i = 0; i < 2 * PAGE_SIZE + 7; i++) made.push((await makeUser({ username: `pager_${String(i).padStart(3, '0')}` })).id);
    // Several users with the same created_at: the id breaks the tie.
    await query(sql`UPDATE users SET created_at = '2030-01-01T00:00:00Z' WHERE username LIKE 'pager_01%'`);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const p = await admin.listUsers(staff, parseUserFilters({ q: 'pager_', after }));
      expect(p.rows.length).toBeLessThanOrEqual(PAGE_SIZE);
      seen.push(...p.rows.map((r) => r.id));
      after = p.next ?? undefined;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(made.length);
    expect(new Set(seen)).toEqual(new Set(made));
    const all = await admin.listUsers(staff, parseUserFilters({ q: 'pager_' }));
    expect(all.rows.slice(0, 10).every((r) => r.username.startsWith('pager_01'))).toBe(true);
  });

  it('searches username and email case-insensitively, with % and _ taken literally', async () => {
    await makeUser({ username: 'Zelda_Search', email: 'zelda@hyrule.example' });
    await makeUser({ username: 'zeldaXsearch', email: 'other@example.com' });
    expect((await admin.listUsers(staff, parseUserFilters({ q: 'ZELDA_' }))).rows.map((r) => r.username)).toEqual(['Zelda_Search']);
    expect((await admin.listUsers(staff, parseUserFilters({ q: 'hyrule' }))).rows.map((r) => r.username)).toEqual(['Zelda_Search']);
    expect((await admin.listUsers(staff, parseUserFilters({ q: '%' }))).rows).toEqual([]);
  });

  it('canonical usernames: finds a user, their applications and their failed logins by any spelling of the username', async () => {
    const u = await makeUser({ username: 'Link_Spelling' });
    const app = await makeApp({ name: 'Spelling app', userId: u.id });
    const fullWidth = '\uFF2C\uFF29\uFF2E\uFF2B_\uFF33\uFF30\uFF25\uFF2C\uFF2C\uFF29\uFF2E\uFF27';
    expect((await admin.listUsers(staff, parseUserFilters({ q: fullWidth }))).rows.map((r) => r.id)).toEqual([u.id]);
    expect((await admin.listUsers(staff, parseUserFilters({ q: '\uFF4C\uFF49\uFF4E\uFF4B_' }))).rows.map((r) => r.id)).toEqual([u.id]);
    expect((await admin.listApplications(staff, parseAppFilters({ q: fullWidth }))).rows.map((r) => r.id)).toEqual([app.id]);
    await checkPassword('LINK_SPELLING', 'wrong', '192.0.2.77');
    await checkPassword('nobody_SPELLING', 'wrong', '192.0.2.77');
    await flushAudit();
    const mine = await admin.listAuditEvents(staff, parseAuditFilters({ type: 'login.failure', actor: fullWidth }));
    expect(mine.rows.map((r) => [r.actorLabel, r.ip])).toEqual([['link_spelling', '192.0.2.77']]);
    const nobody = await admin.listAuditEvents(staff, parseAuditFilters({ type: 'login.failure', actor: 'Nobody_Spelling' }));
    expect(nobody.rows.map((r) => r.actorLabel)).toEqual(['nobody_spelling']);
  });

  it('deactivating a user revokes all their tokens; activating lets them back in', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const app1 = await trustedApp();
    const app2 = await trustedApp();
    const t1 = await userTokens(user, app1);
    const t2 = await userTokens(user, app2);
    const o = await userTokens(other, app1);

    const r = await admin.setUserActive(staff, user.id, false);
    expect(r.ok).toBe(true);
    const [u] = await query<{ is_active: boolean }>(sql`SELECT is_active FROM users WHERE id = ${user.id}`);
    expect(u.is_active).toBe(false);
    for (const [app, t] of [[app1, t1], [app2, t2]] as const) {
      const res = await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('invalid_grant');
    }
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE user_id = ${user.id} AND revoked_at IS NULL`)).toHaveLength(0);
    // A deactivated user cannot authorize either.
    const q = new URLSearchParams({ response_type: 'code', client_id: app1.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(randomToken()), code_challenge_method: 'S256' });
    const a = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    expect(a.headers.get('location')).toMatch(/^\/accounts\/login\//);
    // Other users are untouched.
    expect((await tokenPost(app1, { grant_type: 'refresh_token', refresh_token: o.refresh_token })).status).toBe(200);

    const ev = await adminEvents('user.deactivated');
    expect(ev.at(-1)).toMatchObject({ actor_user_id: staff.id, ip: '192.0.2.1', detail: { user_id: user.id, revoked_access_tokens: 2, revoked_refresh_tokens: 2 } });

    expect((await admin.setUserActive(staff, user.id, true)).ok).toBe(true);
    const [u2] = await query<{ is_active: boolean }>(sql`SELECT is_active FROM users WHERE id = ${user.id}`);
    expect(u2.is_active).toBe(true);
    expect((await adminEvents('user.activated')).at(-1)!.detail).toMatchObject({ user_id: user.id });
  });

  it('makes a user staff and back, but staff cannot demote or deactivate themselves', async () => {
    const user = await makeUser();
    expect(await admin.setUserStaff(staff, user.id, true)).toMatchObject({ ok: true });
    const asNewStaff: StaffActor = { id: user.id, isStaff: true };
    expect((await admin.listUsers(asNewStaff, parseUserFilters({}))).rows.length).toBeGreaterThan(0);
    expect(await admin.setUserStaff(staff, user.id, false)).toMatchObject({ ok: true });
    await expect(admin.listUsers(asNewStaff, parseUserFilters({}))).rejects.toBeInstanceOf(AdminNotFoundError);
    expect((await adminEvents('user.made_staff')).at(-1)!.detail).toMatchObject({ user_id: user.id });
    expect((await adminEvents('user.staff_removed')).at(-1)!.detail).toMatchObject({ user_id: user.id });

    expect(await admin.setUserStaff(staff, staff.id, false)).toMatchObject({ ok: false });
    expect(await admin.setUserActive(staff, staff.id, false)).toMatchObject({ ok: false });
    const [me] = await query<{ is_active: boolean; is_staff: boolean }>(sql`SELECT is_active, is_staff FROM users WHERE id = ${staff.id}`);
    expect(me).toEqual({ is_active: true, is_staff: true });
  });
});

describe('applications', () => {
  it("lists every owner's applications, searchable, newest first", async () => {
    const alice = await makeUser({ username: 'app_owner_alice' });
    const bob = await makeUser({ username: 'app_owner_bob' });
    const a = await makeApp({ name: 'Alice Calendar', userId: alice.id });
    const b = await makeApp({ name: 'Bob Mail', userId: bob.id });
    const list = await admin.listApplications(staff, parseAppFilters({}));
    const ids = list.rows.map((r) => r.id);
    expect(ids).toContain(a.id);
    expect(ids).toContain(b.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(list.rows.find((r) => r.id === b.id)).toMatchObject({ ownerUsername: 'app_owner_bob', clientId: b.clientId });
    expect(JSON.stringify(list)).not.toContain(b.secret);
    expect((await admin.listApplications(staff, parseAppFilters({ q: 'calendar' }))).rows.map((r) => r.id)).toEqual([a.id]);
    expect((await admin.listApplications(staff, parseAppFilters({ q: b.clientId }))).rows.map((r) => r.id)).toEqual([b.id]);
    expect((await admin.listApplications(staff, parseAppFilters({ q: 'app_owner_alice' }))).rows.map((r) => r.id)).toEqual([a.id]);
  });

  it("resets any owner's secret: shown once, the old one stops working at once (RFC 6749 §2.3.1)", async () => {
    const owner = await makeUser();
    const app = await trustedApp({ userId: owner.id });
    expect((await tokenPost(app, { grant_type: 'client_credentials' })).status).toBe(200);

    const r = await admin.resetApplicationSecret(staff, app.id);
    if (!r.ok) throw new Error(r.message);
    expect(r.plainSecret).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(JSON.stringify(r.application)).not.toContain(r.plainSecret);
    const old = await tokenPost(app, { grant_type: 'client_credentials' });
    expect(old.status).toBe(401);
    expect((await old.json()).error).toBe('invalid_client');
    expect((await tokenPost(app, { grant_type: 'client_credentials' }, r.plainSecret)).status).toBe(200);
    // Stored hashed; a later read never shows it.
    const [row] = await query<{ client_secret: string }>(sql`SELECT client_secret FROM applications WHERE id = ${app.id}`);
    expect(row.client_secret).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(await admin.getApplicationForAdmin(staff, app.id))).not.toContain(r.plainSecret);

    const ev = await adminEvents('application.secret_reset');
    expect(ev.at(-1)).toMatchObject({ actor_user_id: staff.id, application_id: app.id, ip: '192.0.2.1' });
    await flushAudit();
    expect(await query(sql`SELECT 1 FROM audit_events WHERE type = 'application.secret_reset' AND application_id = ${app.id}`)).toHaveLength(1);
  });

  it('refuses to reset the secret of a public client', async () => {
    const app = await makeApp({ clientType: 'public' });
    expect(await admin.resetApplicationSecret(staff, app.id)).toMatchObject({ ok: false });
  });

  it("deletes any owner's application and with it every token it holds", async () => {
    const user = await makeUser();
    const app = await trustedApp({ userId: (await makeUser()).id });
    const t = await userTokens(user, app);
    await admin.deleteApplicationAsAdmin(staff, app.id);
    expect(await query(sql`SELECT 1 FROM applications WHERE id = ${app.id}`)).toHaveLength(0);
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE token_hash = ${sha256b64url(t.access_token)}`)).toHaveLength(0);
    const res = await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(res.status).toBe(401);
    expect((await adminEvents('application.deleted')).at(-1)).toMatchObject({ application_id: app.id, detail: { client_id: app.clientId } });
  });
});

describe('tokens and grants', () => {
  it('filters by kind, application, user and state, and never returns a token value or hash', async () => {
    const alice = await makeUser({ username: 'tok_alice' });
    const bob = await makeUser({ username: 'tok_bob' });
    const app = await trustedApp({ name: 'Token filters' });
    const ta = await userTokens(alice, app);
    await userTokens(bob, app);
    await query(sql`UPDATE access_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = ${bob.id}`);

    const byApp = await admin.listTokens(staff, parseTokenFilters({ kind: 'access', app: app.clientId }));
    expect(byApp.rows).toHaveLength(2);
    expect(byApp.rows.every((r) => r.applicationName === 'Token filters')).toBe(true);
    const byUser = await admin.listTokens(staff, parseTokenFilters({ kind: 'access', app: String(app.id), user: 'tok_alice' }));
    expect(byUser.rows.map((r) => r.username)).toEqual(['tok_alice']);
    expect(byUser.rows[0]).toMatchObject({ state: 'active', grantType: 'authorization_code', scope: 'read write' });
    const expired = await admin.listTokens(staff, parseTokenFilters({ kind: 'access', app: app.clientId, state: 'expired' }));
    expect(expired.rows.map((r) => r.username)).toEqual(['tok_bob']);
    const refresh = await admin.listTokens(staff, parseTokenFilters({ kind: 'refresh', app: app.clientId, state: 'active' }));
    expect(refresh.rows).toHaveLength(2);
    const codes = await admin.listTokens(staff, parseTokenFilters({ kind: 'code', app: app.clientId, state: 'used' }));
    expect(codes.rows).toHaveLength(2);

    const everything = JSON.stringify([byApp, refresh, codes]);
    for (const secret of [ta.access_token, ta.refresh_token, sha256b64url(ta.access_token), sha256b64url(ta.refresh_token)]) {
      expect(everything).not.toContain(secret);
    }
    expect(Object.keys(byApp.rows[0])).not.toContain('tokenHash');

    expect(await admin.listTokens(staff, parseTokenFilters({ app: 'no-such-client' }))).toMatchObject({ rows: [], unknown: 'application' });
    expect(await admin.listTokens(staff, parseTokenFilters({ user: 'no_such_user' }))).toMatchObject({ rows: [], unknown: 'user' });
    // A malformed filter is ignored, not an error.
    expect(parseTokenFilters({ kind: 'bogus', state: 'weird', after: '1 OR 1=1' })).toMatchObject({ kind: 'access', state: undefined, after: undefined });
  });

  it('pages through tokens by id without gaps or repeats', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    for (let i = 0; i < PAGE_SIZE + 5; i++) expect((await tokenPost(app, { grant_type: 'client_credentials' })).status).toBe(200);
    const p1 = await admin.listTokens(staff, parseTokenFilters({ app: app.clientId }));
    expect(p1.rows).toHaveLength(PAGE_SIZE);
    expect(p1.next).toBeTruthy();
    const p2 = await admin.listTokens(staff, parseTokenFilters({ app: app.clientId, after: p1.next! }));
    expect(p2.rows).toHaveLength(5);
    expect(p2.next).toBeNull();
    expect(new Set([...p1.rows, ...p2.rows].map((r) => r.id)).size).toBe(PAGE_SIZE + 5);
  });

  it('revokes only the selected tokens; a refresh token takes its access tokens along (RFC 7009 §2.1)', async () => {
    const user = await makeUser();
    const app = await trustedApp();
    const t1 = await userTokens(user, app);
    const t2 = await userTokens(user, app);
    const [a1] = await query<{ id: number }>(sql`SELECT id::int AS id FROM access_tokens WHERE token_hash = ${sha256b64url(t1.access_token)}`);
    const r = await admin.revokeTokens(staff, 'access', [a1.id]);
    expect(r).toMatchObject({ ok: true, message: '1 token revoked.' });
    const state = async (t: string) =>
      (await query<{ revoked: boolean }>(sql`SELECT revoked_at IS NOT NULL AS revoked FROM access_tokens WHERE token_hash = ${sha256b64url(t)}`))[0].revoked;
    expect(await state(t1.access_token)).toBe(true);
    expect(await state(t2.access_token)).toBe(false);

    const [r2] = await query<{ id: number }>(sql`SELECT id::int AS id FROM refresh_tokens WHERE token_hash = ${sha256b64url(t2.refresh_token)}`);
    expect((await admin.revokeTokens(staff, 'refresh', [r2.id])).ok).toBe(true);
    expect(await state(t2.access_token)).toBe(true);
    const res = await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t2.refresh_token });
    expect(res.status).toBe(400);
    // t1's refresh token was not selected: it still works.
    expect((await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t1.refresh_token })).status).toBe(200);
    // Revoking again changes nothing.
    expect(await admin.revokeTokens(staff, 'access', [a1.id])).toMatchObject({ message: expect.stringContaining('Nothing to revoke') });

    const ev = await adminEvents('tokens.revoked');
    expect(ev.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'access', count: 1 }), expect.objectContaining({ kind: 'refresh', count: 1 })]));
  });

  it('voids an unused authorization code', async () => {
    const user = await makeUser();
    const app = await trustedApp();
    const verifier = randomToken();
    const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256' });
    const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
    const active = await admin.listTokens(staff, parseTokenFilters({ kind: 'code', app: app.clientId, state: 'active' }));
    expect(active.rows).toHaveLength(1);
    await admin.revokeTokens(staff, 'code', [active.rows[0].id]);
    const t = await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier });
    expect(t.status).toBe(400);
    expect((await t.json()).error).toBe('invalid_grant');
  });
});

describe('audit events', () => {
  it('filters by type, actor, application and IP, newest first, and pages', async () => {
    const user = await makeUser({ username: 'audit_subject' });
    const app = await trustedApp({ name: 'Audited' });
    await userTokens(user, app);
    await admin.setUserStaff(staff, user.id, true);
    await admin.setUserStaff(staff, user.id, false);
    await flushAudit();

    const issued = await admin.listAuditEvents(staff, parseAuditFilters({ type: 'token.issued', app: app.clientId }));
    expect(issued.rows).toHaveLength(1);
    expect(issued.rows[0]).toMatchObject({ type: 'token.issued', actorUsername: 'audit_subject', applicationName: 'Audited', ip: '127.0.0.1' });
    expect(issued.rows[0].detail).toMatchObject({ grant_type: 'authorization_code' });

    const byActor = await admin.listAuditEvents(staff, parseAuditFilters({ actor: 'boss', type: 'admin.action' }));
    expect(byActor.rows.slice(0, 2).map((r) => r.detail?.action)).toEqual(['user.staff_removed', 'user.made_staff']);
    const byIp = await admin.listAuditEvents(staff, parseAuditFilters({ ip: '192.0.2.1' }));
    expect(byIp.rows.length).toBeGreaterThan(0);
    expect(byIp.rows.every((r) => r.ip === '192.0.2.1')).toBe(true);

    // Paging: all admin.action events, 50 at a time, in time order, none twice.
    const seen: number[] = [];
    let after: string | undefined;
    do {
      const p = await admin.listAuditEvents(staff, parseAuditFilters({ after }));
      seen.push(...p.rows.map((r) => r.id));
      const times = p.rows.map((r) => r.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
      after = p.next ?? undefined;
    } while (after);
    const [{ n }] = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events`);
    expect(seen).toHaveLength(n);
    expect(new Set(seen).size).toBe(n);
  });
});
