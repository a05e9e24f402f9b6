// The token store's guarantees that a request-level test cannot time reliably.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from './helpers/server';
import { makeApp, makeUser } from './helpers/fixtures';
import { insertTokens, revokeFamily } from '@/lib/db/queries/tokens';
import { query } from '@/lib/db';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => srv?.close());

const row = (appId: number, userId: string, familyId: string, continuing: boolean) => ({
  accessHash: crypto.randomBytes(32).toString('base64url'),
  refreshHash: crypto.randomBytes(32).toString('base64url'),
  applicationId: appId,
  userId,
  scope: 'read',
  familyId,
  grantId: null,
  grantType: continuing ? 'refresh_token' : 'authorization_code',
  accessExpiresAt: new Date(Date.now() + 3600_000),
  refreshExpiresAt: null,
  authTime: new Date(),
  nonce: null,
  revokePreviousAccess: continuing,
});

describe('token store', () => {
  it('issues nothing into a family revoked between rotation and issuance (RFC 9700 §4.14.2)', async () => {
    const user = await makeUser();
    const app = await makeApp();
    const family = crypto.randomUUID();
    expect(await insertTokens(row(app.id, user.id, family, false))).toBe(true);
    await revokeFamily(family); // e.g. the user revoked the app while a refresh was in flight
    const late = row(app.id, user.id, family, true);
    expect(await insertTokens(late)).toBe(false);
    const [{ n }] = await query<{ n: number }>(sql`
      SELECT ((SELECT count(*) FROM access_tokens WHERE token_hash = ${late.accessHash}) +
              (SELECT count(*) FROM refresh_tokens WHERE token_hash = ${late.refreshHash}))::int AS n`);
    expect(n).toBe(0);
  });

  it('continues a live family and revokes its earlier access tokens in the same statement', async () => {
    const user = await makeUser();
    const app = await makeApp();
    const family = crypto.randomUUID();
    const first = row(app.id, user.id, family, false);
    await insertTokens(first);
    expect(await insertTokens(row(app.id, user.id, family, true))).toBe(true);
    const [old] = await query<{ revoked: boolean }>(sql`SELECT revoked_at IS NOT NULL AS revoked FROM access_tokens WHERE token_hash = ${first.accessHash}`);
    expect(old.revoked).toBe(true);
    const [{ live }] = await query<{ live: number }>(sql`SELECT count(*)::int AS live FROM access_tokens WHERE family_id = ${family} AND revoked_at IS NULL`);
    expect(live).toBe(1);
  });
});
