// Client (application) lookup for the protocol hot paths, cached in-process.
// Invalidation: the editing process drops the entry at once (invalidateClient); on PostgreSQL the
// edit is also broadcast with NOTIFY so every other instance drops it; a TTL bounds any miss.
import { eq } from 'drizzle-orm';
import { getDb, getHandle } from '../index';
import { applications, type Application } from '../schema';
import { log } from '../../log';

const TTL_MS = 60_000;
const CHANNEL = 'oauth_client_changed';

interface State {
  byClientId: Map<string, { app: Application | null; at: number }>;
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

export async function getClient(clientId: string): Promise<Application | null> {
  // PostgreSQL text cannot hold NUL; such an id can match nothing, so do not send it.
  if (clientId.includes('\0') || clientId.length > 255) return null;
  const hit = state.byClientId.get(clientId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.app;
  state.listening ??= listen().catch((e) => {
    log.warn('client_cache.listen_failed', { err: e, msg: 'relying on the TTL' });
  });
  const db = await getDb();
  const [app] = await db.select().from(applications).where(eq(applications.clientId, clientId)).limit(1);
  // Unknown ids are cached too (briefly via TTL) so that junk ids cannot force a query each time;
  // bounded so they cannot grow the map without limit.
  if (state.byClientId.size > 10_000) state.byClientId.clear();
  state.byClientId.set(clientId, { app: app ?? null, at: Date.now() });
  return app ?? null;
}

/** Call after any change to an application (or its deletion). */
export async function invalidateClient(clientId: string): Promise<void> {
  state.byClientId.delete(clientId);
  const h = await getHandle();
  if (h.driver === 'postgres') {
    const client = (h.db as unknown as { $client: { notify: (ch: string, p: string) => Promise<unknown> } }).$client;
    await client.notify(CHANNEL, clientId).catch(() => {});
  }
}
