// `npm run cleartokens`: the deletion function (lib/db/queries/cleanup.ts), tested directly on
// rows in every state, and the script itself (its refusal while the embedded database is locked).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { withSettings } from '@/test/helpers/settings';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { clearExpiredTokens } from '@/lib/db/queries/cleanup';
import { DEFAULT_LIMITS } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
let appId: number;
let userId: string;
beforeAll(async () => {
  srv = await startTestServer(settings);
  appId = (await makeApp()).id;
  userId = (await makeUser()).id;
});
afterAll(async () => srv?.close());

/** "now() + <offset>" as SQL; null stays NULL. */
const at = (offset: string | null) => (offset === null ? sql`NULL` : sql`now() + ${offset}::interval`);
const hash = () => crypto.randomBytes(24).toString('base64url');

async function access(label: string, o: { expires: string; revoked?: string | null }) {
  await query(sql`
    INSERT INTO access_tokens (token_hash, application_id, user_id, scope, grant_type, expires_at, revoked_at)
    VALUES (${hash()}, ${appId}, ${userId}, ${label}, 'authorization_code', ${at(o.expires)}, ${at(o.revoked ?? null)})`);
}

async function refresh(label: string, o: { expires: string | null; revoked?: string | null; rotated?: string | null }) {
  await query(sql`
    INSERT INTO refresh_tokens (token_hash, application_id, user_id, scope, family_id, expires_at, revoked_at, rotated_at)
    VALUES (${hash()}, ${appId}, ${userId}, ${label}, ${crypto.randomUUID()}, ${at(o.expires)}, ${at(o.revoked ?? null)}, ${at(o.rotated ?? null)})`);
}

async function code(label: string, o: { expires: string; consumed?: string | null }) {
  await query(sql`
    INSERT INTO authorization_codes (code_hash, application_id, user_id, redirect_uri, scope, auth_time, expires_at, consumed_at)
    VALUES (${hash()}, ${appId}, ${userId}, 'https://example.com/cb', ${label}, now(), ${at(o.expires)}, ${at(o.consumed ?? null)})`);
}

let userCodeN = 0;
async function device(label: string, o: { expires: string; status: string }) {
  await query(sql`
    INSERT INTO device_codes (device_code_hash, user_code, application_id, scope, status, interval, expires_at)
    VALUES (${hash()}, ${'C' + String(++userCodeN).padStart(7, 'B')}, ${appId}, ${label}, ${o.status}, 5, ${at(o.expires)})`);
}

/** A pending authorization request (lib/oauth/pending-request.ts), labelled by its state. */
async function pending(label: string, o: { expires: string }) {
  await query(sql`
    INSERT INTO authorization_requests (request_id_hash, application_id, params, client_ip, expires_at)
    VALUES (${hash()}, ${appId}, ${JSON.stringify({ state: label })}::text::jsonb, '192.0.2.1', ${at(o.expires)})`);
}

const labels = async (table: 'access_tokens' | 'refresh_tokens' | 'authorization_codes' | 'device_codes') =>
  (await query<{ scope: string }>(sql`SELECT scope FROM ${sql.identifier(table)} ORDER BY scope`)).map((r) => r.scope);

const pendingLabels = async () =>
  (await query<{ state: string }>(sql`SELECT params->>'state' AS state FROM authorization_requests ORDER BY 1`)).map((r) => r.state);

async function wipe() {
  await query(sql`DELETE FROM access_tokens`);
  await query(sql`DELETE FROM refresh_tokens`);
  await query(sql`DELETE FROM authorization_codes`);
  await query(sql`DELETE FROM device_codes`);
  await query(sql`DELETE FROM rate_limits`);
  await query(sql`DELETE FROM authorization_requests`);
}

describe('clearExpiredTokens', () => {
  it('deletes exactly the expired and revoked rows, and keeps what reuse detection needs', async () => {
    await wipe();
    await access('a-keep-live', { expires: '1 hour' });
    await access('a-del-expired', { expires: '-1 second' });
    await access('a-del-revoked', { expires: '1 hour', revoked: '-1 minute' });
    await access('a-del-expired-revoked', { expires: '-1 hour', revoked: '-2 hours' });

    // With an expiry: a revoked or rotated token is kept until it expires (RFC 9700 §4.14.2).
    await refresh('r-keep-live', { expires: '1 day' });
    await refresh('r-keep-revoked-unexpired', { expires: '1 day', revoked: '-40 days' });
    await refresh('r-keep-rotated-unexpired', { expires: '1 day', rotated: '-40 days' });
    await refresh('r-del-expired', { expires: '-1 second' });
    await refresh('r-del-revoked-expired', { expires: '-1 second', revoked: '-1 day' });
    // Without expiry: live ones forever; dead ones for the retention (30 days here).
    await refresh('r-keep-live-noexpiry', { expires: null });
    await refresh('r-keep-live-old-noexpiry', { expires: null });
    await query(sql`UPDATE refresh_tokens SET created_at = now() - interval '400 days' WHERE scope = 'r-keep-live-old-noexpiry'`);
    await refresh('r-keep-revoked-29d', { expires: null, revoked: '-29 days' });
    await refresh('r-keep-rotated-29d', { expires: null, rotated: '-29 days' });
    await refresh('r-del-revoked-31d', { expires: null, revoked: '-31 days' });
    await refresh('r-del-rotated-31d', { expires: null, rotated: '-31 days' });
    // Rotated long ago but revoked recently (family revoked on reuse): dead since the rotation.
    await refresh('r-del-rotated-31d-revoked-1d', { expires: null, rotated: '-31 days', revoked: '-1 day' });

    await code('c-keep-unused', { expires: '30 seconds' });
    await code('c-keep-used-unexpired', { expires: '30 seconds', consumed: '-1 second' });
    await code('c-del-expired', { expires: '-1 second' });
    await code('c-del-used-expired', { expires: '-1 minute', consumed: '-2 minutes' });

    await device('d-keep-pending', { expires: '5 minutes', status: 'pending' });
    await device('d-keep-approved', { expires: '5 minutes', status: 'approved' });
    await device('d-keep-denied', { expires: '5 minutes', status: 'denied' });
    await device('d-del-consumed', { expires: '5 minutes', status: 'consumed' });
    await device('d-del-expired', { expires: '-1 second', status: 'pending' });

    await query(sql`INSERT INTO rate_limits (key, count, window_start) VALUES ('old', 3, now() - interval '1 day'), ('current', 3, now())`);

    await pending('p-keep-live', { expires: '29 minutes' });
    await pending('p-del-expired', { expires: '-1 second' });

    const r = await clearExpiredTokens();
    expect(r).toEqual({ accessTokens: 3, refreshTokens: 5, authorizationCodes: 2, deviceCodes: 2, rateLimits: 1, sessions: 0, authorizationRequests: 1, metadataClients: 0 });
    expect(await labels('access_tokens')).toEqual(['a-keep-live']);
    expect(await labels('refresh_tokens')).toEqual([
      'r-keep-live',
      'r-keep-live-noexpiry',
      'r-keep-live-old-noexpiry',
      'r-keep-revoked-29d',
      'r-keep-revoked-unexpired',
      'r-keep-rotated-29d',
      'r-keep-rotated-unexpired',
    ]);
    expect(await labels('authorization_codes')).toEqual(['c-keep-unused', 'c-keep-used-unexpired']);
    expect(await labels('device_codes')).toEqual(['d-keep-approved', 'd-keep-denied', 'd-keep-pending']);
    expect((await query<{ key: string }>(sql`SELECT key FROM rate_limits`)).map((x) => x.key)).toEqual(['current']);
    expect(await pendingLabels()).toEqual(['p-keep-live']);

    // Idempotent: a second run finds nothing.
    expect(await clearExpiredTokens()).toEqual({ accessTokens: 0, refreshTokens: 0, authorizationCodes: 0, deviceCodes: 0, rateLimits: 0, sessions: 0, authorizationRequests: 0, metadataClients: 0 });
  });

  it('deletes Client ID Metadata Document clients unused for 30 days; keeps one with a live token, a recent one, one staff restricted (suspended, owned, allowed scopes), and every other kind of client', async () => {
    await wipe();
    const day = 24 * 3600;
    expect(DEFAULT_LIMITS.unusedMetadataClientRetentionSeconds).toBe(30 * day);
    const cimd = (name: string, fetchedDaysAgo: number, over: Parameters<typeof makeApp>[0] = {}) =>
      makeApp({
        name,
        clientId: `https://${name}.example/client.json`,
        clientType: 'public',
        registrationMethod: 'metadata_document',
        metadataFetchedAt: new Date(Date.now() - fetchedDaysAgo * day * 1000),
        ...over,
      });
    await cimd('stale', 31);
    const withToken = await cimd('stale-with-token', 31);
    await query(sql`
      INSERT INTO refresh_tokens (token_hash, application_id, user_id, scope, family_id, expires_at)
      VALUES (${hash()}, ${withToken.id}, ${userId}, 'keep', ${crypto.randomUUID()}, now() + interval '1 day')`);
    await cimd('recent', 29);
    await cimd('suspended', 31, { suspendedAt: new Date() });
    // Restricted by staff: given an owner (suspended with them when deactivated), or allowed scopes.
    await cimd('owned', 31, { userId });
    await cimd('restricted', 31, { allowedScopes: [] });
    await makeApp({ name: 'dynamic', registrationMethod: 'dynamic', createdAt: new Date(Date.now() - 90 * day * 1000) });
    const before = await query<{ name: string }>(sql`SELECT name FROM applications ORDER BY name`);
    const r = await clearExpiredTokens();
    expect(r.metadataClients).toBe(1);
    const after = (await query<{ name: string }>(sql`SELECT name FROM applications ORDER BY name`)).map((x) => x.name);
    expect(after).toEqual(before.map((x) => x.name).filter((n) => n !== 'stale'));
    await query(sql`DELETE FROM applications WHERE registration_method <> 'form'`);
  });

  it('deletes in batches of the given size until nothing is left', async () => {
    await wipe();
    for (let i = 0; i < 7; i++) await access(`a-del-${i}`, { expires: '-1 minute' });
    await access('a-keep', { expires: '1 minute' });
    const batches: Array<[string, number]> = [];
    const r = await clearExpiredTokens({ batchSize: 3, onBatch: (t, n) => batches.push([t, n]) });
    expect(r.accessTokens).toBe(7);
    expect(batches).toEqual([
      ['access_tokens', 3],
      ['access_tokens', 3],
      ['access_tokens', 1],
    ]);
    expect(await labels('access_tokens')).toEqual(['a-keep']);
  });

  it('keeps dead refresh tokens without expiry for REFRESH_TOKEN_EXPIRE_SECONDS when it is set', async () => {
    expect(DEFAULT_LIMITS.revokedRefreshRetentionSeconds).toBe(30 * 24 * 3600);
    await wipe();
    await refresh('r-keep-revoked-12h', { expires: null, revoked: '-12 hours' });
    await refresh('r-del-revoked-2d', { expires: null, revoked: '-2 days' });
    await withSettings({ REFRESH_TOKEN_EXPIRE_SECONDS: '86400' }, async () => {
      expect((await clearExpiredTokens()).refreshTokens).toBe(1);
    });
    expect(await labels('refresh_tokens')).toEqual(['r-keep-revoked-12h']);
  });
});

describe('npm run cleartokens', () => {
  const script = path.resolve('scripts/cleartokens.ts');
  // Another process: its settings come from its environment, the test server's database.
  const run = () =>
    spawnSync(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...srv.db.env, NODE_ENV: 'test' }, encoding: 'utf8', timeout: 60_000 });

  it('refuses to open the embedded database while the server holds it, and deletes nothing', async () => {
    if (srv.db.kind !== 'pglite') {
      // On PostgreSQL there is no lock: covered by the next test.
      expect(srv.db.env.DATABASE_URL).toBeTruthy();
      return;
    }
    await wipe();
    await access('a-expired', { expires: '-1 minute' });
    const r = run();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nothing was deleted');
    expect(r.stderr).toContain(`in use by process ${process.pid}`);
    expect(r.stderr).toContain('DATABASE_URL');
    expect(await labels('access_tokens')).toEqual(['a-expired']);
  });

  it('runs any time with DATABASE_URL and prints what it removed', async () => {
    if (srv.db.kind !== 'postgres') {
      expect(srv.db.kind).toBe('pglite'); // covered on PostgreSQL (TEST_DB=postgres)
      return;
    }
    await wipe();
    await access('a-expired', { expires: '-1 minute' });
    await access('a-live', { expires: '1 minute' });
    await refresh('r-revoked-unexpired', { expires: '1 day', revoked: '-1 minute' });
    const r = run();
    // Only which database it used (host and database, never a password), nothing else.
    const u = new URL(srv.db.env.DATABASE_URL!);
    expect(r.stderr).toBe(`Database: PostgreSQL ${u.host}${u.pathname}\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('batches of 10,000');
    expect(r.stdout).toContain('Deleted 1 access tokens');
    expect(r.stdout).toContain('Deleted 0 refresh tokens');
    expect(r.stdout).toContain('Deleted 0 pending authorization requests (expired)');
    expect(r.stdout).toContain('Deleted 0 clients of Client ID Metadata Documents unused for 30 days');
    expect(await labels('access_tokens')).toEqual(['a-live']);
    expect(await labels('refresh_tokens')).toEqual(['r-revoked-unexpired']);
  });
});
