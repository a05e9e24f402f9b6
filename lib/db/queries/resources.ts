// Resources (RFC 8707): the APIs this server issues access tokens for. Reads for the protocol
// (lib/oauth/resources.ts caches them) and the built-in resource created at start; the staff's
// writes follow in their own section.
import { sql } from 'drizzle-orm';
import { getDb, query } from '../index';
import { resources } from '../schema';

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

// --- Staff: create, update, delete
