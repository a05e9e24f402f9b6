// The usage charts of an application's page and of /admin/ (issue 17): what each chart counts, as
// chart-ready data (one row per UTC day of the period, zeros included) with the total the text
// summary gives. Counts come from the daily rollups only (lib/db/queries/usage.ts), which the audit
// event writes keep up to date (lib/db/queries/audit.ts). No Next.js imports.
import { z } from 'zod';
import * as q from './db/queries/usage';
import { findUserById } from './db/queries/users';
import { GRANT_CATALOGUE, GRANT_REFRESH_TOKEN, grantTypeLabel } from './oauth/grants/catalogue';
import type { ApplicationView } from './apps/service';
import { AdminNotFoundError } from './admin/service';
import type { RefusingLimit } from './rate-limits';

/** The periods offered, in days; the default is the middle one. */
export const USAGE_PERIODS = [7, 30, 90] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];
export const DEFAULT_USAGE_PERIOD: UsagePeriod = 30;

const periodSchema = z.coerce
  .number()
  .int()
  .refine((n): n is UsagePeriod => (USAGE_PERIODS as readonly number[]).includes(n));

/** The `?days=` parameter as a period; anything else (absent, repeated, not offered) is the default. */
export function parseUsagePeriod(v: unknown): UsagePeriod {
  const r = periodSchema.safeParse(typeof v === 'string' ? v : undefined);
  return r.success ? (r.data as UsagePeriod) : DEFAULT_USAGE_PERIOD;
}

export interface ChartSeries {
  /** The key of the series' value in each row. */
  key: string;
  label: string;
}

/** One chart: a bar per UTC day, stacked when it has several series. */
export interface UsageChart {
  id: string;
  title: string;
  /** What is counted, plural and singular ("tokens", "token"): for the summary. */
  unit: string;
  unitOne: string;
  series: ChartSeries[];
  /** Every day of the period, oldest first ('YYYY-MM-DD', UTC), each series' count (0 when none). */
  rows: Array<{ day: string; values: Record<string, number> }>;
  /** The period's total, all series; for active users, the busiest day's count (users are not additive across days). */
  total: number;
}

export interface UsageReport {
  days: UsagePeriod;
  /** The first and last UTC days of the period ('YYYY-MM-DD'). */
  from: string;
  to: string;
  charts: UsageChart[];
  /** Now, from the live tables: refresh-token families with a live token, and consents. */
  activeGrants: { refreshFamilies: number; consents: number };
}

export interface StaffUsageReport extends UsageReport {
  top: Array<{ applicationId: number; name: string | null; count: number }>;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The UTC days of a period ending today (`now`), oldest first. */
export function periodDays(days: UsagePeriod, now: Date = new Date()): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => isoDay(new Date(today - (days - 1 - i) * 86_400_000)));
}

/** Grant types in the catalogue's order, then any other stored ones (a grant since removed). */
function grantSeries(present: Set<string>): ChartSeries[] {
  const known = GRANT_CATALOGUE.map((g) => g.type as string).filter((t) => present.has(t));
  const other = [...present].filter((t) => !known.includes(t)).sort();
  return [...known, ...other].map((t) => ({ key: t, label: t ? grantTypeLabel(t) : 'Unknown grant' }));
}

/** The words for each hard limit's refusals (lib/rate-limits.ts REFUSING_LIMITS: every one named, each distinctly). */
export const REFUSAL_LABELS: Record<RefusingLimit, string> = {
  login: 'Logins refused (one account, one source)',
  login_per_ip: 'Logins refused (one source, any account)',
  client: 'Client authentications refused (one client, one source)',
  client_per_ip: 'Client authentications refused (one source, any client)',
  device_user_code: 'Device user codes refused (one user)',
  device_user_code_per_ip: 'Device user codes refused (one source)',
  device_authorization: 'Device authorization requests refused',
  setup_token: 'Setup tokens refused',
  registration_token: 'Registration tokens refused (RFC 7591 initial access token)',
};

const refused = (...limits: RefusingLimit[]) => limits.map((limit) => ({ metric: 'rate_limit.refused', dimension: limit, label: REFUSAL_LABELS[limit] }));

/** The rate limits' audit events (lib/rate-limits.ts) and the words for each. */
const RATE_LIMIT_SERIES: Array<{ metric: string; dimension: string; label: string }> = [
  { metric: 'login.throttled', dimension: '', label: 'Logins delayed (one account, many sources)' },
  ...refused('login', 'login_per_ip'),
  { metric: 'client.auth_throttled', dimension: '', label: 'Client secrets delayed' },
  ...refused('client', 'client_per_ip', 'device_user_code', 'device_user_code_per_ip', 'device_authorization', 'setup_token', 'registration_token'),
];
const RATE_LIMIT_METRICS = [...new Set(RATE_LIMIT_SERIES.map((s) => s.metric))];

function chart(id: string, title: string, [unit, unitOne]: [string, string], series: ChartSeries[], days: string[], value: (day: string, key: string) => number, total?: number): UsageChart {
  const rows = days.map((day) => ({ day, values: Object.fromEntries(series.map((s) => [s.key, value(day, s.key)])) }));
  const sum = rows.reduce((n, r) => n + Object.values(r.values).reduce((a, b) => a + b, 0), 0);
  return { id, title, unit, unitOne, series, rows, total: total ?? sum };
}

async function report(applicationId: number | null, days: UsagePeriod, now: Date, staff: boolean): Promise<UsageReport> {
  const dayList = periodDays(days, now);
  const from = dayList[0];
  const metrics = ['token.issued', 'client.auth_failed', ...(staff ? ['login.success', 'login.failure', ...RATE_LIMIT_METRICS] : [])];
  const [counts, users, activeGrants] = await Promise.all([
    q.dailyCounts(applicationId, from, metrics),
    q.dailyActiveUsers(applicationId, from),
    q.activeGrants(applicationId),
  ]);
  const at = new Map<string, number>();
  const add = (k: string, n: number) => at.set(k, (at.get(k) ?? 0) + n);
  for (const c of counts) add(`${c.day}|${c.metric}|${c.dimension}`, c.count);
  const get = (day: string, metric: string, dimension = '') => at.get(`${day}|${metric}|${dimension}`) ?? 0;
  const usersByDay = new Map(users.map((u) => [u.day, u.count]));
  const grants = new Set(counts.filter((c) => c.metric === 'token.issued').map((c) => c.dimension));

  const charts: UsageChart[] = [
    chart('tokens', 'Tokens issued per day, by grant type', ['tokens', 'token'], grantSeries(grants), dayList, (d, g) => get(d, 'token.issued', g)),
    chart('active-users', 'Active users per day (issued a token)', ['users', 'user'], [{ key: 'users', label: 'Active users' }], dayList, (d) => usersByDay.get(d) ?? 0, Math.max(0, ...users.map((u) => u.count))),
    chart('refreshes', 'Refreshes per day (tokens issued for a refresh token)', ['refreshes', 'refresh'], [{ key: 'refreshes', label: 'Refreshes' }], dayList, (d) => get(d, 'token.issued', GRANT_REFRESH_TOKEN)),
    chart('client-auth-failed', 'Failed client authentications per day', ['failures', 'failure'], [{ key: 'failed', label: 'Failed client authentications' }], dayList, (d) => get(d, 'client.auth_failed')),
  ];
  if (staff) {
    charts.push(
      chart('logins', 'Logins per day', ['logins', 'login'], [{ key: 'logins', label: 'Logins' }], dayList, (d) => get(d, 'login.success')),
      chart('login-failures', 'Failed logins per day', ['failed logins', 'failed login'], [{ key: 'failed', label: 'Failed logins' }], dayList, (d) => get(d, 'login.failure')),
      chart(
        'rate-limits',
        'Rate-limit hits per day',
        ['hits', 'hit'],
        RATE_LIMIT_SERIES.map((s) => ({ key: `${s.metric}:${s.dimension}`, label: s.label })),
        dayList,
        (d, key) => get(d, key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)),
      ),
    );
  }
  return { days, from, to: dayList[dayList.length - 1], charts, activeGrants };
}

/**
 * The usage of one application over the last `days` UTC days (today included). `app` comes from
 * getApplication (lib/apps/service.ts), which has checked the viewer is its owner or staff.
 */
export function applicationUsage(app: Pick<ApplicationView, 'id'>, days: UsagePeriod, now: Date = new Date()): Promise<UsageReport> {
  return report(app.id, days, now, false);
}

/**
 * The usage across applications for staff, with logins, failed logins, rate-limit hits and the
 * `topCount` applications with the most tokens issued in the period.
 * @throws AdminNotFoundError (the staff area's 404) when `actor` is not an active staff user
 */
export async function staffUsage(actor: { id: string }, days: UsagePeriod, now: Date = new Date(), topCount = 10): Promise<StaffUsageReport> {
  const u = await findUserById(actor.id);
  if (!u || !u.isStaff || !u.isActive) throw new AdminNotFoundError();
  const [r, top] = await Promise.all([report(null, days, now, true), q.topApplications(periodDays(days, now)[0], topCount)]);
  return { ...r, top };
}
