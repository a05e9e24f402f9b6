// Server-side sessions (OWASP Session Management Cheat Sheet) at the node:http door's /o/authorize/:
// the session cookie only names a row in `sessions`; once that row is revoked or expired the same
// cookie is no session. Real HTTP against the real door, real sessions made as a login makes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { loginSession, makeApp, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getAuthorize, newVerifier, redirectParams } from '@/test/helpers/codeflow';
import { query } from '@/lib/db';
import { s256 } from '@/lib/oauth/pkce';
import { revokeSessionBySid, revokeUserSessions, sessionEndReason } from '@/lib/db/queries/sessions';
import { DEFAULT_LIMITS } from '@/lib/env';
import { saveConsent } from '@/lib/db/queries/tokens';
import { clearExpiredTokens } from '@/lib/db/queries/cleanup';
import * as admin from '@/lib/admin/service';
import { changePassword, endMyOtherSessions, endMySession, listMySessions } from '@/lib/auth/sessions';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

type App = Awaited<ReturnType<typeof makeApp>>;
const authorizeParams = (app: App, extra: Record<string, string> = {}) => ({
  response_type: 'code',
  client_id: app.clientId,
  redirect_uri: POSTMAN_CALLBACK,
  code_challenge: s256(newVerifier()),
  code_challenge_method: 'S256',
  scope: 'read',
  state: 'st',
  ...extra,
});

/**
 * The door's answer to `cookie`: 'code' (a code for the client), 'login' (sent to log in),
 * 'consent' (sent to the consent page, which the door hands to Next.js), or what else it said.
 */
async function outcome(app: App, cookie: string, extra: Record<string, string> = {}): Promise<string> {
  const r = await getAuthorize(srv, authorizeParams(app, extra), cookie);
  const location = r.headers.get('location') ?? '';
  if (r.status === 302 && location.startsWith('/accounts/login/?next=')) return 'login';
  if (r.status === 302 && location.startsWith('/o/authorize/consent/?pending=')) {
    const page = await fetch(new URL(location, srv.url), { headers: { cookie }, redirect: 'manual' });
    return page.headers.get('x-test-handoff') === 'next' ? 'consent' : `consent page: ${page.status}`;
  }
  if (r.status === 302 && location.startsWith(POSTMAN_CALLBACK)) {
    const p = redirectParams(r);
    return p.get('code') ? 'code' : `error:${p.get('error')}`;
  }
  return `${r.status} ${r.headers.get('x-test-handoff') ?? ''}`.trim();
}

const sessionRow = async (sidHash: string) =>
  (await query<{ revoked: boolean; last_seen_at: Date | string }>(sql`SELECT revoked_at IS NOT NULL AS revoked, last_seen_at FROM sessions WHERE sid_hash = ${sidHash}`))[0];

describe('OWASP Session Management: sessions are server-side and revocable', () => {
  it('after the session row is revoked (logout), the same cookie at /o/authorize/ gets a login redirect, not a code', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const { cookie, session } = await loginSession(user);
    expect(await outcome(app, cookie)).toBe('code');
    expect(await revokeSessionBySid(session.sidHash)).toBe(user.id);
    expect(await outcome(app, cookie)).toBe('login');
    expect(await outcome(app, cookie, { prompt: 'none' })).toBe('error:login_required');
    expect((await sessionRow(session.sidHash)).revoked).toBe(true);
  });

  it('after the session row is revoked, remembered consent does not issue a code to the old cookie either', async () => {
    const user = await makeUser();
    const app = await makeApp({ name: 'Remembered' });
    await saveConsent(user.id, app.id, ['read']);
    const { cookie, session } = await loginSession(user);
    expect(await outcome(app, cookie)).toBe('code');
    expect(await outcome(app, cookie, { prompt: 'consent' })).toBe('consent'); // the consent page, for a live session
    await revokeSessionBySid(session.sidHash);
    expect(await outcome(app, cookie)).toBe('login');
    expect(await outcome(app, cookie, { prompt: 'consent' })).toBe('login');
  });

  it('a session ends only itself: the same user’s other logins keep working', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const a = await loginSession(user);
    const b = await loginSession(user);
    await revokeSessionBySid(a.session.sidHash);
    expect(await outcome(app, a.cookie)).toBe('login');
    expect(await outcome(app, b.cookie)).toBe('code');
    // "Sign out all other sessions" from b.
    const c = await loginSession(user);
    expect(await revokeUserSessions(user.id, b.session.sidHash, 'signed_out')).toBe(1);
    expect(await outcome(app, c.cookie)).toBe('login');
    expect(await outcome(app, b.cookie)).toBe('code');
  });

  it('a deactivated-then-reactivated user’s old cookie stays dead; a new login works', async () => {
    const staffUser = await makeUser({ isStaff: true });
    const staff = { id: staffUser.id, isStaff: true, ip: '192.0.2.1' };
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const old = await loginSession(user);
    expect(await outcome(app, old.cookie)).toBe('code');
    expect((await admin.setUserActive(staff, user.id, false)).ok).toBe(true);
    expect(await outcome(app, old.cookie)).toBe('login');
    expect((await admin.setUserActive(staff, user.id, true)).ok).toBe(true);
    expect(await outcome(app, old.cookie)).toBe('login');
    expect((await sessionRow(old.session.sidHash)).revoked).toBe(true);
    expect(await outcome(app, (await loginSession(user)).cookie)).toBe('code');
  });

  it('a password change ends every other session of the user and keeps this one; a wrong current password changes nothing', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const here = await loginSession(user);
    const elsewhere = await loginSession(user);
    const [mine] = (await listMySessions({ id: user.id, name: user.username, sessionId: 0, sidHash: here.session.sidHash })).filter((s) => s.current);
    const owner = { id: user.id, name: user.username, sessionId: mine.id, sidHash: here.session.sidHash };
    expect(await changePassword(owner, 'not the password', 'a new password', '127.0.0.1')).toEqual({ ok: false, reason: 'wrong_password' });
    expect(await outcome(app, elsewhere.cookie)).toBe('code');
    expect(await changePassword(owner, user.password, 'a new password', '127.0.0.1')).toEqual({ ok: true, endedSessions: 1 });
    expect(await outcome(app, elsewhere.cookie)).toBe('login');
    expect(await outcome(app, here.cookie)).toBe('code');
  });

  it('OWASP Authorization: a user can sign out only their own sessions', async () => {
    const victim = await makeUser();
    const attacker = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const v = await loginSession(victim);
    const a = await loginSession(attacker);
    const [victimRow] = await query<{ id: number }>(sql`SELECT id::float8 AS id FROM sessions WHERE sid_hash = ${v.session.sidHash}`);
    const attackerOwner = { id: attacker.id, name: attacker.username, sessionId: 0, sidHash: a.session.sidHash };
    expect(await endMySession(attackerOwner, Number(victimRow.id))).toBe(false);
    expect(await outcome(app, v.cookie)).toBe('code');
    // The listing shows only one's own sessions.
    expect((await listMySessions(attackerOwner)).map((s) => s.id)).not.toContain(Number(victimRow.id));
  });

  it('an expired session row is dead, whatever the cookie’s own expiry says', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const { cookie, session } = await loginSession(user);
    await query(sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE sid_hash = ${session.sidHash}`);
    expect(await outcome(app, cookie)).toBe('login');
  });

  it('a cookie whose session row does not exist, or that names another user’s session, is no session', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const { cookie, session } = await loginSession(user);
    await query(sql`DELETE FROM sessions WHERE sid_hash = ${session.sidHash}`);
    expect(await outcome(app, cookie)).toBe('login');
    // The other user's row, under this user's sub: the row must belong to the cookie's user.
    const theirs = await loginSession(other);
    await query(sql`UPDATE sessions SET sid_hash = ${session.sidHash} WHERE sid_hash = ${theirs.session.sidHash}`);
    expect(await outcome(app, cookie)).toBe('login');
  });

  it(`last_seen_at is written at most once every ${DEFAULT_LIMITS.sessionSeenEverySeconds} s per session`, async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const { cookie, session } = await loginSession(user);
    await query(sql`UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE sid_hash = ${session.sidHash}`);
    const stale = new Date((await sessionRow(session.sidHash)).last_seen_at).getTime();
    expect(await outcome(app, cookie)).toBe('code');
    const seen = new Date((await sessionRow(session.sidHash)).last_seen_at).getTime();
    expect(seen - stale).toBeGreaterThan(9 * 60_000);
    // Seen just now: the next requests leave it alone.
    await query(sql`UPDATE sessions SET last_seen_at = now() - interval '1 minute' WHERE sid_hash = ${session.sidHash}`);
    const recent = new Date((await sessionRow(session.sidHash)).last_seen_at).getTime();
    expect(await outcome(app, cookie)).toBe('code');
    expect(await outcome(app, cookie, { prompt: 'consent' })).toBe('consent');
    expect(new Date((await sessionRow(session.sidHash)).last_seen_at).getTime()).toBe(recent);
  });

  it('npm run cleartokens deletes expired and revoked sessions and keeps live ones', async () => {
    await query(sql`DELETE FROM sessions`);
    const user = await makeUser();
    const live = await loginSession(user);
    const revoked = await loginSession(user);
    const expired = await loginSession(user);
    await revokeSessionBySid(revoked.session.sidHash);
    await query(sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE sid_hash = ${expired.session.sidHash}`);
    const r = await clearExpiredTokens();
    expect(r.sessions).toBe(2);
    const left = await query<{ sid_hash: string }>(sql`SELECT sid_hash FROM sessions`);
    expect(left.map((x) => x.sid_hash)).toEqual([live.session.sidHash]);
  });
});

describe('OWASP Session Management: an ended session keeps why it ended, so its browser can be told', () => {
  const owner = async (user: { id: string; username: string }, sidHash: string) => {
    const [mine] = (await listMySessions({ id: user.id, name: user.username, sessionId: 0, sidHash })).filter((s) => s.current);
    return { id: user.id, name: user.username, sessionId: mine.id, sidHash };
  };
  const rowId = async (sidHash: string) => Number((await query<{ id: number }>(sql`SELECT id::float8 AS id FROM sessions WHERE sid_hash = ${sidHash}`))[0].id);
  const why = (s: { userId: string; sidHash: string }) => sessionEndReason(s.sidHash, s.userId);

  it('signed out from another browser, one or all others: signed_out; this browser’s own stays live (null)', async () => {
    const user = await makeUser();
    const [here, one, two, three] = [await loginSession(user), await loginSession(user), await loginSession(user), await loginSession(user)];
    const me = await owner(user, here.session.sidHash);
    expect(await endMySession(me, await rowId(one.session.sidHash))).toBe(true);
    expect(await why(one.session)).toBe('signed_out');
    expect(await endMyOtherSessions(me)).toBe(2);
    expect([await why(two.session), await why(three.session)]).toEqual(['signed_out', 'signed_out']);
    expect(await why(here.session)).toBeNull();
  });

  it('a password change elsewhere: password_changed', async () => {
    const user = await makeUser();
    const here = await loginSession(user);
    const phone = await loginSession(user);
    expect(await changePassword(await owner(user, here.session.sidHash), user.password, 'a new password', '127.0.0.1')).toEqual({ ok: true, endedSessions: 1 });
    expect(await why(phone.session)).toBe('password_changed');
  });

  it('an administrator’s deactivation: deactivated, also after reactivation', async () => {
    const staffUser = await makeUser({ isStaff: true });
    const staff = { id: staffUser.id, isStaff: true, ip: '192.0.2.1' };
    const user = await makeUser();
    const s = await loginSession(user);
    expect((await admin.setUserActive(staff, user.id, false)).ok).toBe(true);
    expect(await why(s.session)).toBe('deactivated');
    expect((await admin.setUserActive(staff, user.id, true)).ok).toBe(true);
    expect(await why(s.session)).toBe('deactivated');
  });

  it('logout: logout; past its expiry: expired; a live row of an inactive user: deactivated', async () => {
    const user = await makeUser();
    const [out, old, live] = [await loginSession(user), await loginSession(user), await loginSession(user)];
    await revokeSessionBySid(out.session.sidHash);
    expect(await why(out.session)).toBe('logout');
    await query(sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE sid_hash = ${old.session.sidHash}`);
    expect(await why(old.session)).toBe('expired');
    await query(sql`UPDATE users SET is_active = false WHERE id = ${user.id}`);
    expect(await why(live.session)).toBe('deactivated');
  });

  it('tells nothing about a session that is not the cookie user’s, or unknown', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const theirs = await loginSession(other);
    await revokeSessionBySid(theirs.session.sidHash);
    expect(await sessionEndReason(theirs.session.sidHash, user.id)).toBeNull();
    expect(await sessionEndReason('x'.repeat(43), user.id)).toBeNull();
    expect(await sessionEndReason('not a sid hash', user.id)).toBeNull();
  });
});

describe('the sessions page’s list', () => {
  it('OWASP Session Management: lists this browser’s session first, then the most recently seen', async () => {
    const user = await makeUser();
    const [here, older, newer] = [await loginSession(user), await loginSession(user), await loginSession(user)];
    await query(sql`UPDATE sessions SET last_seen_at = now() - interval '1 hour' WHERE sid_hash = ${here.session.sidHash}`);
    await query(sql`UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE sid_hash = ${older.session.sidHash}`);
    const list = await listMySessions({ id: user.id, name: user.username, sessionId: 0, sidHash: here.session.sidHash });
    const ids = await query<{ id: number; sid_hash: string }>(sql`SELECT id::float8 AS id, sid_hash FROM sessions WHERE user_id = ${user.id}`);
    const idOf = (h: string) => Number(ids.find((r) => r.sid_hash === h)!.id);
    expect(list.map((s) => s.id)).toEqual([idOf(here.session.sidHash), idOf(newer.session.sidHash), idOf(older.session.sidHash)]);
    expect(list.map((s) => s.current)).toEqual([true, false, false]);
  });
});
