// Fixed-window attempt counters in the `rate_limits` table, so that every instance shares them.
// What is counted under which key, and what a success does to each counter, is decided in
// lib/rate-limits.ts; this module only counts, atomically.
import { sql, type SQL } from 'drizzle-orm';
import { query } from '../index';
import { env } from '../../env';

export interface Counted {
  key: string;
  /** Attempts in the key's current window, this one included. */
  count: number;
  /** Seconds until the key's window ends (at least 1). */
  retryAfterSeconds: number;
}

const keyList = (keys: string[]): SQL => sql.join(keys.map((k) => sql`${k}`), sql`, `);

/**
 * Counts one attempt against each key and returns every key's count after it, in ONE statement:
 * a parallel burst cannot pass a check made before its attempts were counted. A key whose window
 * (RATE_LIMIT_WINDOW_SECONDS) has ended starts a new one at 1. Keys are taken in sorted order, so
 * that two statements sharing keys lock them in the same order (no deadlock).
 *
 * @returns one entry per distinct key, sorted by key
 */
export async function countAttempts(keys: string[]): Promise<Counted[]> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return [];
  const win = env().RATE_LIMIT_WINDOW_SECONDS;
  const rows = await query<{ key: string; count: number; retry_after: number }>(sql`
    INSERT INTO rate_limits (key, count, window_start)
    VALUES ${sql.join(
      sorted.map((k) => sql`(${k}, 1, now())`),
      sql`, `,
    )}
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${win}) THEN 1 ELSE rate_limits.count + 1 END,
      window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${win}) THEN now() ELSE rate_limits.window_start END
    RETURNING key, count,
      greatest(1, ceil(extract(epoch FROM rate_limits.window_start + make_interval(secs => ${win}) - now())))::int AS retry_after`);
  return rows
    .map((r) => ({ key: r.key, count: Number(r.count), retryAfterSeconds: Number(r.retry_after) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface Limit {
  key: string;
  /** Attempts allowed per window; the one after is refused. */
  max: number;
}

/**
 * `crossed` (attemptOverLimit only): the keys of the limits this attempt is the first over in their
 * window (one audit event per limit and crossing); empty when every limit it is over was crossed before.
 */
export type LimitCheck = { over: false } | { over: true; retryAfterSeconds: number; crossed?: string[] };

/**
 * Counts one attempt against every limit, then says whether any is now over its `max`: the
 * count-then-check of countAttempts, in one statement. Refused attempts are counted too.
 */
export async function attemptOverLimit(limits: Limit[]): Promise<LimitCheck> {
  const counted = await countAttempts(limits.map((l) => l.key));
  const byKey = new Map(counted.map((c) => [c.key, c]));
  let retry = 0;
  const crossed: string[] = [];
  for (const l of limits) {
    const c = byKey.get(l.key);
    if (c && c.count > l.max) retry = Math.max(retry, c.retryAfterSeconds);
    if (c && c.count === l.max + 1) crossed.push(l.key);
  }
  return retry > 0 ? { over: true, retryAfterSeconds: retry, crossed } : { over: false };
}

/**
 * Says whether any of `limits` is over its `max` now, counting nothing: for a second look after
 * attempts in flight had time to settle (lib/rate-limits.ts beginGuess).
 */
export async function overLimit(limits: Limit[]): Promise<LimitCheck> {
  if (limits.length === 0) return { over: false };
  const win = env().RATE_LIMIT_WINDOW_SECONDS;
  const rows = await query<{ key: string; count: number; retry_after: number }>(sql`
    SELECT key, count,
      greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => ${win}) - now())))::int AS retry_after
    FROM rate_limits
    WHERE key IN (${keyList(limits.map((l) => l.key))}) AND window_start > now() - make_interval(secs => ${win})`);
  let retry = 0;
  for (const r of rows) {
    const l = limits.find((x) => x.key === r.key);
    if (l && Number(r.count) > l.max) retry = Math.max(retry, Number(r.retry_after));
  }
  return retry > 0 ? { over: true, retryAfterSeconds: retry } : { over: false };
}

/**
 * Settles a successful attempt, in one statement: `clear` keys are deleted (their failures are
 * forgiven), `refund` keys lose the one attempt this success had counted (their other attempts
 * stay). A refund never takes a count below 0. The rows are first locked in key order, as
 * countAttempts locks them: a DELETE and an UPDATE would each lock in scan order, and a count and a
 * settle sharing keys could deadlock (40P01, seen with two instances starting under load).
 */
export async function settleAttempts(s: { clear?: string[]; refund?: string[] }): Promise<void> {
  const clear = s.clear ?? [];
  const refund = s.refund ?? [];
  if (clear.length === 0 && refund.length === 0) return;
  const all = [...new Set([...clear, ...refund])].sort();
  // The scalar subquery runs once, before either statement scans (an InitPlan): every lock in order first.
  const lockedFirst = sql`(SELECT count(*) FROM (SELECT key FROM rate_limits WHERE key IN (${keyList(all)}) ORDER BY key FOR UPDATE) l) >= 0`;
  const none = sql`NULL::text`;
  await query(sql`
    WITH locked AS MATERIALIZED (SELECT ${lockedFirst} AS ok),
    cleared AS (DELETE FROM rate_limits WHERE key IN (${clear.length ? keyList(clear) : none}) AND (SELECT ok FROM locked))
    UPDATE rate_limits SET count = greatest(count - 1, 0) WHERE key IN (${refund.length ? keyList(refund) : none}) AND (SELECT ok FROM locked)`);
}
