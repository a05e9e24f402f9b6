// Fixed-window failure counters in the database, so the limit holds across instances.
// Only failures are counted, so a well-behaved client never pays for this.
import { sql } from 'drizzle-orm';
import { query } from '../index';
import { env } from '../../env';

/** True when `key` has used up its failures in the current window. */
export async function isRateLimited(key: string): Promise<boolean> {
  const { RATE_LIMIT_MAX_FAILURES: max, RATE_LIMIT_WINDOW_SECONDS: win } = env();
  const rows = await query<{ count: number }>(
    sql`SELECT count FROM rate_limits WHERE key = ${key} AND window_start > now() - make_interval(secs => ${win})`,
  );
  return rows.length > 0 && Number(rows[0].count) >= max;
}

/** Counts one failure for `key`. */
export async function recordFailure(key: string): Promise<void> {
  const win = env().RATE_LIMIT_WINDOW_SECONDS;
  await query(sql`
    INSERT INTO rate_limits (key, count, window_start) VALUES (${key}, 1, now())
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${win}) THEN 1 ELSE rate_limits.count + 1 END,
      window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${win}) THEN now() ELSE rate_limits.window_start END`);
}

/**
 * Counts one attempt for `key` and answers whether it is over the limit, in one statement: a burst
 * of parallel attempts cannot all pass a check made before any of them was counted. Callers clear
 * the key on success.
 */
export async function attemptOverLimit(key: string): Promise<boolean> {
  const { RATE_LIMIT_MAX_FAILURES: max, RATE_LIMIT_WINDOW_SECONDS: win } = env();
  const rows = await query<{ count: number }>(sql`
    INSERT INTO rate_limits (key, count, window_start) VALUES (${key}, 1, now())
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${win}) THEN 1 ELSE rate_limits.count + 1 END,
      window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => ${win}) THEN now() ELSE rate_limits.window_start END
    RETURNING count`);
  return Number(rows[0]?.count ?? 0) > max;
}

export async function clearFailures(key: string): Promise<void> {
  await query(sql`DELETE FROM rate_limits WHERE key = ${key}`);
}
