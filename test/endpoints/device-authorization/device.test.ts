// Device authorization grant (RFC 8628) over real HTTP: the device-authorization endpoint, the
// token endpoint's polling answers, and the user's side (enter the code, approve or deny) through
// the lib functions the /o/device/ page's actions call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit } from '@/lib/db/queries/audit';
import { sha256b64url } from '@/lib/oauth/random';
import { decideDevice, enterUserCode, loadDeviceConsent } from '@/lib/oauth/device';
import { setUserActive } from '@/lib/db/queries/users';
import { settings } from './settings';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MAX_FAILURES = 5;
const MAX_FAILURES_PER_IP = 8;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, RATE_LIMIT_MAX_FAILURES: String(MAX_FAILURES), RATE_LIMIT_MAX_FAILURES_PER_IP: String(MAX_FAILURES_PER_IP) });
});
afterAll(async () => srv?.close());

const post = (path: string, body: URLSearchParams, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

let ipCounter = 0;
/** A fresh IP per test, so the per-IP limit of one test does not spill into another. */
const freshIp = () => `198.51.100.${++ipCounter}`;

type App = Awaited<ReturnType<typeof makeApp>>;

async function deviceApp(over: Parameters<typeof makeApp>[0] = {}) {
  const owner = await makeUser();
  return makeApp({ name: 'Living-room TV', clientType: 'public', grantTypes: [DEVICE_GRANT, 'refresh_token'], redirectUris: [], userId: owner.id, ...over });
}

async function startDevice(app: App, extra: Record<string, string> = {}) {
  const auth: Record<string, string> = app.clientType === 'public' ? {} : { authorization: basic(app.clientId, app.secret) };
  const r = await post('/o/device-authorization/', form({ client_id: app.clientType === 'public' ? app.clientId : undefined, ...extra }), auth);
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; expires_in: number; interval: number };
}

function poll(app: App, deviceCode: string) {
  const auth: Record<string, string> = app.clientType === 'public' ? {} : { authorization: basic(app.clientId, app.secret) };
  return post('/o/token/', form({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: app.clientType === 'public' ? app.clientId : undefined }), auth);
}

/** Pretends the previous poll was long enough ago, so the next one is on time. */
async function waitedInterval(deviceCode: string) {
  await query(sql`UPDATE device_codes SET last_polled_at = now() - interval '1 hour' WHERE device_code_hash = ${sha256b64url(deviceCode)}`);
}

async function row(deviceCode: string) {
  const [r] = await query<{ status: string; user_id: string | null; interval: number; user_code: string }>(
    sql`SELECT status, user_id, interval, user_code FROM device_codes WHERE device_code_hash = ${sha256b64url(deviceCode)}`,
  );
  return r;
}

describe('device authorization endpoint (RFC 8628 §3.1–3.2)', () => {
  it('issues a device_code, an XXXX-XXXX user_code, verification URIs, expires_in and interval', async () => {
    const app = await deviceApp();
    const r = await post('/o/device-authorization/', form({ client_id: app.clientId, scope: 'read' }));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const b = await r.json();
    expect(b.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(b.verification_uri).toBe(`${srv.url}/o/device/`);
    expect(b.verification_uri_complete).toBe(`${srv.url}/o/device/?user_code=${b.user_code}`);
    expect(b.expires_in).toBe(600);
    expect(b.interval).toBe(5);
    // Stored: the device code only as SHA-256, the user code normalized (no dash).
    const rows = await query<{ device_code_hash: string; user_code: string; scope: string; status: string }>(
      sql`SELECT device_code_hash, user_code, scope, status FROM device_codes WHERE application_id = ${app.id}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].device_code_hash).toBe(sha256b64url(b.device_code));
    expect(rows[0].user_code).toBe(b.user_code.replace('-', ''));
    expect(rows[0]).toMatchObject({ scope: 'read', status: 'pending' });
  });

  it('gives each request a different device_code and user_code', async () => {
    const app = await deviceApp();
    const a = await startDevice(app);
    const b = await startDevice(app);
    expect(a.device_code).not.toBe(b.device_code);
    expect(a.user_code).not.toBe(b.user_code);
  });

  it('uses the default scopes when none is requested and rejects unknown ones (RFC 6749 §3.3)', async () => {
    const app = await deviceApp();
    const d = await startDevice(app);
    const [stored] = await query<{ scope: string }>(sql`SELECT scope FROM device_codes WHERE device_code_hash = ${sha256b64url(d.device_code)}`);
    expect(stored.scope).toBe('read write');
    const r = await post('/o/device-authorization/', form({ client_id: app.clientId, scope: 'read launch-missiles' }));
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_scope');
  });

  it('requires a confidential client to authenticate (RFC 8628 §3.1, RFC 6749 §3.2.1)', async () => {
    const app = await deviceApp({ clientType: 'confidential' });
    // RFC 6749 §5.2: without the Authorization header, 400 and no challenge; with it, 401 and Basic.
    const anon = await post('/o/device-authorization/', form({ client_id: app.clientId }));
    expect(anon.status).toBe(400);
    expect(anon.headers.get('www-authenticate')).toBeNull();
    expect((await anon.json()).error).toBe('invalid_client');
    const wrongPost = await post('/o/device-authorization/', form({ client_id: app.clientId, client_secret: 'wrong-secret-wrong-secret-wrong-secret' }));
    expect(wrongPost.status).toBe(400);
    expect(wrongPost.headers.get('www-authenticate')).toBeNull();
    const wrong = await post('/o/device-authorization/', form({}), { authorization: basic(app.clientId, 'wrong-secret-wrong-secret-wrong-secret') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
    const ok = await post('/o/device-authorization/', form({}), { authorization: basic(app.clientId, app.secret) });
    expect(ok.status).toBe(200);
  });

  it('refuses an application without the Device code grant (unauthorized_client)', async () => {
    const app = await makeApp({ clientType: 'public', grantTypes: ['authorization_code'] });
    const r = await post('/o/device-authorization/', form({ client_id: app.clientId }));
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('unauthorized_client');
    expect(await query(sql`SELECT 1 FROM device_codes WHERE application_id = ${app.id}`)).toHaveLength(0);
  });

  it('refuses GET and non-form bodies with invalid_request', async () => {
    const app = await deviceApp();
    const g = await fetch(`${srv.url}/o/device-authorization/?client_id=${app.clientId}`);
    expect(g.status).toBe(400);
    expect((await g.json()).error).toBe('invalid_request');
    const j = await fetch(`${srv.url}/o/device-authorization/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: app.clientId }) });
    expect(j.status).toBe(400);
    expect((await j.json()).error).toBe('invalid_request');
  });

  it('rate-limits requests per client and IP with 429 and Retry-After', async () => {
    const app = await deviceApp();
    for (let i = 0; i < MAX_FAILURES; i++) await startDevice(app);
    const r = await post('/o/device-authorization/', form({ client_id: app.clientId }));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await r.json()).error).toBe('temporarily_unavailable');
    expect(await query(sql`SELECT 1 FROM device_codes WHERE application_id = ${app.id}`)).toHaveLength(MAX_FAILURES);
    // Another client from the same IP is not affected.
    await startDevice(await deviceApp());
  });
});

describe('polling the token endpoint (RFC 8628 §3.4–3.5)', () => {
  it('answers authorization_pending while the user has not decided', async () => {
    const app = await deviceApp();
    const d = await startDevice(app);
    const r = await poll(app, d.device_code);
    expect(r.status).toBe(400);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await r.json()).error).toBe('authorization_pending');
  });

  it('answers slow_down to a poll inside the interval and adds 5 seconds for this and every later poll (§3.5)', async () => {
    const app = await deviceApp();
    const d = await startDevice(app);
    expect((await (await poll(app, d.device_code)).json()).error).toBe('authorization_pending');
    const fast = await poll(app, d.device_code);
    expect(fast.status).toBe(400);
    expect((await fast.json()).error).toBe('slow_down');
    expect((await row(d.device_code)).interval).toBe(10);
    expect((await (await poll(app, d.device_code)).json()).error).toBe('slow_down');
    expect((await row(d.device_code)).interval).toBe(15);
    // On time again: pending, and the raised interval stays.
    await waitedInterval(d.device_code);
    expect((await (await poll(app, d.device_code)).json()).error).toBe('authorization_pending');
    expect((await row(d.device_code)).interval).toBe(15);
  });

  it('issues tokens once the user who entered the code approves, then never again', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app, { scope: 'read' });
    const ip = freshIp();
    expect(await enterUserCode({ userId: user.id, ip }, d.user_code)).toEqual({ ok: true, userCode: d.user_code });
    expect((await row(d.device_code)).user_id).toBe(user.id);
    const consent = await loadDeviceConsent(user.id, d.user_code);
    expect(consent).toMatchObject({ appName: 'Living-room TV', scopes: ['read'], userCode: d.user_code });
    expect(consent!.ownerUsername).toBeTruthy();
    expect(await decideDevice({ userId: user.id, ip }, d.user_code, 'approve')).toEqual({ ok: true, decision: 'approved' });

    await waitedInterval(d.device_code);
    const r = await poll(app, d.device_code);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    expect(body.access_token).toBeTruthy();
    expect(body.refresh_token).toBeTruthy();
    const [t] = await query<{ user_id: string; grant_type: string }>(
      sql`SELECT user_id, grant_type FROM access_tokens WHERE token_hash = ${sha256b64url(body.access_token)}`,
    );
    expect(t).toEqual({ user_id: user.id, grant_type: DEVICE_GRANT });
    expect((await row(d.device_code)).status).toBe('consumed');
    // The approval is remembered as a consent (it shows under Authorized apps).
    expect(await query(sql`SELECT 1 FROM consents WHERE user_id = ${user.id} AND application_id = ${app.id}`)).toHaveLength(1);

    // Single use: the device code and the user code.
    await waitedInterval(d.device_code);
    const again = await poll(app, d.device_code);
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
    expect(await enterUserCode({ userId: user.id, ip }, d.user_code)).toEqual({ ok: false, error: 'invalid' });
    expect(await decideDevice({ userId: user.id, ip }, d.user_code, 'approve')).toEqual({ ok: false });
    // The refresh token works (the app has the refresh_token grant).
    const refreshed = await post('/o/token/', form({ grant_type: 'refresh_token', refresh_token: body.refresh_token, client_id: app.clientId }));
    expect(refreshed.status).toBe(200);
  });

  it('works for a confidential client authenticating with its secret', async () => {
    const app = await deviceApp({ clientType: 'confidential', grantTypes: [DEVICE_GRANT] });
    const user = await makeUser();
    const d = await startDevice(app);
    const ip = freshIp();
    expect((await enterUserCode({ userId: user.id, ip }, d.user_code)).ok).toBe(true);
    expect((await decideDevice({ userId: user.id, ip }, d.user_code, 'approve')).ok).toBe(true);
    const r = await poll(app, d.device_code);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.refresh_token).toBeUndefined(); // no refresh_token grant
  });

  it('gives the tokens to exactly one of several concurrent polls after approval', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    const ip = freshIp();
    await enterUserCode({ userId: user.id, ip }, d.user_code);
    await decideDevice({ userId: user.id, ip }, d.user_code, 'approve');
    const rs = await Promise.all(Array.from({ length: 5 }, () => poll(app, d.device_code)));
    expect(rs.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE application_id = ${app.id}`)).toHaveLength(1);
  });

  it('answers access_denied (400) after the user denies', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    const ip = freshIp();
    await enterUserCode({ userId: user.id, ip }, d.user_code);
    expect(await decideDevice({ userId: user.id, ip }, d.user_code, 'deny')).toEqual({ ok: true, decision: 'denied' });
    const r = await poll(app, d.device_code);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('access_denied');
    // A denial is final.
    expect(await decideDevice({ userId: user.id, ip }, d.user_code, 'approve')).toEqual({ ok: false });
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE application_id = ${app.id}`)).toHaveLength(0);
  });

  it("RFC 8628 §3.5: a deactivated user's device code is refused saying the account is inactive, not that the user denied it", async () => {
    const app = await deviceApp();
    const ip = freshIp();
    // Approved, then deactivated by staff (which also voids the user's pending and approved codes).
    const byStaff = await makeUser();
    const a = await startDevice(app);
    await enterUserCode({ userId: byStaff.id, ip }, a.user_code);
    await decideDevice({ userId: byStaff.id, ip }, a.user_code, 'approve');
    expect((await setUserActive(byStaff.id, false)).found).toBe(true);
    // Entered but not yet decided, then deactivated in the database directly: still pending.
    const direct = await makeUser();
    const b = await startDevice(app);
    await enterUserCode({ userId: direct.id, ip }, b.user_code);
    // Approved, then deactivated in the database directly: still 'approved'.
    const c = await startDevice(app);
    await enterUserCode({ userId: direct.id, ip }, c.user_code);
    await decideDevice({ userId: direct.id, ip }, c.user_code, 'approve');
    await query(sql`UPDATE users SET is_active = false WHERE id = ${direct.id}`);

    for (const d of [a, b, c]) {
      await waitedInterval(d.device_code);
      const r = await poll(app, d.device_code);
      const body = await r.json();
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(body).toEqual({ error: 'invalid_grant', error_description: 'The user account is inactive.' });
    }
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE application_id = ${app.id}`)).toHaveLength(0);
  });

  it('answers expired_token once the device code has expired, even if approved', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    const ip = freshIp();
    await enterUserCode({ userId: user.id, ip }, d.user_code);
    await decideDevice({ userId: user.id, ip }, d.user_code, 'approve');
    await query(sql`UPDATE device_codes SET expires_at = now() - interval '1 second' WHERE device_code_hash = ${sha256b64url(d.device_code)}`);
    const r = await poll(app, d.device_code);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('expired_token');
    expect(await query(sql`SELECT 1 FROM access_tokens WHERE application_id = ${app.id}`)).toHaveLength(0);
  });

  it('rejects an expired user code at /o/device/', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    await query(sql`UPDATE device_codes SET expires_at = now() - interval '1 second' WHERE device_code_hash = ${sha256b64url(d.device_code)}`);
    expect(await enterUserCode({ userId: user.id, ip: freshIp() }, d.user_code)).toEqual({ ok: false, error: 'invalid' });
  });

  it("answers invalid_grant to an unknown device code and to another client's", async () => {
    const app = await deviceApp();
    const other = await deviceApp();
    const d = await startDevice(app);
    const unknown = await poll(app, 'x'.repeat(43));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toBe('invalid_grant');
    const stolen = await poll(other, d.device_code);
    expect(stolen.status).toBe(400);
    expect((await stolen.json()).error).toBe('invalid_grant');
    // The other client's attempt did not count as a poll of this code.
    expect((await (await poll(app, d.device_code)).json()).error).toBe('authorization_pending');
  });

  it('refuses the grant to an application without Device code (unauthorized_client)', async () => {
    const app = await deviceApp();
    const d = await startDevice(app);
    await query(sql`UPDATE applications SET grant_types = ARRAY['authorization_code'] WHERE id = ${app.id}`);
    const { invalidateClient } = await import('@/lib/db/queries/clients');
    await invalidateClient(app.clientId);
    const r = await poll(app, d.device_code);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('unauthorized_client');
  });
});

describe('entering and deciding on a user code (RFC 8628 §3.3, DOT #1819)', () => {
  it('accepts the code in lower case, without the dash or with spaces (§6.1)', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    const typed = ' ' + d.user_code.toLowerCase().replace('-', ' ') + ' ';
    expect(await enterUserCode({ userId: user.id, ip: freshIp() }, typed)).toEqual({ ok: true, userCode: d.user_code });
  });

  it('binds the code to the first user who enters it: nobody else can see, approve or deny it', async () => {
    const app = await deviceApp();
    const alice = await makeUser();
    const mallory = await makeUser();
    const d = await startDevice(app);
    expect((await enterUserCode({ userId: alice.id, ip: freshIp() }, d.user_code)).ok).toBe(true);
    // Alice may enter it again (a reload); Mallory may not.
    expect((await enterUserCode({ userId: alice.id, ip: freshIp() }, d.user_code)).ok).toBe(true);
    expect(await enterUserCode({ userId: mallory.id, ip: freshIp() }, d.user_code)).toEqual({ ok: false, error: 'invalid' });
    expect(await loadDeviceConsent(mallory.id, d.user_code)).toBeNull();
    expect(await decideDevice({ userId: mallory.id, ip: freshIp() }, d.user_code, 'approve')).toEqual({ ok: false });
    expect(await decideDevice({ userId: mallory.id, ip: freshIp() }, d.user_code, 'deny')).toEqual({ ok: false });
    expect(await row(d.device_code)).toMatchObject({ status: 'pending', user_id: alice.id });
    expect((await (await poll(app, d.device_code)).json()).error).toBe('authorization_pending');
  });

  it('cannot approve a code that nobody entered', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    expect(await decideDevice({ userId: user.id, ip: freshIp() }, d.user_code, 'approve')).toEqual({ ok: false });
    expect((await row(d.device_code)).status).toBe('pending');
  });

  it('limits failed code entries per user, then refuses even a right code', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d = await startDevice(app);
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect(await enterUserCode({ userId: user.id, ip: freshIp() }, 'BBBB-BBBB')).toEqual({ ok: false, error: 'invalid' });
    }
    expect(await enterUserCode({ userId: user.id, ip: freshIp() }, d.user_code)).toEqual({ ok: false, error: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect((await row(d.device_code)).user_id).toBeNull();
  });

  it('limits failed code entries per IP, across users, at RATE_LIMIT_MAX_FAILURES_PER_IP', async () => {
    const app = await deviceApp();
    const ip = freshIp();
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      const u = await makeUser();
      expect((await enterUserCode({ userId: u.id, ip }, 'not-a-code')).ok).toBe(false);
    }
    const d = await startDevice(app);
    const fresh = await makeUser();
    expect(await enterUserCode({ userId: fresh.id, ip }, d.user_code)).toEqual({ ok: false, error: 'rate_limited', retryAfterSeconds: expect.any(Number) });
  });

  it('audits approvals and denials with user, application and IP', async () => {
    const app = await deviceApp();
    const user = await makeUser();
    const d1 = await startDevice(app);
    const d2 = await startDevice(app);
    const ip = freshIp();
    await enterUserCode({ userId: user.id, ip }, d1.user_code);
    await decideDevice({ userId: user.id, ip }, d1.user_code, 'approve');
    await enterUserCode({ userId: user.id, ip }, d2.user_code);
    await decideDevice({ userId: user.id, ip }, d2.user_code, 'deny');
    await flushAudit();
    const rows = await query<{ type: string; ip: string }>(
      sql`SELECT type, ip FROM audit_events WHERE actor_user_id = ${user.id} AND application_id = ${app.id} ORDER BY id`,
    );
    expect(rows).toEqual([
      { type: 'device.approved', ip },
      { type: 'device.denied', ip },
    ]);
  });
});
