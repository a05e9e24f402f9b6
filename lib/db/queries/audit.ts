// Security events for the admin's audit log. Writes are batched (one multi-row INSERT per tick)
// so that logging every token issuance does not double the token endpoint's round trips.
import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { getDb, getHandle, query, tx, withoutClientBound } from '../index';
import { applications, auditEvents, users } from '../schema';
import { page, type Page } from './page';
import { log } from '../../log';
import { env } from '../../env';
import { outageCode, OUTAGE_RETRY_AFTER_SECONDS } from '../outage';

export type AuditType =
  | 'login.success'
  | 'login.failure'
  /** Attempts on one account from many sources went past RATE_LIMIT_MAX_FAILURES: they are now delayed (lib/rate-limits.ts). */
  | 'login.throttled'
  | 'user.signup'
  | 'user.password_changed'
  | 'consent.granted'
  | 'consent.denied'
  | 'consent.revoked'
  | 'token.issued'
  | 'token.revoked'
  | 'code.replayed'
  | 'refresh.reuse_detected'
  | 'client.auth_failed'
  /** The same, for one client's secret. */
  | 'client.auth_throttled'
  /** An attempt was refused by a hard rate limit (lib/rate-limits.ts); raised once per limit and window, by its first refused attempt. detail.limit names it. */
  | 'rate_limit.refused'
  | 'application.created'
  | 'application.updated'
  | 'application.deleted'
  | 'application.secret_reset'
  | 'device.approved'
  | 'device.denied'
  | 'admin.action';

export interface AuditInput {
  actorUserId?: string | null;
  actorLabel?: string | null;
  applicationId?: number | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

type Row = typeof auditEvents.$inferInsert;
const KEY = Symbol.for('oauth.audit');
type State = { queue: Row[]; timer: NodeJS.Timeout | null; flushing: Promise<void> | null; writing?: number };
type G = typeof globalThis & { [KEY]?: State };
const state = ((globalThis as G)[KEY] ??= { queue: [], timer: null, flushing: null });

export function audit(type: AuditType, e: AuditInput = {}): void {
  state.queue.push({ type, at: new Date(), ...e, detail: e.detail ?? null });
  const { auditMaxBatch, auditFlushMs } = env().limits;
  if (state.queue.length >= auditMaxBatch) void flushAudit();
  else state.timer ??= setTimeout(() => void flushAudit(), auditFlushMs);
}

/** How many full batches of events are held in memory while the database is unreachable. */
const AUDIT_HELD_BATCHES = 50;

/** Events queued or being written, not yet committed (shutdown reports them when the database is away). */
export function pendingAuditEvents(): number {
  return state.queue.length + (state.writing ?? 0);
}

/** Writes queued events now (tests and shutdown call this). During an outage they stay queued (pendingAuditEvents). */
export async function flushAudit(): Promise<void> {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  while (state.flushing) await state.flushing;
  if (state.queue.length === 0) return;
  const batch = state.queue.splice(0, state.queue.length);
  state.writing = batch.length;
  state.flushing = (async () => {
    try {
      // One fixed statement with one JSON parameter, whatever the batch size: a multi-row VALUES
      // list would be a new statement (and a new prepared plan) for every batch length.
      const rows = batch.map((b) => ({
        at: (b.at ?? new Date()).toISOString(),
        type: b.type,
        actor_user_id: b.actorUserId ?? null,
        actor_label: b.actorLabel ?? null,
        application_id: b.applicationId ?? null,
        ip: b.ip ?? null,
        detail: b.detail ?? null,
      }));
      // The same statement keeps the usage rollups (usage_daily, usage_daily_users) up to date:
      // no extra round trip, and the counts commit or fail with the events they count. Rows are
      // upserted in key order, so two instances flushing at once lock them in the same order.
      await query(sql`
        WITH e AS (
          SELECT (x->>'at')::timestamptz AS at, x->>'type' AS type, (x->>'actor_user_id')::uuid AS actor_user_id,
                 x->>'actor_label' AS actor_label, (x->>'application_id')::bigint AS application_id, x->>'ip' AS ip,
                 NULLIF(x->'detail', 'null'::jsonb) AS detail
          FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS x),
        inserted AS (
          INSERT INTO audit_events (at, type, actor_user_id, actor_label, application_id, ip, detail)
          SELECT at, type, actor_user_id, actor_label, application_id, ip, detail FROM e),
        counted AS (
          INSERT INTO usage_daily AS u (day, application_id, metric, dimension, count)
          ${ROLLUP_COUNTS} FROM e GROUP BY 1, 2, 3, 4 ORDER BY 2, 1, 3, 4
          ON CONFLICT (application_id, day, metric, dimension) DO UPDATE SET count = u.count + excluded.count),
        users_new AS (
          INSERT INTO usage_daily_users (day, application_id, user_id)
          ${ROLLUP_USERS} FROM e, ${ROLLUP_USERS_APPS} WHERE ${ROLLUP_USERS_WHERE} ORDER BY 2, 1, 3
          ON CONFLICT DO NOTHING RETURNING day, application_id)
        INSERT INTO usage_daily AS u (day, application_id, metric, dimension, count)
        SELECT day, application_id, ${ACTIVE_USERS}, '', count(*) FROM users_new GROUP BY 1, 2 ORDER BY 2, 1
        ON CONFLICT (application_id, day, metric, dimension) DO UPDATE SET count = u.count + excluded.count`);
    } catch (err) {
      const outage = outageCode(err);
      // While the database is away the batch waits (before newer events) and is retried after
      // the outage's Retry-After, up to AUDIT_HELD_BATCHES batches held; past that, or for any other failure, it is dropped.
      if (outage && state.queue.length + batch.length <= env().limits.auditMaxBatch * AUDIT_HELD_BATCHES) {
        state.queue.unshift(...batch);
        state.timer ??= setTimeout(() => void flushAudit(), OUTAGE_RETRY_AFTER_SECONDS * 1000);
        log.warn('audit.write_deferred', { events: batch.length, error_code: outage });
      } else log.error('audit.write_failed', { events: batch.length, err });
    } finally {
      state.writing = 0;
      state.flushing = null;
    }
  })();
  await state.flushing;
}

// --- usage rollups (lib/usage.ts reads them) ---------------------------------------------------------

/**
 * The counts of a set of events `e` (audit_events' columns): per UTC day, application (0 when
 * none), event type (the metric) and dimension: the grant type of `token.issued`, the limit of
 * `rate_limit.refused`, else ''. Followed by FROM … GROUP BY 1, 2, 3, 4.
 */
const ROLLUP_COUNTS = sql.raw(`SELECT (at AT TIME ZONE 'UTC')::date, coalesce(application_id, 0), type,
  CASE type WHEN 'token.issued' THEN coalesce(detail->>'grant_type', '') WHEN 'rate_limit.refused' THEN coalesce(detail->>'limit', '') ELSE '' END,
  count(*)`);
/**
 * The distinct (day, application, user) of the tokens issued to a user ("active users"), each also
 * under application 0, "any application" (a token is always issued to an application, so 0 is free
 * here): the set that makes a user count once per day and application. Followed by
 * FROM <events>, ROLLUP_USERS_APPS WHERE ROLLUP_USERS_WHERE.
 */
const ROLLUP_USERS = sql.raw(`SELECT DISTINCT (at AT TIME ZONE 'UTC')::date, v.a, actor_user_id`);
const ROLLUP_USERS_APPS = sql.raw(`LATERAL (VALUES (coalesce(application_id, 0)), (0::bigint)) AS v(a)`);
const ROLLUP_USERS_WHERE = sql.raw(`type = 'token.issued' AND actor_user_id IS NOT NULL`);
/**
 * The metric of usage_daily that counts those users per day and application (0: any), kept with
 * them: one more per (day, application, user) newly inserted. Not an event type.
 */
export const ACTIVE_USERS_METRIC = 'active_users';
const ACTIVE_USERS = sql`${ACTIVE_USERS_METRIC}`;

/**
 * Recomputes the usage rollups from audit_events (`npm run rollups -- --rebuild`; migration 0009
 * fills them the same way once). For CLI scripts and tests: its statements are not time-bounded. The tables are locked against writers first, so a batch being
 * flushed meanwhile is either counted here or adds its counts after: never both, never neither.
 *
 * @returns the rows written to usage_daily and usage_daily_users
 */
export async function rebuildUsageRollups(): Promise<{ counts: number; users: number }> {
  // A million events take longer than a request's statement may (DB_TIMEOUT_MS): a CLI's work.
  return withoutClientBound(() => tx(async (t) => {
    if ((await getHandle()).driver === 'postgres') await t.execute(sql`SET LOCAL statement_timeout = 0`);
    await t.execute(sql`LOCK TABLE usage_daily, usage_daily_users IN SHARE ROW EXCLUSIVE MODE`);
    await t.execute(sql`DELETE FROM usage_daily`);
    await t.execute(sql`DELETE FROM usage_daily_users`);
    await t.execute(sql`INSERT INTO usage_daily (day, application_id, metric, dimension, count) ${ROLLUP_COUNTS} FROM audit_events GROUP BY 1, 2, 3, 4`);
    await t.execute(sql`INSERT INTO usage_daily_users (day, application_id, user_id) ${ROLLUP_USERS} FROM audit_events, ${ROLLUP_USERS_APPS} WHERE ${ROLLUP_USERS_WHERE}`);
    await t.execute(sql`INSERT INTO usage_daily (day, application_id, metric, dimension, count) SELECT day, application_id, ${ACTIVE_USERS}, '', count(*) FROM usage_daily_users GROUP BY 1, 2`);
    const r = (await t.execute(sql`SELECT (SELECT count(*) FROM usage_daily)::int AS counts, (SELECT count(*) FROM usage_daily_users)::int AS users`)) as unknown;
    const [row] = (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<{ counts: number; users: number }>;
    return { counts: Number(row.counts), users: Number(row.users) };
  }));
}

// --- the staff area's audit log (lib/admin/service.ts checks staff before calling it) ----------------

export interface AdminAuditRow {
  id: number;
  at: Date;
  type: string;
  actorUserId: string | null;
  actorUsername: string | null;
  actorLabel: string | null;
  applicationId: number | null;
  applicationName: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  type?: string;
  actorUserId?: string;
  /** Matches actor_label, any of these: e.g. the canonical username of a failed login, which may belong to nobody. */
  actorLabels?: string[];
  applicationId?: number;
  ip?: string;
  after?: number;
  limit: number;
}

/** Newest first by time (audit_events_at_idx, or (type, at) when filtered by type), keyset-paginated (./page.ts). */
export async function listAuditEvents(f: AuditQuery): Promise<Page<AdminAuditRow>> {
  const db = await getDb();
  const e = auditEvents;
  const byLabel = f.actorLabels?.length ? inArray(e.actorLabel, f.actorLabels) : undefined;
  const byId = f.actorUserId ? eq(e.actorUserId, f.actorUserId) : undefined;
  const actor = byId && byLabel ? or(byId, byLabel) : (byId ?? byLabel);
  const conds = [
    f.type ? eq(e.type, f.type) : undefined,
    actor,
    f.applicationId ? eq(e.applicationId, f.applicationId) : undefined,
    f.ip ? eq(e.ip, f.ip) : undefined,
    f.after ? sql`(${e.at}, ${e.id}) < (SELECT a2.at, a2.id FROM audit_events a2 WHERE a2.id = ${f.after})` : undefined,
  ];
  const rows = await db
    .select({
      id: e.id,
      at: e.at,
      type: e.type,
      actorUserId: e.actorUserId,
      actorUsername: users.username,
      actorLabel: e.actorLabel,
      applicationId: e.applicationId,
      applicationName: applications.name,
      ip: e.ip,
      detail: e.detail,
    })
    .from(e)
    .leftJoin(users, eq(users.id, e.actorUserId))
    .leftJoin(applications, eq(applications.id, e.applicationId))
    .where(and(...conds))
    .orderBy(desc(e.at), desc(e.id))
    .limit(f.limit + 1);
  return page(rows, f.limit, (r) => String(r.id));
}
