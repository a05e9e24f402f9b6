// The first admin of a fresh installation (lib/auth/first-admin.ts): whether any staff user exists,
// the setup token's hash (table setup_tokens) and the one transaction that spends it.
import { eq, sql } from 'drizzle-orm';
import { getDb, query, tx, type Db } from '../index';
import { setupTokens, users, type User } from '../schema';
import { canonicalUsername } from '../../canonical';

// Once a database has a staff user the answer stays yes for this process: the setup page is gone
// and no token is spent any more (the transaction below checks again anyway). Keyed by the
// database handle, so a test's fresh database starts with no answer.
const staffSeen = new WeakSet<Db>();

/** Whether any staff user exists (active or not). One EXISTS (it stops at the first staff row), cached once true. */
export async function staffExists(): Promise<boolean> {
  return (await setupState()).staff;
}

/**
 * Whether any staff user exists, and whether a setup token is stored (a server.ts start made one),
 * in one statement; once staff is seen, no statement at all.
 */
export async function setupState(): Promise<{ staff: boolean; token: boolean }> {
  const db = await getDb();
  if (staffSeen.has(db)) return { staff: true, token: false };
  const [r] = await query<{ staff: boolean; token: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM users WHERE is_staff) AS staff, EXISTS (SELECT 1 FROM setup_tokens) AS token`,
  );
  if (r?.staff) staffSeen.add(db);
  return { staff: Boolean(r?.staff), token: Boolean(r?.token) && !r?.staff };
}

/**
 * Keeps `tokenHash` (SHA-256, base64url) as the one setup token, in one statement: earlier
 * starts' tokens are deleted, and the new one is stored only while no staff user exists. Returns
 * whether it was stored (false: there is staff, so no token).
 */
export async function replaceSetupToken(tokenHash: string): Promise<boolean> {
  const rows = await query<{ token_hash: string }>(sql`
    WITH earlier AS (DELETE FROM setup_tokens)
    INSERT INTO setup_tokens (token_hash)
    SELECT ${tokenHash} WHERE NOT EXISTS (SELECT 1 FROM users WHERE is_staff)
    RETURNING token_hash`);
  return rows.length === 1;
}

export type FirstAdminOutcome =
  | { created: User }
  /** `token`: no such setup token (wrong, or already spent); `staff_exists`: there is an admin already; `username_taken`: the token is kept. */
  | { refused: 'token' | 'staff_exists' | 'username_taken' };

class Refused extends Error {
  constructor(public reason: 'token' | 'staff_exists' | 'username_taken') {
    super(reason);
  }
}

/**
 * Creates the first staff user if `tokenHash` is the stored setup token and no staff user exists,
 * in one transaction: the token's row is deleted first (its row lock makes concurrent submissions
 * wait, and all but one then find it gone), then the staff check, then the user. A taken username
 * rolls everything back, so the token stays usable. Every setup token is deleted with success.
 */
export async function createFirstAdmin(tokenHash: string, input: { username: string; email: string; passwordHash: string }): Promise<FirstAdminOutcome> {
  try {
    const created = await tx(async (t) => {
      const spent = await t.delete(setupTokens).where(eq(setupTokens.tokenHash, tokenHash)).returning({ h: setupTokens.tokenHash });
      if (spent.length === 0) throw new Refused('token');
      const [staff] = await t.select({ id: users.id }).from(users).where(eq(users.isStaff, true)).limit(1);
      if (staff) throw new Refused('staff_exists');
      const [u] = await t
        .insert(users)
        .values({ ...input, usernameCanonical: canonicalUsername(input.username), isStaff: true })
        .onConflictDoNothing()
        .returning();
      if (!u) throw new Refused('username_taken');
      await t.delete(setupTokens);
      return u;
    });
    staffSeen.add(await getDb());
    return { created };
  } catch (e) {
    if (e instanceof Refused) return { refused: e.reason }; // thrown to roll back; tx() passes it on as it is
    throw e;
  }
}
