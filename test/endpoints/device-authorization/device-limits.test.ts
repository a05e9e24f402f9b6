// RFC 8628 §5.1–5.2: the device flow's limits hold under parallel bursts, because every attempt is
// counted before it is looked at, in one statement (lib/rate-limits.ts). The user-code entry is a
// server action: its lib function is called here in parallel on the real database; the device
// authorization endpoint is called in parallel over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { form, makeApp, makeUser } from '@/test/helpers/fixtures';
import { fetchFrom, freshSource } from '@/test/helpers/source';
import { query } from '@/lib/db';
import { enterUserCode } from '@/lib/oauth/device';
import { settings } from './settings';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const MAX = 10;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, RATE_LIMIT_MAX_FAILURES: String(MAX) });
});
afterAll(async () => srv?.close());

const deviceApp = () => makeApp({ clientType: 'public', grantTypes: [DEVICE_GRANT], redirectUris: [] });
const startDevice = (source: string, clientId: string) => fetchFrom(source, `${srv.url}/o/device-authorization/`, { body: form({ client_id: clientId }) });

describe('RFC 8628 §5.1: user codes are limited per user and per source, also in parallel', () => {
  it('of 40 parallel wrong user codes, at most RATE_LIMIT_MAX_FAILURES are looked at; the rest are refused as rate limited', async () => {
    const user = await makeUser();
    const ip = freshSource();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => enterUserCode({ userId: user.id, ip }, `BBBB-${String(i).padStart(4, 'B')}`)));
    const errors = results.map((r) => (r.ok ? 'ok' : r.error));
    expect(errors.filter((e) => e === 'invalid').length).toBeLessThanOrEqual(MAX);
    expect(errors.filter((e) => e === 'rate_limited').length).toBeGreaterThanOrEqual(40 - MAX);
    expect(errors.filter((e) => e === 'ok')).toEqual([]);
  });

  it('a right code takes back only its own attempt: entering codes of one’s own devices does not reset the budget for guessing', async () => {
    const user = await makeUser();
    const app = await deviceApp();
    const ip = freshSource();
    for (let i = 0; i < MAX - 1; i++) expect(await enterUserCode({ userId: user.id, ip }, 'BBBB-BBBB')).toEqual({ ok: false, error: 'invalid' });
    const d = (await (await startDevice(freshSource(), app.clientId)).json()) as { user_code: string };
    expect((await enterUserCode({ userId: user.id, ip }, d.user_code)).ok).toBe(true);
    expect(await enterUserCode({ userId: user.id, ip }, 'BBBB-BBBB')).toEqual({ ok: false, error: 'invalid' });
    const d2 = (await (await startDevice(freshSource(), app.clientId)).json()) as { user_code: string };
    expect(await enterUserCode({ userId: user.id, ip }, d2.user_code)).toEqual({ ok: false, error: 'rate_limited', retryAfterSeconds: expect.any(Number) });
  });
});

describe('RFC 8628 §5.2: device authorization requests are limited per client and source, also in parallel', () => {
  it('of 30 parallel requests, at most RATE_LIMIT_MAX_FAILURES are answered 200; the rest 429 with Retry-After, and no code is made for them', async () => {
    const app = await deviceApp();
    const source = freshSource();
    const responses = await Promise.all(Array.from({ length: 30 }, () => startDevice(source, app.clientId)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(MAX);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30 - MAX);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    for (const r of responses.filter((x) => x.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await r.json()).error).toBe('temporarily_unavailable');
    }
    const rows = await query(sql`SELECT 1 FROM device_codes WHERE application_id = ${app.id}`);
    expect(rows.length).toBe(statuses.filter((s) => s === 200).length);
    // The same client from another source is not affected.
    expect((await startDevice(freshSource(), app.clientId)).status).toBe(200);
  });
});
