// Reads of the usage charts (lib/usage.ts): the daily rollups written with the audit events
// (./audit.ts flushAudit), never audit_events itself, so a page costs the same with a million
// events. Per application: the (application_id, day, …) primary keys; across applications: the
// (day, …) indexes.
import { sql, type SQL } from 'drizzle-orm';
import { query } from '../index';
import { tokenStateSql } from './token-state';
import { ACTIVE_USERS_METRIC } from './audit';

/** One rollup count: a UTC day ('YYYY-MM-DD'), the event type, its dimension ('' when none), the count. */
export interface DailyCount {
  day: string;
  metric: string;
  dimension: string;
  count: number;
}

const inList = (xs: string[]): SQL => sql.join(xs.map((x) => sql`${x}`), sql`, `);
const forApp = (applicationId: number | null): SQL => (applicationId === null ? sql`` : sql`application_id = ${applicationId} AND `);

/**
 * The daily counts of `metrics` (audit event types) from UTC day `from` ('YYYY-MM-DD', inclusive),
 * for one application or, when `applicationId` is null, summed over all (including events of no
 * application, e.g. logins).
 */
export async function dailyCounts(applicationId: number | null, from: string, metrics: string[]): Promise<DailyCount[]> {
  const rows = await query<{ day: string; metric: string; dimension: string; n: string | number }>(sql`
    SELECT day::text AS day, metric, dimension, sum(count)::bigint AS n FROM usage_daily
    WHERE ${forApp(applicationId)}day >= ${from}::date AND metric IN (${inList(metrics)})
    GROUP BY day, metric, dimension`);
  return rows.map((r) => ({ day: r.day, metric: r.metric, dimension: r.dimension, count: Number(r.n) }));
}

/**
 * Active users per UTC day from `from` (days with none are absent): the distinct users issued a
 * token that day by one application, or by any (a user of two applications counts once) when
 * `applicationId` is null. Kept as a count in usage_daily (./audit.ts ACTIVE_USERS_METRIC).
 */
export async function dailyActiveUsers(applicationId: number | null, from: string): Promise<Array<{ day: string; count: number }>> {
  const rows = await query<{ day: string; n: string | number }>(sql`
    SELECT day::text AS day, count AS n FROM usage_daily
    WHERE application_id = ${applicationId ?? 0} AND day >= ${from}::date AND metric = ${ACTIVE_USERS_METRIC} AND dimension = ''`);
  return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
}

/**
 * Active grants now (a gauge from the live tables, not the rollups): refresh-token families with a
 * live token (each family has at most one unrotated token) and users' consents, for one application
 * (its (application_id, user_id) index) or all.
 */
export async function activeGrants(applicationId: number | null): Promise<{ refreshFamilies: number; consents: number }> {
  const rt = tokenStateSql('refresh', 'rt');
  const app = (alias: string) => (applicationId === null ? sql`true` : sql`${sql.raw(alias)}.application_id = ${applicationId}`);
  const [r] = await query<{ families: string | number; consents: string | number }>(sql`
    SELECT (SELECT count(*) FROM refresh_tokens rt WHERE ${app('rt')} AND ${rt.is('active')})::bigint AS families,
           (SELECT count(*) FROM consents c WHERE ${app('c')})::bigint AS consents`);
  return { refreshFamilies: Number(r?.families ?? 0), consents: Number(r?.consents ?? 0) };
}

/** The applications with the most tokens issued from `from`: id, name (null once deleted), count; most first. */
export async function topApplications(from: string, limit: number): Promise<Array<{ applicationId: number; name: string | null; count: number }>> {
  const rows = await query<{ id: string | number; name: string | null; n: string | number }>(sql`
    SELECT u.application_id AS id, a.name, u.n FROM (
      SELECT application_id, sum(count)::bigint AS n FROM usage_daily
      WHERE day >= ${from}::date AND metric = 'token.issued' AND application_id <> 0
      GROUP BY application_id ORDER BY n DESC, application_id LIMIT ${limit}) u
    LEFT JOIN applications a ON a.id = u.application_id
    ORDER BY u.n DESC, u.application_id`);
  return rows.map((r) => ({ applicationId: Number(r.id), name: r.name, count: Number(r.n) }));
}
