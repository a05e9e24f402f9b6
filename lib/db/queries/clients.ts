// Client (application) lookup for the protocol hot paths, cached in-process, with the one
// description of a suspended application (suspended by staff, or its owner is deactivated).
// Invalidation: the editing process drops the entry at once (invalidateClient); on PostgreSQL the
// edit is also broadcast with NOTIFY so every other instance drops it; a TTL bounds any miss.
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { getDb, getHandle, query } from '../index';
import { applications, users, type Application } from '../schema';
import { log } from '../../log';
import { hasNul } from '../../fields';
import { env } from '../../env';

/**
 * The owner of an application, under its own name: the token queries also join the token's user.
 * Join it with `leftJoin(appOwner, ownerOf(applications))`, then select `appSuspended`.
 */
export const appOwner = alias(users, 'app_owner');
export const ownerOf = (apps: typeof applications) => eq(appOwner.id, apps.userId);

/**
 * Whether the application is suspended: staff suspended it (`suspended_at`, lib/db/queries/registration.ts
 * setApplicationSuspended), or it has an owner and the owner is deactivated. Derived on every read,
 * so unsuspending or (re)activating the owner is the switch. The one description of "suspended":
 * `table` is the name the statement gives the applications table ('app' in the token statements).
 */
export const appSuspendedOf = (table: string) =>
  sql<boolean>`(${sql.raw(`"${table}"`)}.suspended_at IS NOT NULL OR coalesce(not ${appOwner.isActive}, false))`.mapWith((v: unknown) => v === true || v === 't');

/** appSuspendedOf the `applications` table, for statements that name it so. */
export const appSuspended = appSuspendedOf('applications');

/** An application as the protocol reads it: the row, and whether it is suspended. */
export type Client = Application & { suspended: boolean };

const CHANNEL = 'oauth_client_changed';

interface State {
  byClientId: Map<string, { app: Client | null; at: number }>;
  listening: Promise<void> | null;
}
const KEY = Symbol.for('oauth.clientCache');
type G = typeof globalThis & { [KEY]?: State };
const state = ((globalThis as G)[KEY] ??= { byClientId: new Map(), listening: null });

async function listen(): Promise<void> {
  const h = await getHandle();
  if (h.driver !== 'postgres') return;
  const client = (h.db as unknown as { $client: { listen: (ch: string, fn: (p: string) => void) => Promise<unknown> } }).$client;
  await client.listen(CHANNEL, (clientId) => state.byClientId.delete(clientId));
}

/**
 * The application with this client_id, and whether it is suspended (appSuspended), in one
 * statement; null when there is none. Cached in-process (see above).
 */
export async function getClient(clientId: string): Promise<Client | null> {
  // PostgreSQL text cannot hold NUL; such an id can match nothing, so do not send it.
  if (hasNul(clientId) || clientId.length > 255) return null;
  const hit = state.byClientId.get(clientId);
  if (hit && Date.now() - hit.at < env().limits.clientCacheMs) return hit.app;
  state.listening ??= listen().catch((e) => {
    log.warn('client_cache.listen_failed', { err: e, msg: 'relying on the TTL' });
  });
  const db = await getDb();
  const [app] = await db
    .select({ ...getTableColumns(applications), suspended: appSuspended })
    .from(applications)
    .leftJoin(appOwner, ownerOf(applications))
    .where(eq(applications.clientId, clientId))
    .limit(1);
  // Unknown ids are cached too (briefly via TTL) so that junk ids cannot force a query each time;
  // bounded so they cannot grow the map without limit.
  if (state.byClientId.size > 10_000) state.byClientId.clear();
  state.byClientId.set(clientId, { app: app ?? null, at: Date.now() });
  return app ?? null;
}

/** Call after any change to an application (or its deletion), or to its owner's is_active. */
export async function invalidateClient(clientId: string): Promise<void> {
  await invalidateClients([clientId]);
}

/** invalidateClient for several applications (e.g. every application of a user who was (de)activated). */
export async function invalidateClients(clientIds: string[]): Promise<void> {
  for (const id of clientIds) state.byClientId.delete(id);
  const h = await getHandle();
  if (h.driver === 'postgres' && clientIds.length) {
    const client = (h.db as unknown as { $client: { notify: (ch: string, p: string) => Promise<unknown> } }).$client;
    await Promise.all(clientIds.map((id) => client.notify(CHANNEL, id).catch(() => {})));
  }
}

/** The client_ids of the applications `userId` owns. */
export async function clientIdsOwnedBy(userId: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db.select({ clientId: applications.clientId }).from(applications).where(eq(applications.userId, userId));
  return rows.map((r) => r.clientId);
}

/**
 * Whether any application lists `origin` (canonical, lib/canonical.ts) among its allowed origins:
 * a CORS preflight carries no credentials, so it is answered for an origin that any application
 * allows (lib/oauth/cors.ts caches the answer).
 */
export async function anyApplicationAllowsOrigin(origin: string): Promise<boolean> {
  const rows = await query<{ ok: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM applications WHERE ${origin} = ANY(allowed_origins)) AS ok`);
  return Boolean(rows[0]?.ok);
}
