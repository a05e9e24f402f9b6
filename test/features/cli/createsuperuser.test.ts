// `npm run createsuperuser` (scripts/createsuperuser.ts), run as the operator runs it, on a fresh
// database: usernames are validated like the sign-up form's and unique by canonicalUsername().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/test/helpers/db';
import { useTestSettings } from '@/test/helpers/settings';
import { closeDb } from '@/lib/db';
import { findUserByUsername } from '@/lib/db/queries/users';
import { createsuperuser } from './run-createsuperuser';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await closeDb();
  await db?.drop();
});

describe('createsuperuser and canonical usernames', () => {
  // Two runs of the CLI, each starting tsx and opening the database.
  it('stores the trimmed username, and refuses any other spelling of it as taken', { timeout: 180_000 }, async () => {
    const made = await createsuperuser(db.env, '  Root.Admin ');
    expect(made).toMatchObject({ code: 0, out: expect.stringContaining('Superuser "Root.Admin" created.') });
    const taken = await createsuperuser(db.env, 'ROOT.ADMIN');
    expect(taken.code).toBe(1);
    expect(taken.out).toContain('The username "ROOT.ADMIN" is taken.');
    expect(taken.out).not.toMatch(/\n\s+at /); // no stack trace

    useTestSettings(db.env);
    const u = await findUserByUsername('root.admin');
    expect(u).toMatchObject({ username: 'Root.Admin', usernameCanonical: 'root.admin', isStaff: true });
  });
});
