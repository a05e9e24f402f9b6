// Users: lookups for login and the protocol, sign-up, and the staff area's user list and actions.
import { and, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import { getDb, query } from '../index';
import { users, type User } from '../schema';
import { canonicalUsername } from '../../canonical';
import { hasNul, isUuid } from '../../fields';
import { contains, page, type Page } from './page';
import { applicationsOwnedBy, type OwnedApp } from './applications';
import { revokeUserGrantsCtes, revokedUserGrantsCounts, type RevokedCounts } from './revocation';

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

// --- the staff area (lib/admin/service.ts checks staff before calling anything here) -----------------

export interface AdminUserRow {
  id: string;
  username: string;
  email: string;
  isStaff: boolean;
  isActive: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** The applications they own, oldest first; suspended while the user is inactive. */
  applications: OwnedApp[];
}

/** Newest first (users_created_idx); `q` matches part of the username (canonical forms, lib/canonical.ts) or of the email, case-insensitively. */
export async function listUsers(f: { q: string; after?: string; limit: number }): Promise<Page<AdminUserRow>> {
  const db = await getDb();
  const conds: SQL[] = [];
  if (f.q) {
    conds.push(or(sql`${users.usernameCanonical} LIKE ${contains(canonicalUsername(f.q))}`, sql`lower(${users.email}) LIKE ${contains(f.q)}`)!);
  }
  if (f.after) {
    conds.push(sql`(${users.createdAt}, ${users.id}) < (SELECT u2.created_at, u2.id FROM users u2 WHERE u2.id = ${f.after})`);
  }
  const rows = await db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      isStaff: users.isStaff,
      isActive: users.isActive,
      createdAt: users.createdAt,
      lastLoginAt: users.lastLoginAt,
    })
    .from(users)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(f.limit + 1);
  const p = page(rows, f.limit, (r) => r.id);
  const owned = await applicationsOwnedBy(p.rows.map((r) => r.id));
  return { ...p, rows: p.rows.map((r) => ({ ...r, applications: owned.get(r.id) ?? [] })) };
}

/** A user by id or username (any spelling of it, lib/canonical.ts), for the staff's filters. */
export async function findUserForAdmin(idOrUsername: string): Promise<{ id: string; username: string } | null> {
  if (hasNul(idOrUsername)) return null;
  const db = await getDb();
  const isId = isUuid(idOrUsername);
  const [u] = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(isId ? eq(users.id, idOrUsername) : eq(users.usernameCanonical, canonicalUsername(idOrUsername)))
    .limit(1);
  return u ?? null;
}

export interface Deactivated {
  found: boolean;
  /** The user's username, when found. */
  username: string | null;
  /** Tokens that were active and are now revoked. */
  accessTokens: number;
  refreshTokens: number;
}

/**
 * Activates or deactivates a user. Deactivating also revokes everything they were granted (the token
 * store's rule, revokeUserGrantsCtes: every token revoked, unused codes and device approvals voided)
 * in the same statement; their browser session ends at once too (currentUser() checks is_active on
 * every request).
 */
export async function setUserActive(userId: string, active: boolean): Promise<Deactivated> {
  if (active) {
    const rows = await query<{ username: string }>(sql`UPDATE users SET is_active = true WHERE id = ${userId} RETURNING username`);
    return { found: rows.length > 0, username: rows[0]?.username ?? null, accessTokens: 0, refreshTokens: 0 };
  }
  const rows = await query<RevokedCounts & { found: number; username: string | null }>(sql`
    WITH deactivated AS (
      UPDATE users SET is_active = false WHERE id = ${userId} RETURNING id, username
    ), ${revokeUserGrantsCtes(userId, null, sql`EXISTS (SELECT 1 FROM deactivated)`)}
    SELECT (SELECT count(*) FROM deactivated)::int AS found, (SELECT username FROM deactivated) AS username, ${revokedUserGrantsCounts}`);
  const r = rows[0];
  return {
    found: Number(r?.found ?? 0) > 0,
    username: r?.username ?? null,
    accessTokens: Number(r?.live_access ?? 0),
    refreshTokens: Number(r?.live_refresh ?? 0),
  };
}

/** Grants or removes staff status. @returns the user's username, or null when there is no such user */
export async function setUserStaff(userId: string, staff: boolean): Promise<string | null> {
  const rows = await query<{ username: string }>(sql`UPDATE users SET is_staff = ${staff} WHERE id = ${userId} RETURNING username`);
  return rows[0]?.username ?? null;
}
