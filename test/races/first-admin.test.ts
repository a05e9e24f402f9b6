// Concurrency of the setup page (issue 14): of N simultaneous submissions of the right setup token,
// at most one creates an admin. On PostgreSQL (TEST_DB=postgres) they run on a pool of connections,
// so the token row's lock in createFirstAdmin (lib/db/queries/setup.ts) is what decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { announceSetupToken, submitFirstAdmin } from '@/lib/auth/first-admin';
import { query, sql } from '@/lib/db';
import { settings } from './settings';

const N = 12;
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

describe('the first admin under concurrent setup submissions', () => {
  it(`of ${N} simultaneous submissions of the right setup token, exactly one creates an admin`, { timeout: 60_000 }, async () => {
    const token = (await announceSetupToken(srv.url))!;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        submitFirstAdmin({ token, username: `racer${i}`, email: `racer${i}@example.com`, password: 'a long enough password', password2: 'a long enough password' }, `192.0.2.${i + 1}`),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ ok: false }); // wrong (spent) token, or the page is gone
    const staff = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM users WHERE is_staff`);
    expect(staff[0].n).toBe(1);
    const users = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM users`);
    expect(users[0].n).toBe(1);
    expect(await query(sql`SELECT token_hash FROM setup_tokens`)).toEqual([]);
  });
});
