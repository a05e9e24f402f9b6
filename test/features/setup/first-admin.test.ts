// The first admin of a fresh installation (issue 14, lib/auth/first-admin.ts): a setup token printed
// at each start while no staff user exists, stored only as SHA-256, spent once by the setup page's
// action with the sign-up rules, rate-limited, void once a staff user exists. Each test starts on a
// fresh database. (The page itself, the server's console and the login: e2e/first-admin.spec.ts.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeUser } from '@/test/helpers/fixtures';
import { withSettings } from '@/test/helpers/settings';
import { announceSetupToken, normalizeSetupToken, setupNeeded, submitFirstAdmin, type FirstAdminInput } from '@/lib/auth/first-admin';
import { createSuperuser } from '@/lib/auth/superuser';
import { findUserByUsername } from '@/lib/db/queries/users';
import { query, sql } from '@/lib/db';
import { sha256b64url } from '@/lib/oauth/random';
import { verifyPassword } from '@/lib/auth/password';
import { settings } from './settings';

let srv: TestServer;
beforeEach(async () => {
  srv = await startTestServer(settings);
});
afterEach(async () => srv?.close());

const IP = '203.0.113.7';
const form = (token: string, over: Partial<FirstAdminInput> = {}): FirstAdminInput => ({
  token,
  username: 'first.admin',
  email: 'first@example.com',
  password: 'a long enough password',
  password2: 'a long enough password',
  ...over,
});

/** Runs `fn` and returns what the logger printed meanwhile. */
async function printed(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const out = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void lines.push(String(s)));
  const err = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void lines.push(String(s)));
  try {
    await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const storedHashes = async () => (await query<{ token_hash: string }>(sql`SELECT token_hash FROM setup_tokens`)).map((r) => r.token_hash);

describe('the setup token', () => {
  it('on a fresh installation, the start prints a setup token of 128+ random bits once, with the setup URL, and stores only its SHA-256', async () => {
    let token: string | null = null;
    const lines = await printed(async () => (token = await announceSetupToken(srv.url)));
    expect(token).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{5}(-[BCDFGHJKLMNPQRSTVWXZ]{5}){5}$/); // 20^30 ≈ 2^129.7
    const line = lines.filter((l) => l.includes('setup.token'));
    expect(line).toHaveLength(1);
    expect(line[0]).toContain(`url=${srv.url}/setup/#${token}`);
    expect(line[0]).toContain(`setup=${token}`);
    expect(line[0]).toMatch(/No administrator yet/);
    expect(await storedHashes()).toEqual([sha256b64url(normalizeSetupToken(token)!)]);
    expect(JSON.stringify(await query(sql`SELECT * FROM setup_tokens`))).not.toContain(normalizeSetupToken(token)!);
  });

  it('each start replaces the token: the one printed by an earlier start no longer works', async () => {
    const earlier = (await announceSetupToken(srv.url))!;
    const latest = (await announceSetupToken(srv.url))!;
    expect(latest).not.toBe(earlier);
    expect(await storedHashes()).toHaveLength(1);
    const refused = await submitFirstAdmin(form(earlier), IP);
    expect(refused).toMatchObject({ ok: false, errors: { token: [expect.stringMatching(/^Wrong setup token/)] } });
    expect(await submitFirstAdmin(form(latest), IP)).toMatchObject({ ok: true });
  });

  it('once a staff user exists, a start makes and prints no token, and the setup page is gone', async () => {
    await makeUser({ isStaff: true });
    expect(await setupNeeded()).toBe(false);
    const lines = await printed(async () => expect(await announceSetupToken(srv.url)).toBeNull());
    expect(lines.join('\n')).not.toContain('setup.token');
    expect(await storedHashes()).toEqual([]);
  });
  it('without a printed token (plain next start, no server.ts) the setup page is not offered', async () => {
    expect(await setupNeeded()).toBe(false);
    await announceSetupToken(srv.url);
    expect(await setupNeeded()).toBe(true);
  });
});

describe('creating the first admin', () => {
  it('the right setup token creates a staff user with the sign-up rules, spends the token and closes the setup page', async () => {
    const token = (await announceSetupToken(srv.url))!;
    expect(await setupNeeded()).toBe(true);
    // Typed by hand: lower case, without the dashes, with spaces around.
    const r = await submitFirstAdmin(form(`  ${token.toLowerCase().replaceAll('-', ' ')} `, { username: '  First.Admin ' }), IP);
    expect(r).toMatchObject({ ok: true, user: { username: 'First.Admin', isStaff: true, isActive: true, email: 'first@example.com' } });
    const u = await findUserByUsername('first.admin');
    expect(await verifyPassword(u?.passwordHash, 'a long enough password')).toBe(true);
    expect(await storedHashes()).toEqual([]);
    expect(await setupNeeded()).toBe(false);
    // The page is gone: a second submission, even with the same token, creates nothing.
    const again = await submitFirstAdmin(form(token, { username: 'second.admin' }), IP);
    expect(again).toMatchObject({ ok: false, gone: true });
    expect(await findUserByUsername('second.admin')).toBeUndefined();
  });

  it('the same rules as sign-up and createsuperuser: each broken rule is named at its field, and nothing is spent', async () => {
    const token = (await announceSetupToken(srv.url))!;
    const r = await submitFirstAdmin(form(token, { username: 'a b', email: 'not-an-email', password: 'short', password2: 'other' }), IP);
    expect(r.ok).toBe(false);
    const errors = (r as { errors: Record<string, string[]> }).errors;
    expect(Object.keys(errors).sort()).toEqual(['email', 'password', 'password2', 'username']);
    const mismatch = await submitFirstAdmin(form(token, { password2: 'a different long password' }), IP);
    expect(mismatch).toMatchObject({ ok: false, errors: { password2: ['The two passwords differ.'] } });
    expect(await storedHashes()).toHaveLength(1);
    expect(await submitFirstAdmin(form(token), IP)).toMatchObject({ ok: true });
  });

  it('an empty or malformed token is named at its field before anything is counted', async () => {
    await announceSetupToken(srv.url);
    expect(await submitFirstAdmin(form(''), IP)).toMatchObject({ errors: { token: ['Enter the setup token printed in the server’s console.'] } });
    expect(await submitFirstAdmin(form('abc'), IP)).toMatchObject({ errors: { token: [expect.stringMatching(/30 letters/)] } });
    expect(await query(sql`SELECT key FROM rate_limits`)).toEqual([]);
  });

  it('a taken username is named at its field and keeps the token usable', async () => {
    const token = (await announceSetupToken(srv.url))!;
    await makeUser({ username: 'taken.name' });
    expect(await submitFirstAdmin(form(token, { username: 'TAKEN.NAME' }), IP)).toMatchObject({ ok: false, errors: { username: ['This username is taken.'] } });
    expect(await storedHashes()).toHaveLength(1);
    expect(await submitFirstAdmin(form(token), IP)).toMatchObject({ ok: true });
  });

  it('a staff user made by createsuperuser voids the setup token', async () => {
    const token = (await announceSetupToken(srv.url))!;
    await createSuperuser({ username: 'cli.admin', email: 'cli@example.com', password: 'a long enough password' }, 'createsuperuser');
    expect(await submitFirstAdmin(form(token), IP)).toMatchObject({ ok: false, gone: true });
    expect(await findUserByUsername('first.admin')).toBeUndefined();
  });

  it('wrong setup tokens are rate-limited per source: past RATE_LIMIT_MAX_FAILURES even the right one is refused, with the time to wait', async () => {
    await withSettings({ RATE_LIMIT_MAX_FAILURES: '3' }, async () => {
      const token = (await announceSetupToken(srv.url))!;
      const wrong = 'BCDFG-BCDFG-BCDFG-BCDFG-BCDFG-BCDFG';
      for (let i = 0; i < 3; i++) expect(await submitFirstAdmin(form(wrong), IP)).toMatchObject({ ok: false, errors: { token: [expect.stringMatching(/^Wrong/)] } });
      const blocked = await submitFirstAdmin(form(token), IP);
      expect(blocked).toMatchObject({ ok: false, message: expect.stringMatching(/^Too many wrong setup tokens\. Try again in \d+ minutes?\.$/) });
      expect(await findUserByUsername('first.admin')).toBeUndefined();
      // Another source is not blocked by this one's guesses.
      expect(await submitFirstAdmin(form(token), '198.51.100.9')).toMatchObject({ ok: true });
    });
  });
});
