// Driver choice: PostgreSQL via postgres.js when DATABASE_URL is set, otherwise embedded PGlite
// persisted under DATA_DIR. Both run the same committed migrations from drizzle/ on first use.
// Only lib/db/queries/* import this module.
import fs from 'node:fs';
import path from 'node:path';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { is, Param, Placeholder as DrizzlePlaceholder, sql, type Placeholder, type Query, type SQL } from 'drizzle-orm';
import { PgDialect, PgPreparedQuery } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { env } from '../env';
import { acquirePgliteLock } from './pglite-lock';
import { ensurePrivateDir } from '../private-dir';
import { isDatabaseOutage, noteDatabaseOutage } from './outage';

// Both drivers expose the same query builder; the PGlite one is typed as postgres-js so that
// queries are written once (the runtime API is identical for everything we use).
export type Db = PostgresJsDatabase<typeof schema>;

/** A rendered statement made runnable: its values by placeholder name in, the driver's rows out. */
type Runnable = (values: Record<string, unknown>) => Promise<Record<string, unknown>[]>;

interface Handle {
  db: Db;
  driver: 'pglite' | 'postgres';
  close: () => Promise<void>;
  /** How `statement` runs its rendered text on this driver; bounded in time, failures are DatabaseErrors. */
  prepare: (query: Query) => Runnable;
}

const KEY = Symbol.for('oauth.db');
/** The handle once open (getHandle's promise resolved): `statement` then runs without an await. */
const OPEN = Symbol.for('oauth.db.open');
type G = typeof globalThis & { [KEY]?: Promise<Handle>; [OPEN]?: Handle };

const migrationsFolder = () => path.resolve(process.cwd(), 'drizzle');

/** The application_name of this server's PostgreSQL sessions (pg_stat_activity). */
export const APPLICATION_NAME = 'oauth-provider';

async function openPostgres(url: string, timeoutMs: number): Promise<Handle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // An outage must not hang requests: connecting gives up after DB_TIMEOUT_MS (CONNECT_TIMEOUT),
  // and the server cancels a statement that runs longer (57014). Both are outages (./outage.ts):
  // 503 with Retry-After. postgres.js reconnects by itself on the next statement.
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    connection: { application_name: APPLICATION_NAME, statement_timeout: timeoutMs },
  });
  // Drizzle runs unnamed statements (parsed and planned on every call) unless a query is built
  // with .prepare(name). Our statements are few and fixed, so let postgres.js prepare each once
  // per connection: the token endpoint's insert stops paying a parse and plan per request.
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((text: string, params?: unknown[], options?: { prepare?: boolean }) =>
    unsafe(text, params as never, { ...options, prepare: true })) as typeof client.unsafe;
  // The hot statements call postgres.js directly, as drizzle would (object rows, its parsers),
  // without drizzle's per-call work: two tracing spans, its cache check and four more promises,
  // each of which costs an async hook while Next.js' AsyncLocalStorage is on (issue 13 benchmark).
  const prepare = (q: Query): Runnable => {
    const fill = placeholderFiller(q.params);
    // An async function, though it awaits nothing: a postgres.js query (a Promise subclass) made in
    // a plain function, with Next.js' AsyncLocalStorage promise hooks on, kept TurboFan aborting its
    // compilations ("dependency change", StableMapDependency) all through a run, so this path never
    // got optimized and the compiler threads took a tenth of a core. Made in an async function, as
    // drizzle does, it does not (docs/ARCHITECTURE.md §2).
    return async (values) => {
      const params = fill(values);
      return bounded(unsafe(q.sql, params as never, { prepare: true }) as unknown as Promise<Record<string, unknown>[]>, q.sql, params);
    };
  };
  const db = drizzle(client, { schema });
  // Many instances may start at once against one database: serialise their migrations. On a
  // connection of their own, without the statement timeouts: waiting for another instance's
  // migrations, or one migration on a big table, may take longer than a request's statement may.
  const admin = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: APPLICATION_NAME } });
  unboundedStatements++;
  try {
    await admin`SELECT pg_advisory_lock(727274)`;
    await migrate(drizzle(admin, { schema }), { migrationsFolder: migrationsFolder() });
  } finally {
    unboundedStatements--;
    await admin.end({ timeout: 5 }).catch(() => {}); // the session's end releases the lock
  }
  // postgres.js reads the array types (pg_type) on every new or re-made connection, from a promise
  // nobody awaits: a connection cut during that read (an outage) was an unhandled rejection, which
  // ends a Node.js process. The types are the same for the whole pool: read them once now, on the
  // first connection, and let every later connection reuse them (the parsers are shared).
  await client`SELECT 1`;
  (client.options as { fetch_types: boolean }).fetch_types = false;
  return { db, driver: 'postgres', close: () => client.end({ timeout: 5 }), prepare };
}

async function openPglite(dir: string): Promise<Handle> {
  // DATA_DIR and its pglite/ private (0700): PGlite's own files are 0666 (lib/private-dir.ts).
  ensurePrivateDir(path.dirname(dir));
  ensurePrivateDir(dir);
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
    // Drizzle's prepared query: its PGlite session knows the parsers (timestamps stay text).
    prepare: (q) => {
      const prepared = (db as unknown as Db)._.session.prepareQuery(q, undefined, undefined, false);
      return async (values) => {
        const r = (await prepared.execute(values)) as unknown;
        return (Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
      };
    },
    close: async () => {
      await client.close();
      release();
    },
  };
}

/**
 * A failed SQL statement, without its bound values. Drizzle's own error puts every bound value in
 * its message ("Failed query: … params: …"), the drivers hang them on the cause (PGlite `params`,
 * postgres.js `parameters`), and Next.js prints a thrown error whole: a failed save would log the
 * client secret or password hash it was storing. This error carries only
 *  - `message`: `Database error <SQLSTATE>: <server message> in: <SQL text>`, any bound value that
 *    the server quoted in its message masked;
 *  - `code`: the SQLSTATE (e.g. `23505`, `22021`), `constraint`, `table`, `column` when the server
 *    named them; `query`: the SQL text with `$1…` placeholders.
 * It has no `cause`: nothing else is reachable from it.
 */
export class DatabaseError extends Error {
  // `declare`: no own property unless the server named it (Node prints every own property).
  declare readonly code?: string;
  declare readonly constraint?: string;
  declare readonly table?: string;
  declare readonly column?: string;

  constructor(
    serverMessage: string,
    readonly query: string,
    fields: { code?: string; constraint?: string; table?: string; column?: string },
  ) {
    super(`Database error${fields.code ? ' ' + fields.code : ''}: ${serverMessage} in: ${query}`);
    this.name = 'DatabaseError';
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(this, { [k]: v });
  }
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Every string among the bound values (arrays and JSON included), longest first. */
function boundStrings(params: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
    else if (v && typeof v === 'object' && depth < 4) {
      if (!(v instanceof Date)) out.push(JSON.stringify(v));
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(params, 0);
  return [...new Set(out)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * A driver or drizzle error → DatabaseError (anything else is returned unchanged). `queryText` and
 * `params` are the statement's, when known: the server message is cleaned of the bound values.
 */
export function toDatabaseError(err: unknown, queryText?: string, params?: unknown[]): unknown {
  if (err instanceof DatabaseError || !(err instanceof Error)) return err;
  const drizzle = err as Error & { query?: unknown; params?: unknown };
  const isDrizzle = err.message.startsWith('Failed query: ') && 'params' in drizzle;
  const driver = (isDrizzle ? err.cause : err) as (Error & Record<string, unknown>) | undefined;
  const isDriver = !!driver && (typeof driver.severity === 'string' || driver.name === 'PostgresError');
  if (!isDrizzle && !isDriver && queryText === undefined) return err;
  const text = queryText ?? str(drizzle.query) ?? str(driver?.query) ?? '(unknown statement)';
  let message = driver instanceof Error ? driver.message : 'failed';
  for (const v of boundStrings(params ?? drizzle.params ?? driver?.params ?? driver?.parameters)) message = message.split(v).join('[value]');
  const d: Record<string, unknown> = driver ?? {};
  // PGlite names them like libpq (constraint), postgres.js with a suffix (constraint_name).
  const field = (n: string) => str(d[n]) ?? str(d[`${n}_name`]);
  return new DatabaseError(message, text, { code: str(d.code), constraint: field('constraint'), table: field('table'), column: field('column') });
}

const GUARDED = Symbol.for('oauth.db.guarded');

/** While > 0 (migrations at start, before the server listens) statements are not bounded. */
let unboundedStatements = 0;

/**
 * Runs `fn` with this process's statements not bounded on the client side (bounded() below): for a
 * long maintenance statement of a CLI script (the usage rollups' rebuild), which also lifts the
 * server's statement_timeout with SET LOCAL. Never on a request path: it unbounds every statement
 * of the process while it runs.
 */
export async function withoutClientBound<T>(fn: () => Promise<T>): Promise<T> {
  unboundedStatements++;
  try {
    return await fn();
  } finally {
    unboundedStatements--;
  }
}

/** The client-side bound past the server's statement_timeout (ms): the answer may be slow to come back, not lost. */
const CLIENT_BOUND_MARGIN_MS = 1000;

/**
 * On PostgreSQL, `p` or, DB_TIMEOUT_MS + 1 s after it started, an outage error (code
 * DB_CLIENT_TIMEOUT). statement_timeout and connect_timeout cannot end a wait on a connection
 * whose network went silent (a failover that drops packets); this does, so a request answers 503
 * in bounded time. The statement may still finish later: nobody was told it succeeded.
 * One promise per call (every statement runs through it; Promise.race and finally made five).
 * @param statementText with `params`: the failure (the statement's, or the timeout) is the
 *   statement's (statementError); without them it is rejected as it is
 */
function bounded<T>(p: Promise<T>, statementText?: string, params?: unknown[]): Promise<T> {
  const e = env();
  // PGlite: in-process, no network to lose.
  const limit = e.DATABASE_URL && unboundedStatements === 0 ? e.DB_TIMEOUT_MS + CLIENT_BOUND_MARGIN_MS : 0;
  return new Promise<T>((resolve, reject) => {
    let timedOut = false; // a late failure was an outage already reported: not noted again
    const timer = limit
      ? setTimeout(() => {
          timedOut = true;
          const err = Object.assign(new Error(`The database did not answer within ${limit} ms`), { code: 'DB_CLIENT_TIMEOUT' });
          reject(statementText === undefined ? err : statementError(err, statementText, params));
        }, limit)
      : undefined;
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!timedOut) reject(statementText === undefined ? err : statementError(err, statementText, params));
      },
    );
  });
}

/** A statement's failure: an outage is noted (./outage.ts), and the error is its DatabaseError (toDatabaseError). */
function statementError(e: unknown, statementText: string, params: unknown[] | undefined): unknown {
  if (isDatabaseOutage(e)) noteDatabaseOutage();
  const clean = toDatabaseError(e, statementText, params);
  if (clean instanceof DatabaseError) Error.captureStackTrace(clean, statementError); // start at the caller's frames
  return clean;
}

/**
 * Puts every drizzle statement through `bounded` with its text and values (its failure a DatabaseError). Both drivers' prepared queries extend
 * drizzle's PgPreparedQuery and run each statement through its queryWithCache, which is where
 * drizzle wraps a failure with the bound values: query builders, db.execute, relational queries,
 * .prepare()d statements, migrations, and the statements of every transaction and savepoint
 * (each gets a new session, but the same class). Patched once per loaded copy of drizzle.
 */
function guardQueryErrors(): void {
  const proto = PgPreparedQuery.prototype as unknown as {
    [GUARDED]?: true;
    queryWithCache?: (queryString: string, params: unknown[], query: () => Promise<unknown>) => Promise<unknown>;
  };
  if (proto[GUARDED]) return;
  const original = proto.queryWithCache;
  if (typeof original !== 'function') {
    throw new Error('drizzle-orm changed: PgPreparedQuery.queryWithCache is gone, so lib/db/index.ts cannot keep bound values out of errors');
  }
  proto.queryWithCache = function (queryString, params, query) {
    return bounded(original.call(this, queryString, params, query), queryString, params);
  };
  proto[GUARDED] = true;
}

/** The process-wide database handle (opened and migrated once, shared across module instances). */
export function getHandle(): Promise<Handle> {
  const g = globalThis as G;
  if (!g[KEY]) {
    guardQueryErrors();
    const e = env();
    const opening = e.DATABASE_URL ? openPostgres(e.DATABASE_URL, e.DB_TIMEOUT_MS) : openPglite(path.join(e.DATA_DIR, 'pglite'));
    g[KEY] = opening;
    opening.then(
      (h) => void (g[KEY] === opening && (g[OPEN] = h)),
      () => void (g[KEY] === opening && delete g[KEY]),
    );
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
  delete g[OPEN];
  if (h) await (await h).close();
}

/** Run fn in a transaction (both drivers). A failed BEGIN or COMMIT is a DatabaseError too. */
export async function tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await getDb();
  try {
    return await bounded(db.transaction((t) => fn(t as unknown as Db)));
  } catch (e) {
    if (isDatabaseOutage(e)) noteDatabaseOutage(); // BEGIN or COMMIT on a lost connection
    throw toDatabaseError(e);
  }
}

/** Raw SQL returning rows; hides the drivers' different result shapes (array vs { rows }). */
export async function query<T extends Record<string, unknown>>(q: SQL): Promise<T[]> {
  const db = await getDb();
  const r = (await db.execute(q)) as unknown;
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

/** One placeholder per parameter of a statement (sql.placeholder), named as the parameter. */
export type Placeholders<P> = { readonly [K in keyof P & string]: Placeholder<K, P[K]> };

const placeholders = new Proxy({} as Record<string, Placeholder>, { get: (_, name) => sql.placeholder(String(name)) });
const dialect = new PgDialect();

/**
 * `q` with each placeholder bound once: drizzle renders every use of a placeholder as a parameter
 * of its own ($3 and $9 for the same value), so the issuing statements sent and PostgreSQL parsed
 * 29 to 35 parameters for 16 or 17 values. Every later use of a placeholder is renumbered to its
 * first; values that are not placeholders keep a parameter each. The text has no `$n` of its own
 * (no dollar quoting, no `$` in a literal), so every `$n` is a parameter.
 */
export function bindEachPlaceholderOnce(q: Query): Query {
  const params: unknown[] = [];
  const byName = new Map<string, number>();
  const renumber = q.params.map((param) => {
    const name = placeholderName(param);
    const seen = name === undefined ? undefined : byName.get(name);
    if (seen !== undefined) return seen;
    params.push(param);
    if (name !== undefined) byName.set(name, params.length);
    return params.length;
  });
  return { ...q, sql: q.sql.replace(/\$(\d+)\b/g, (_, n: string) => `$${renumber[Number(n) - 1]}`), params };
}

/** The name of a drizzle placeholder parameter (sql.placeholder, bare or wrapped in a Param); undefined for a value. */
function placeholderName(param: unknown): string | undefined {
  if (is(param, DrizzlePlaceholder)) return param.name;
  if (is(param, Param) && is(param.value, DrizzlePlaceholder)) return (param.value as Placeholder).name;
  return undefined;
}

/**
 * drizzle's fillPlaceholders, with the walk over the parameters done once: per call, only the
 * values are looked up (drizzle checks each parameter's class on every call).
 * @throws Error when a placeholder has no value, as drizzle does
 */
function placeholderFiller(params: readonly unknown[]): (values: Record<string, unknown>) => unknown[] {
  const slots = params.map((param) => {
    const name = placeholderName(param);
    const encoder = name !== undefined && is(param, Param) ? param.encoder : undefined;
    return { name, encoder, value: param };
  });
  return (values) =>
    slots.map(({ name, encoder, value }) => {
      if (name === undefined) return value;
      if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
      return encoder ? encoder.mapToDriverValue(values[name]) : values[name];
    });
}

/**
 * A hot statement, built and rendered once: `build` receives one placeholder per parameter (use
 * them where a value goes; the SQL text must not depend on the values) and returns the statement;
 * the returned function runs it with the values and returns its rows. Unlike `query`, no SQL
 * template is walked per call, and the driver statement is made once per database handle
 * (Handle.prepare: on PostgreSQL, postgres.js directly, which prepares it once per connection).
 * Once the database is open a call awaits nothing but the statement. Not for use inside `tx` (it
 * runs on the process-wide handle). Failures are DatabaseErrors, as for every statement.
 * @example const byHash = statement<{ hash: string }, { id: number }>((p) => sql`SELECT id FROM t WHERE h = ${p.hash}`);
 */
export function statement<P extends object, R extends Record<string, unknown>>(
  build: (p: Placeholders<P>) => SQL,
): (params: P) => Promise<R[]> {
  let text: Query | undefined;
  const byHandle = new WeakMap<Handle, Runnable>();
  const run = (h: Handle, params: P): Promise<R[]> => {
    let prepared = byHandle.get(h);
    if (!prepared) {
      text ??= bindEachPlaceholderOnce(dialect.sqlToQuery(build(placeholders as Placeholders<P>)));
      prepared = h.prepare(text);
      byHandle.set(h, prepared);
    }
    return prepared(params as Record<string, unknown>) as Promise<R[]>;
  };
  return (params) => {
    const open = (globalThis as G)[OPEN];
    return open ? run(open, params) : getHandle().then((h) => run(h, params));
  };
}

let migrationCount: number | undefined;

/** How many migrations drizzle/ holds (its journal), read once. */
function expectedMigrations(): number {
  if (migrationCount === undefined) {
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    migrationCount = journal.entries.length;
  }
  return migrationCount;
}

/**
 * Readiness (GET /readyz): one round trip that proves the database answers and that every
 * migration in drizzle/ is applied (drizzle's own table of applied migrations).
 * @returns 'ok', or 'migrations' when fewer are applied than drizzle/ holds
 * @throws whatever the statement throws (an outage: see ./outage.ts); the caller bounds the wait
 */
export async function databaseReadiness(): Promise<'ok' | 'migrations'> {
  const [row] = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
  return Number(row?.n) >= expectedMigrations() ? 'ok' : 'migrations';
}

export { sql, schema };
