import { eq } from 'drizzle-orm';
import { getDb } from '../index';
import { users, type User } from '../schema';
import { canonicalUsername } from '../../canonical';
import { hasNul, isUuid } from '../../fields';

/** The user whose canonical username equals that of `username` (lib/canonical.ts), if any. */
export async function findUserByUsername(username: string): Promise<User | undefined> {
  const canonical = canonicalUsername(username);
  if (!canonical || hasNul(canonical)) return undefined;
  const db = await getDb();
  const [u] = await db.select().from(users).where(eq(users.usernameCanonical, canonical)).limit(1);
  return u;
}

export async function findUserById(id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  const db = await getDb();
  const [u] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return u;
}

export class UsernameTakenError extends Error {}

export async function createUser(input: {
  username: string;
  email: string;
  passwordHash: string;
  isStaff?: boolean;
}): Promise<User> {
  const db = await getDb();
  const rows = await db
    .insert(users)
    .values({ ...input, usernameCanonical: canonicalUsername(input.username), isStaff: input.isStaff ?? false })
    .onConflictDoNothing()
    .returning();
  if (!rows[0]) throw new UsernameTakenError(`The username "${input.username}" is taken.`);
  return rows[0];
}

export async function touchLastLogin(id: string): Promise<void> {
  const db = await getDb();
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, id));
}
