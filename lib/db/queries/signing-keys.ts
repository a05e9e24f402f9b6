// The ID-token signing keys, shared by every instance through the database. Private keys are stored
// encrypted (lib/oauth/oidc/keys.ts does the crypto); this file only moves rows.
// Key changes are serialised with an advisory lock, so N instances starting at once on an empty
// table create exactly one key, and a rotation racing a first start cannot leave two active keys.
import { and, desc, gt, isNull, isNotNull, lt, or, sql } from 'drizzle-orm';
import { getDb, getHandle, tx, type Db } from '../index';
import { signingKeys } from '../schema';

export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type NewSigningKey = Pick<typeof signingKeys.$inferInsert, 'kid' | 'alg' | 'publicJwk' | 'privateJwkEnc'>;

const LOCK_ID = 727275;
const CHANNEL = 'oauth_signing_keys_changed';

const lock = (t: Db) => t.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_ID})`);

/** The active key (retired_at IS NULL) and the retired ones still published (retired after `retiredAfter`), newest first. */
export async function listPublishedKeys(retiredAfter: Date): Promise<SigningKeyRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(signingKeys)
    .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, retiredAfter)))
    .orderBy(desc(signingKeys.createdAt));
}

/** Inserts `key` only if there is no active key yet. Returns true when it was inserted. */
export async function insertFirstKey(key: NewSigningKey): Promise<boolean> {
  const inserted = await tx(async (t) => {
    await lock(t);
    const active = await t.select({ kid: signingKeys.kid }).from(signingKeys).where(isNull(signingKeys.retiredAt)).limit(1);
    if (active.length) return false;
    await t.insert(signingKeys).values(key);
    return true;
  });
  if (inserted) await notifyKeysChanged();
  return inserted;
}

/** Retires the active key(s) and makes `key` the active one, atomically. Returns the retired kids. */
export async function rotateKey(key: NewSigningKey): Promise<string[]> {
  const retired = await tx(async (t) => {
    await lock(t);
    const rows = await t.update(signingKeys).set({ retiredAt: sql`now()` }).where(isNull(signingKeys.retiredAt)).returning({ kid: signingKeys.kid });
    await t.insert(signingKeys).values(key);
    return rows.map((r) => r.kid);
  });
  await notifyKeysChanged();
  return retired;
}

/** Deletes keys retired before `before` (no token they signed is still valid). Returns their kids. */
export async function deleteKeysRetiredBefore(before: Date): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .delete(signingKeys)
    .where(and(isNotNull(signingKeys.retiredAt), lt(signingKeys.retiredAt, before)))
    .returning({ kid: signingKeys.kid });
  return rows.map((r) => r.kid);
}

/** Tells the other instances (PostgreSQL) to re-read the keys now rather than at their next refresh. */
export async function notifyKeysChanged(): Promise<void> {
  const h = await getHandle();
  if (h.driver !== 'postgres') return;
  const client = (h.db as unknown as { $client: { notify: (ch: string, p: string) => Promise<unknown> } }).$client;
  await client.notify(CHANNEL, 'changed').catch(() => {});
}

/** Calls `fn` whenever any instance changes the keys (PostgreSQL only; a no-op on PGlite, which is one process). */
export async function onKeysChanged(fn: () => void): Promise<void> {
  const h = await getHandle();
  if (h.driver !== 'postgres') return;
  const client = (h.db as unknown as { $client: { listen: (ch: string, fn: (p: string) => void) => Promise<unknown> } }).$client;
  await client.listen(CHANNEL, () => fn());
}
