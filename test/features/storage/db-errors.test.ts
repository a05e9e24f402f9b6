// A failed statement's error, as every caller (and Next.js, which prints a thrown error whole) sees
// it: the SQL text and the SQLSTATE, never the bound values (lib/db/index.ts DatabaseError).
// Real database: PGlite, and PostgreSQL with TEST_DB=postgres.
import util from 'node:util';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { DatabaseError, getDb, query, sql, statement, tx } from '@/lib/db';
import { users } from '@/lib/db/schema';
import { createUser } from '@/lib/db/queries/users';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const secret = () => `secret-${crypto.randomBytes(24).toString('base64url')}`;

/** Everything Node would print for the error, hidden properties and causes included. */
const printed = (e: unknown) => util.inspect(e, { depth: 10, showHidden: true }) + String((e as Error).stack);

async function failure(p: Promise<unknown>): Promise<DatabaseError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatabaseError);
  return e as DatabaseError;
}

describe('OWASP Logging Cheat Sheet: no bound value in a database error', () => {
  it('a failed insert (a NUL byte) names the statement and SQLSTATE 22021, not the password hash it carried', async () => {
    const hash = `$argon2id$v=19$m=19456,t=2,p=1$${secret()}`;
    const e = await failure(createUser({ username: `u${crypto.randomBytes(4).toString('hex')}`, email: 'a\u0000@example.com', passwordHash: hash }));
    expect(e.code).toBe('22021');
    expect(e.message).toMatch(/^Database error 22021: invalid byte sequence for encoding "UTF8": 0x00 in: insert into "users" /);
    expect(e.query).toMatch(/^insert into "users" .*\$1/);
    expect(e.cause).toBeUndefined();
    expect(printed(e)).not.toContain(hash);
    expect(printed(e)).not.toContain('argon2');
    expect(printed(e)).not.toContain('params');
  });

  it('a bound value the server quotes in its message (22P02) is masked', async () => {
    const s = secret();
    const e = await failure(query(sql`SELECT ${s}::uuid`));
    expect(e.code).toBe('22P02');
    expect(e.message).toContain('invalid input syntax for type uuid: "[value]"');
    expect(printed(e)).not.toContain(s);
  });

  it('a hot statement (built once) fails the same way: its value masked, and it still runs after the failure', async () => {
    const asUuid = statement<{ v: string }, { u: string }>((p) => sql`SELECT ${p.v}::uuid::text AS u`);
    const s = secret();
    const e = await failure(asUuid({ v: s }));
    expect(e.code).toBe('22P02');
    expect(e.message).toContain('invalid input syntax for type uuid: "[value]"');
    expect(printed(e)).not.toContain(s);
    const id = crypto.randomUUID();
    expect(await asUuid({ v: id })).toEqual([{ u: id }]);
  });

  it('a unique violation (23505) names its constraint, not the duplicate key (the DETAIL)', async () => {
    const name = `dup_${crypto.randomBytes(6).toString('hex')}`;
    const row = { username: name, usernameCanonical: name, email: 'd@example.com', passwordHash: secret() };
    const db = await getDb();
    await db.insert(users).values(row);
    const e = await failure(db.insert(users).values({ ...row, passwordHash: secret() }));
    expect(e.code).toBe('23505');
    expect(e.constraint).toMatch(/username_canonical/);
    expect(printed(e)).not.toContain(name);
    expect(printed(e)).not.toContain(row.passwordHash);
  });

  it('a statement inside a transaction fails the same way', async () => {
    const s = secret();
    const e = await failure(tx(async (t) => t.execute(sql`SELECT ${s}::uuid`)));
    expect(e.code).toBe('22P02');
    expect(printed(e)).not.toContain(s);
  });
});
