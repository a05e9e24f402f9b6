// Resources (RFC 8707): the APIs this server issues access tokens for. Reads for the protocol
// (lib/oauth/resources.ts caches them) and the built-in resource created at start; the staff's
// writes follow in their own section.
import { asc, eq, sql } from 'drizzle-orm';
import { getDb, getHandle, query, tx } from '../index';
import { refreshTokens, resources } from '../schema';

export type ResourceRow = typeof resources.$inferSelect;

// --- Reads and the built-in resource

/** Every resource, by id (one statement; lib/oauth/resources.ts listResources caches it). */
export async function selectResources(): Promise<ResourceRow[]> {
  const db = await getDb();
  return db.select().from(resources).orderBy(resources.id);
}

/**
 * Creates the built-in resource (`builtIn`, the server's own /api) unless one exists. Idempotent
 * under concurrent starts (several workers, two instances): the insert happens only when no
 * built-in row exists, and a concurrent insert of the same identifier is a no-op (ON CONFLICT DO
 * NOTHING on the identifier's unique index).
 * @param r identifier (`${ISSUER}/api`), name, scopes ({name, description}[])
 */
export async function ensureBuiltInResource(r: { identifier: string; name: string; scopes: { name: string; description: string }[] }): Promise<void> {
  await query(sql`
    INSERT INTO resources (identifier, name, scopes, built_in)
    SELECT ${r.identifier}::text, ${r.name}::text, ${JSON.stringify(r.scopes)}::jsonb, true
    WHERE NOT EXISTS (SELECT 1 FROM resources WHERE built_in)
    ON CONFLICT (identifier) DO NOTHING`);
}

/** Every resource, the built-in first, then by name. */
export async function listResourceRows(): Promise<ResourceRow[]> {
  const db = await getDb();
  return db.select().from(resources).orderBy(sql`${resources.builtIn} DESC`, asc(resources.name), asc(resources.id));
}

/** The resource with this exact identifier, or null. */
export async function findResourceRow(identifier: string): Promise<ResourceRow | null> {
  const db = await getDb();
  const [row] = await db.select().from(resources).where(eq(resources.identifier, identifier)).limit(1);
  return row ?? null;
}

// --- Staff: create, update, delete ---------------------------------------------------------------

export interface ResourceValues {
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  accessTokenFormat: 'opaque' | 'jwt';
  accessTokenLifetimeSeconds: number | null;
}

/** The resource with this row id, or null. */
export async function findResourceById(id: number): Promise<ResourceRow | null> {
  const db = await getDb();
  const [row] = await db.select().from(resources).where(eq(resources.id, id)).limit(1);
  return row ?? null;
}

/** Inserts a (never built-in) resource; null when the identifier is taken (its unique index). */
export async function insertResource(values: ResourceValues): Promise<ResourceRow | null> {
  const db = await getDb();
  const [row] = await db.insert(resources).values({ ...values, builtIn: false }).onConflictDoNothing({ target: resources.identifier }).returning();
  return row ?? null;
}

/**
 * Updates resource `id`. The built-in resource keeps its identifier (the caller passes it unchanged).
 * @returns the row; 'taken' when another resource has the identifier; null when there is no such row
 */
export async function updateResource(id: number, values: ResourceValues): Promise<ResourceRow | 'taken' | null> {
  const db = await getDb();
  const [clash] = await db
    .select({ id: resources.id })
    .from(resources)
    .where(sql`${resources.identifier} = ${values.identifier} AND ${resources.id} <> ${id}`)
    .limit(1);
  if (clash) return 'taken';
  try {
    const [row] = await db
      .update(resources)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(resources.id, id))
      .returning();
    return row ?? null;
  } catch (e) {
    // A concurrent insert of the same identifier (the unique index).
    if ((e as { code?: string }).code === '23505' || String((e as Error).message).includes('resources_identifier_idx')) return 'taken';
    throw e;
  }
}

/**
 * Deletes a resource that is not built in and, in the same transaction, revokes the refresh tokens
 * of every grant for it (refresh_tokens.resources names it): a removed resource gets no new access
 * tokens. Access tokens already issued stay valid until they expire (a JWT is verifiable offline
 * anyway; their `aud` is a string, nothing references the row).
 * @returns the deleted row and how many refresh tokens were revoked; 'built_in' for the built-in
 *   resource; null when there is no such row
 */
export async function deleteResource(where: { id: number } | { identifier: string }): Promise<(ResourceRow & { revokedRefreshTokens: number }) | 'built_in' | null> {
  const match = 'id' in where ? eq(resources.id, where.id) : eq(resources.identifier, where.identifier);
  return tx(async (db) => {
    const [row] = await db.delete(resources).where(sql`${match} AND NOT ${resources.builtIn}`).returning();
    if (row) {
      const revoked = await db
        .update(refreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(sql`${refreshTokens.resources} @> ARRAY[${row.identifier}]::text[] AND ${refreshTokens.revokedAt} IS NULL`)
        .returning({ id: refreshTokens.id });
      return { ...row, revokedRefreshTokens: revoked.length };
    }
    const [kept] = await db.select({ builtIn: resources.builtIn }).from(resources).where(match).limit(1);
    return kept?.builtIn ? 'built_in' : null;
  });
}

/** Unexpired, unrevoked access tokens whose audience names `identifier` (the delete confirmation says how many). */
export async function liveAccessTokenCount(identifier: string): Promise<number> {
  const rows = await query<{ n: number | string }>(
    sql`SELECT count(*)::int AS n FROM access_tokens WHERE audience @> ARRAY[${identifier}]::text[] AND revoked_at IS NULL AND expires_at > now()`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** The NOTIFY channel that tells every process on PostgreSQL to drop its cached resources. */
export const RESOURCES_CHANGED_CHANNEL = 'oauth_resources_changed';

type PgClient = { notify: (ch: string, p: string) => Promise<unknown>; listen: (ch: string, fn: (p: string) => void) => Promise<unknown> };

/**
 * Tells the other processes on PostgreSQL (other instances, and a server while a CLI command
 * changed a resource) that the resources changed; nothing on PGlite (one process). Never throws:
 * a missed notice is covered by the cache's own refresh, if it has one.
 */
export async function announceResourcesChanged(): Promise<void> {
  const h = await getHandle();
  if (h.driver !== 'postgres') return;
  await (h.db as unknown as { $client: PgClient }).$client.notify(RESOURCES_CHANGED_CHANNEL, '').catch(() => {});
}

/** Calls `onChange` whenever another process announces a change (PostgreSQL only; resolves at once on PGlite). */
export async function listenResourcesChanged(onChange: () => void): Promise<void> {
  const h = await getHandle();
  if (h.driver !== 'postgres') return;
  await (h.db as unknown as { $client: PgClient }).$client.listen(RESOURCES_CHANGED_CHANNEL, () => onChange());
}
