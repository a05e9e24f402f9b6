// The username/password check behind the login form and the password grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeUser } from '@/test/helpers/fixtures';
import { checkPassword } from '@/lib/auth/check-password';
import { flushAudit } from '@/lib/db/queries/audit';
import { query } from '@/lib/db';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, RATE_LIMIT_MAX_FAILURES: '3', RATE_LIMIT_MAX_FAILURES_PER_IP: '6' });
});
afterAll(async () => srv?.close());

async function events(label: string) {
  await flushAudit();
  return query<{ type: string; actor_user_id: string | null; ip: string }>(
    sql`SELECT type, actor_user_id, ip FROM audit_events WHERE actor_label = ${label} ORDER BY id`,
  );
}

describe('checkPassword (login form and password grant)', () => {
  it('accepts the right password, case-insensitively by username, and audits login.success', async () => {
    const u = await makeUser({ username: 'Carol' });
    const r = await checkPassword('carol', u.password, '10.0.0.1');
    expect(r.ok && r.user.id).toBe(u.id);
    expect(await events('Carol')).toEqual([{ type: 'login.success', actor_user_id: u.id, ip: '10.0.0.1' }]);
  });

  it('gives the same answer for a wrong password and an unknown user, and audits login.failure', async () => {
    const u = await makeUser({ username: 'dave' });
    const wrong = await checkPassword('dave', 'not the password', '10.0.0.2');
    const unknown = await checkPassword('nobody-here', u.password, '10.0.0.3');
    expect(wrong).toEqual({ ok: false, reason: 'invalid' });
    expect(unknown).toEqual(wrong);
    expect((await events('dave')).map((e) => e.type)).toEqual(['login.failure']);
    expect((await events('nobody-here')).map((e) => e.type)).toEqual(['login.failure']);
  });

  it('refuses a deactivated account like a wrong password', async () => {
    const u = await makeUser({ username: 'erin', isActive: false });
    expect(await checkPassword('erin', u.password, '10.0.0.4')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('stops checking a username after RATE_LIMIT_MAX_FAILURES failures from one source, even the right password; other sources still get in', async () => {
    const u = await makeUser({ username: 'frank' });
    for (let i = 0; i < 3; i++) await checkPassword('frank', 'guess-' + i, '10.1.0.9');
    expect(await checkPassword('frank', u.password, '10.1.0.9')).toMatchObject({ ok: false, reason: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect((await checkPassword('frank', u.password, '10.2.0.1')).ok).toBe(true);
  });

  it('limits guesses per source across usernames at RATE_LIMIT_MAX_FAILURES_PER_IP', async () => {
    await makeUser({ username: 'grace' });
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) await checkPassword(name, 'x', '10.3.0.9');
    const g = await makeUser({ username: 'heidi' });
    expect(await checkPassword('heidi', g.password, '10.3.0.9')).toMatchObject({ ok: false, reason: 'rate_limited' });
    expect((await checkPassword('heidi', g.password, '10.3.0.10')).ok).toBe(true);
  });
});
