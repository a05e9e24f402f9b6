// Driver choice: PostgreSQL via postgres.js when DATABASE_URL is set, otherwise embedded PGlite
// persisted under DATA_DIR. Both run the same committed migrations from drizzle/ on first use.
// Only lib/db/queries/* import this module.
import fs from 'node:fs';
import path from 'node:path';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { sql, type SQL } from 'drizzle-orm';
import * as schema from './schema';
import { env } from '../env';
import { acquirePgliteLock } from './pglite-lock';

// Both drivers expose the same query builder; the PGlite one is typed as postgres-js so that
// queries are written once (the runtime API is identical for everything we use).
export type Db = PostgresJsDatabase<typeof schema>;

interface Handle {
  db: Db;
  driver: 'pglite' | 'postgres';
  close: () => Promise<void>;
}

const KEY = Symbol.for('oauth.db');
type G = typeof globalThis & { [KEY]?: Promise<Handle> };

const migrationsFolder = () => path.resolve(process.cwd(), 'drizzle');

async function openPostgres(url: string): Promise<Handle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url, { max: 10, onnotice: () => {}, connection: { application_name: 'oauth-provider' } });
  // Drizzle runs unnamed statements (parsed and planned on every call) unless a query is built
  // with .prepare(name). Our statements are few and fixed, so let postgres.js prepare each once
  // per connection: the token endpoint's insert stops paying a parse and plan per request.
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((text: string, params?: unknown[], options?: { prepare?: boolean }) =>
    unsafe(text, params as never, { ...options, prepare: true })) as typeof client.unsafe;
  const db = drizzle(client, { schema });
  // Many instances may start at once against one database: serialise their migrations.
  const lock = await client.reserve();
  try {
    await lock`SELECT pg_advisory_lock(727274)`;
    await migrate(db, { migrationsFolder: migrationsFolder() });
  } finally {
    await lock`SELECT pg_advisory_unlock(727274)`.catch(() => {});
    lock.release();
  }
  return { db, driver: 'postgres', close: () => client.end({ timeout: 5 }) };
}

async function openPglite(dir: string): Promise<Handle> {
  fs.mkdirSync(dir, { recursive: true });
  const release = acquirePgliteLock(dir);
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const client = await PGlite.create(dir);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: migrationsFolder() });
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    close: async () => {
      await client.close();
      release();
    },
  };
}

/** The process-wide database handle (opened and migrated once, shared across module instances). */
export function getHandle(): Promise<Handle> {
  const g = globalThis as G;
  if (!g[KEY]) {
    const e = env();
    g[KEY] = e.DATABASE_URL ? openPostgres(e.DATABASE_URL) : openPglite(path.join(e.DATA_DIR, 'pglite'));
    g[KEY].catch(() => delete g[KEY]);
  }
  return g[KEY];
}

export async function getDb(): Promise<Db> {
  return (await getHandle()).db;
}

export async function closeDb(): Promise<void> {
  const g = globalThis as G;
  const h = g[KEY];
  delete g[KEY];
  if (h) await (await h).close();
}

/** Run fn in a transaction (both drivers). */
export async function tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await getDb();
  return db.transaction((t) => fn(t as unknown as Db));
}

/** Raw SQL returning rows; hides the drivers' different result shapes (array vs { rows }). */
export async function query<T extends Record<string, unknown>>(q: SQL): Promise<T[]> {
  const db = await getDb();
  const r = (await db.execute(q)) as unknown;
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

export { sql, schema };
