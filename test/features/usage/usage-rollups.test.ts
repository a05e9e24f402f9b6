// The usage charts' daily rollups (usage_daily, usage_daily_users): written by the statement that
// writes the audit events (lib/db/queries/audit.ts flushAudit), recomputed by rebuildUsageRollups,
// and read by lib/usage.ts. After a scripted run over HTTP and through the login check, every
// rollup count must equal a COUNT over audit_events, grouped here in JavaScript by UTC day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit, rebuildUsageRollups } from '@/lib/db/queries/audit';
import { checkPassword } from '@/lib/auth/check-password';
import { decideDevice, enterUserCode } from '@/lib/oauth/device';
import { randomToken } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { applicationUsage, periodDays, staffUsage } from '@/lib/usage';
import { withSettings } from '@/test/helpers/settings';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
type App = Awaited<ReturnType<typeof makeApp>>;

const post = (path: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(params) });
const tokenPost = (app: App, params: Record<string, string | undefined>, secret = app.secret) => post('/o/token/', params, { authorization: basic(app.clientId, secret) });

/** The rollup key of an event, computed here without the SQL under test. */
function keyOf(e: { at: string | Date; type: string; application_id: number | null; detail: Record<string, unknown> | null }): string {
  const day = new Date(e.at).toISOString().slice(0, 10);
  const dim = e.type === 'token.issued' ? String(e.detail?.grant_type ?? '') : e.type === 'rate_limit.refused' ? String(e.detail?.limit ?? '') : '';
  return `${day}|${e.application_id ?? 0}|${e.type}|${dim}`;
}

/** COUNTs over audit_events vs the rollups, and distinct (day, app, user) of token.issued (also under app 0, any) vs usage_daily_users and the active_users counts. */
async function expectRollupsAgree(): Promise<Map<string, number>> {
  await flushAudit();
  const events = await query<{ at: string; type: string; application_id: string | null; actor_user_id: string | null; detail: Record<string, unknown> | null }>(
    sql`SELECT at, type, application_id, actor_user_id, detail FROM audit_events`,
  );
  const expected = new Map<string, number>();
  const users = new Set<string>();
  for (const e of events) {
    const ev = { ...e, application_id: e.application_id === null ? null : Number(e.application_id) };
    expected.set(keyOf(ev), (expected.get(keyOf(ev)) ?? 0) + 1);
    if (e.type === 'token.issued' && e.actor_user_id) {
      const day = keyOf(ev).split('|')[0];
      users.add(`${day}|${ev.application_id ?? 0}|${e.actor_user_id}`);
      users.add(`${day}|0|${e.actor_user_id}`); // and under "any application"
    }
  }
  // Active users per day and application (0: any): the distinct users just collected.
  for (const u of users) {
    const k = `${u.split('|').slice(0, 2).join('|')}|active_users|`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  const rolled = await query<{ day: string; application_id: string; metric: string; dimension: string; count: string }>(
    sql`SELECT day::text AS day, application_id, metric, dimension, count FROM usage_daily`,
  );
  const actual = new Map(rolled.map((r) => [`${r.day}|${Number(r.application_id)}|${r.metric}|${r.dimension}`, Number(r.count)]));
  expect(actual).toEqual(expected);
  const rolledUsers = await query<{ day: string; application_id: string; user_id: string }>(sql`SELECT day::text AS day, application_id, user_id FROM usage_daily_users`);
  expect(new Set(rolledUsers.map((r) => `${r.day}|${Number(r.application_id)}|${r.user_id}`))).toEqual(users);
  return actual;
}

/** Tokens by four grants (two refreshes), a failed client authentication, two logins, a failed login, a refused login. */
async function scriptedRun(): Promise<{ app: App; user: Awaited<ReturnType<typeof makeUser>> }> {
  const user = await makeUser();
  const app = await makeApp({ skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT] });
  const verifier = randomToken();
  const authz = new URL(
    `/o/authorize/?${new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256' })}`,
    srv.url,
  );
  const r = await fetch(authz, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  const code = new URL(r.headers.get('location')!).searchParams.get('code')!;
  const t = await (await tokenPost(app, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier })).json();
  const t2 = await (await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).json();
  expect((await tokenPost(app, { grant_type: 'refresh_token', refresh_token: t2.refresh_token })).status).toBe(200);
  expect((await tokenPost(app, { grant_type: 'client_credentials' })).status).toBe(200);
  const d = await (await post('/o/device-authorization/', {}, { authorization: basic(app.clientId, app.secret) })).json();
  await enterUserCode({ userId: user.id, ip: '198.51.100.9' }, d.user_code);
  await decideDevice({ userId: user.id, ip: '198.51.100.9' }, d.user_code, 'approve');
  expect((await tokenPost(app, { grant_type: DEVICE_GRANT, device_code: d.device_code })).status).toBe(200);
  expect((await tokenPost(app, { grant_type: 'client_credentials' }, 'wrong-secret')).status).toBe(401);

  expect((await checkPassword(user.username, user.password, '198.51.100.20')).ok).toBe(true);
  expect((await checkPassword(user.username, user.password, '198.51.100.21')).ok).toBe(true);
  expect(await checkPassword(user.username, 'wrong password', '198.51.100.22')).toEqual({ ok: false, reason: 'invalid' });
  // Over the per-(account, source) limit of 1: the second attempt from this source is refused.
  await withSettings({ RATE_LIMIT_MAX_FAILURES: '1' }, async () => {
    expect((await checkPassword(user.username, 'wrong password', '198.51.100.23')).ok).toBe(false);
    expect(await checkPassword(user.username, 'wrong password', '198.51.100.23')).toMatchObject({ ok: false, reason: 'rate_limited' });
  });
  return { app, user };
}

describe('usage rollups', () => {
  it('Usage rollups agree with the audit events: every metric, day and application after a scripted run and flushAudit', async () => {
    const { app, user } = await scriptedRun();
    const rolled = await expectRollupsAgree();
    const today = new Date().toISOString().slice(0, 10);
    const at = (metric: string, dim = '', appId = app.id) => rolled.get(`${today}|${appId}|${metric}|${dim}`);
    expect(at('token.issued', 'authorization_code')).toBe(1);
    expect(at('token.issued', 'refresh_token')).toBe(2);
    expect(at('token.issued', 'client_credentials')).toBe(1);
    expect(at('token.issued', DEVICE_GRANT)).toBe(1);
    expect(at('client.auth_failed')).toBe(1);
    const users = await query<{ user_id: string }>(sql`SELECT user_id FROM usage_daily_users WHERE application_id = ${app.id}`);
    expect(users.map((u) => u.user_id)).toEqual([user.id]);
    expect(at('active_users')).toBe(1);
    expect(at('login.success', '', 0)).toBeGreaterThanOrEqual(2);
    expect(at('login.failure', '', 0)).toBeGreaterThanOrEqual(2);
    expect(at('rate_limit.refused', 'login', 0)).toBeGreaterThanOrEqual(1);
  });

  it('A rate-limit refusal is audited once per limit and window (rate_limit.refused), not once per refused attempt', async () => {
    const user = await makeUser();
    await withSettings({ RATE_LIMIT_MAX_FAILURES: '1' }, async () => {
      for (let i = 0; i < 4; i++) await checkPassword(user.username, 'wrong password', '198.51.100.40');
    });
    await flushAudit();
    const rows = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE type = 'rate_limit.refused' AND actor_label = ${user.usernameCanonical}`);
    expect(rows[0].n).toBe(1);
  });

  it('Each hard limit has its own name in rate_limit.refused and its own chart series: one client from one source (client) vs one source across clients (client_per_ip)', async () => {
    const [a, b, c] = [await makeApp({ grantTypes: ['client_credentials'] }), await makeApp({ grantTypes: ['client_credentials'] }), await makeApp({ grantTypes: ['client_credentials'] })];
    const wrong = (app: App, ip: string) => post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic(app.clientId, 'wrong-secret'), 'x-forwarded-for': ip });
    const events = async (appId: number) => {
      await flushAudit();
      const rows = await query<{ limit: string }>(sql`SELECT detail->>'limit' AS limit FROM audit_events WHERE type = 'rate_limit.refused' AND application_id = ${appId}`);
      return rows.map((r) => r.limit);
    };
    await withSettings({ RATE_LIMIT_MAX_FAILURES: '1', RATE_LIMIT_MAX_FAILURES_PER_IP: '100', TRUST_PROXY: '1' }, async () => {
      // One client, one source: the second failure is over RATE_LIMIT_MAX_FAILURES.
      await wrong(a, '203.0.113.61');
      expect((await wrong(a, '203.0.113.61')).status).toBe(429);
    });
    expect(await events(a.id)).toEqual(['client']);
    await withSettings({ RATE_LIMIT_MAX_FAILURES: '100', RATE_LIMIT_MAX_FAILURES_PER_IP: '1', TRUST_PROXY: '1' }, async () => {
      // One source, two clients: the second client's failure is over RATE_LIMIT_MAX_FAILURES_PER_IP.
      await wrong(b, '203.0.113.62');
      expect((await wrong(c, '203.0.113.62')).status).toBe(429);
    });
    expect(await events(c.id)).toEqual(['client_per_ip']);
    const series = (await staffUsage(await makeUser({ isStaff: true }), 7)).charts.find((ch) => ch.id === 'rate-limits')!.series;
    const labels = series.map((s) => s.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(series.find((s) => s.key === 'rate_limit.refused:client')?.label).toBe('Client authentications refused (one client, one source)');
    expect(series.find((s) => s.key === 'rate_limit.refused:client_per_ip')?.label).toBe('Client authentications refused (one source, any client)');
  });

  it('A refused device authorization request (RFC 8628 §5.2 limit) raises rate_limit.refused for its application, counted in the rollups', async () => {
    const app = await makeApp({ grantTypes: [DEVICE_GRANT] });
    await withSettings({ RATE_LIMIT_MAX_FAILURES: '1' }, async () => {
      expect((await post('/o/device-authorization/', {}, { authorization: basic(app.clientId, app.secret) })).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await post('/o/device-authorization/', {}, { authorization: basic(app.clientId, app.secret) })).status).toBe(429);
    });
    const rolled = await expectRollupsAgree();
    expect(rolled.get(`${new Date().toISOString().slice(0, 10)}|${app.id}|rate_limit.refused|device_authorization`)).toBe(1);
  });

  it('Usage rollups group by UTC day: rebuildUsageRollups recounts back-dated events, and later flushes add to it', async () => {
    const app = await makeApp();
    const user = await makeUser();
    // Either side of a UTC midnight, three days ago.
    const d = new Date(Date.now() - 3 * 86_400_000);
    const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    const before = new Date(midnight - 1).toISOString();
    const after = new Date(midnight).toISOString();
    await query(sql`
      INSERT INTO audit_events (at, type, actor_user_id, application_id, detail) VALUES
        (${before}::timestamptz, 'token.issued', ${user.id}::uuid, ${app.id}, '{"grant_type":"authorization_code"}'),
        (${after}::timestamptz, 'token.issued', ${user.id}::uuid, ${app.id}, '{"grant_type":"authorization_code"}'),
        (${after}::timestamptz, 'token.issued', ${user.id}::uuid, ${app.id}, '{"grant_type":"refresh_token"}'),
        (${after}::timestamptz, 'client.auth_failed', NULL, ${app.id}, NULL)`);
    await rebuildUsageRollups();
    const rolled = await expectRollupsAgree();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(rolled.get(`${day(midnight - 1)}|${app.id}|token.issued|authorization_code`)).toBe(1);
    expect(rolled.get(`${day(midnight)}|${app.id}|token.issued|authorization_code`)).toBe(1);
    expect(rolled.get(`${day(midnight)}|${app.id}|client.auth_failed|`)).toBe(1);

    expect((await tokenPost(app, { grant_type: 'client_credentials' }, 'wrong-secret')).status).toBe(401);
    await expectRollupsAgree();

    // The chart data of the application's page: the same numbers, one row per day of the period.
    const usage = await applicationUsage(app, 7);
    const tokens = usage.charts.find((c) => c.id === 'tokens')!;
    expect(tokens.rows.map((r) => r.day)).toEqual(periodDays(7));
    expect(tokens.rows.find((r) => r.day === day(midnight))!.values).toEqual({ authorization_code: 1, refresh_token: 1 });
    expect(tokens.total).toBe(3);
    expect(usage.charts.find((c) => c.id === 'active-users')!.total).toBe(1);
    expect(usage.charts.find((c) => c.id === 'refreshes')!.total).toBe(1);
    expect(usage.charts.find((c) => c.id === 'client-auth-failed')!.total).toBe(2);
  });

  it('Staff usage counts across applications and is refused to anyone not staff', async () => {
    const staff = await makeUser({ isStaff: true });
    const other = await makeUser();
    await flushAudit();
    const [{ n }] = await query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_events WHERE type = 'token.issued' AND at >= (now() AT TIME ZONE 'UTC')::date - 89`,
    );
    const r = await staffUsage(staff, 90);
    expect(r.charts.find((c) => c.id === 'tokens')!.total).toBe(n);
    expect(r.top.reduce((a, t) => a + t.count, 0)).toBeLessThanOrEqual(n);
    await expect(staffUsage(other, 90)).rejects.toThrow('Not found');
  });
});
