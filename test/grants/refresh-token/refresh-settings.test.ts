// The refresh_token grant with the optional settings on: REFRESH_TOKEN_GRACE_PERIOD_SECONDS=30 and
// REFRESH_TOKEN_EXPIRE_SECONDS=120 (this file's own process and environment).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, postToken, tokensFor } from '@/test/helpers/codeflow';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb, query, sql } from '@/lib/db';
import { refreshTokens } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let app: Awaited<ReturnType<typeof makeApp>>;

beforeAll(async () => {
  srv = await startTestServer({ ...settings, REFRESH_TOKEN_GRACE_PERIOD_SECONDS: '30', REFRESH_TOKEN_EXPIRE_SECONDS: '120' });
  user = await makeUser();
  app = await makeApp({ skipAuthorization: true });
});
afterAll(async () => srv?.close());

const refresh = (rt: string, extra: Record<string, string> = {}) => postToken(srv, { grant_type: 'refresh_token', refresh_token: rt, ...extra }, creds(app));
async function rtRow(token: string) {
  const [row] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(token)));
  return row;
}
const familyOf = async (token: string) => (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.familyId, (await rtRow(token)).familyId));

describe('REFRESH_TOKEN_EXPIRE_SECONDS', () => {
  it('gives every refresh token (first and rotated) the configured lifetime', async () => {
    const before = Date.now();
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    for (const rt of [t.refresh_token, b.refresh_token]) {
      const ttl = (await rtRow(rt)).expiresAt!.getTime() - before;
      expect(ttl).toBeGreaterThan(119_000);
      expect(ttl).toBeLessThan(125_000);
    }
  });

  it('rejects an expired refresh token with invalid_grant (and does not treat it as reuse)', async () => {
    const t = await tokensFor(srv, app, user);
    await query(sql`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    const row = await rtRow(t.refresh_token);
    expect(row.rotatedAt).toBeNull();
    expect(row.revokedAt).toBeNull();
  });

  it('answers invalid_grant, not invalid_scope, for an expired token with a widened scope', async () => {
    const t = await tokensFor(srv, app, user);
    await query(sql`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
    await expectOAuthError(await refresh(t.refresh_token, { scope: 'read write introspection' }), 400, 'invalid_grant');
  });
});

describe('REFRESH_TOKEN_GRACE_PERIOD_SECONDS', () => {
  it('accepts a superseded token again within the grace period, in the same family', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    const again = await refresh(t.refresh_token);
    const body = await again.json();
    expect(again.status, JSON.stringify(body)).toBe(200);
    expect((await rtRow(body.refresh_token)).familyId).toBe((await rtRow(t.refresh_token)).familyId);
    expect((await refresh(b.refresh_token)).status).toBe(200);
  });

  it('RFC 9700 §4.14.2: the grace period accepts a superseded token once: of parallel retries one wins, and a later use is refused', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    const retries = await Promise.all(Array.from({ length: 8 }, () => refresh(t.refresh_token)));
    expect(retries.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    // The family has the rotation's token and the one retry's, nothing more.
    expect((await familyOf(t.refresh_token)).length).toBe(3);
    expect((await refresh(b.refresh_token)).status).toBe(200);
  });

  it('DOT #1816: never accepts a revoked token inside the grace period', async () => {
    const t = await tokensFor(srv, app, user);
    await (await refresh(t.refresh_token)).json();
    // The user revokes the authorization (every token of the family), seconds after the rotation.
    await query(sql`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ${(await rtRow(t.refresh_token)).familyId}`);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
  });

  it('cannot widen the scope inside the grace period', async () => {
    const t = await tokensFor(srv, app, user);
    await (await refresh(t.refresh_token)).json();
    await expectOAuthError(await refresh(t.refresh_token, { scope: 'read write introspection' }), 400, 'invalid_scope');
  });

  it('revokes the family when a superseded token comes back after the grace period', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    await query(sql`UPDATE refresh_tokens SET rotated_at = now() - interval '31 seconds' WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    for (const row of await familyOf(t.refresh_token)) expect(row.revokedAt).not.toBeNull();
    await expectOAuthError(await refresh(b.refresh_token), 400, 'invalid_grant');
  });
});

describe('the grace period shields only the latest rotation of a live family', () => {
  it('DOT #1816: rejects the superseded token once its successor was revoked', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    // e.g. RFC 7009 revocation of the current token only.
    await query(sql`UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = ${sha256b64url(b.refresh_token)}`);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
  });

  it('RFC 6749 §6 + RFC 9700 §4.14.2: another client presenting a superseded token inside the grace period is refused, revokes nothing and does not take the grace use', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    const other = await makeApp({ skipAuthorization: true });
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, creds(other)), 400, 'invalid_grant');
    for (const row of await familyOf(t.refresh_token)) expect(row.revokedAt).toBeNull();
    // The owner's retry still gets the one grace use, and the family goes on.
    expect((await refresh(t.refresh_token)).status).toBe(200);
    expect((await refresh(b.refresh_token)).status).toBe(200);
  });

  it('RFC 9700 §4.14.2: a second reuse inside the grace period, later than a concurrent request would be, revokes the family', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    const c = await (await refresh(t.refresh_token)).json(); // the grace period's one extra use
    expect(c.refresh_token).toBeDefined();
    // 5 s after the rotation: inside the 30 s grace period, past the concurrent-refresh window (2 s).
    await query(sql`UPDATE refresh_tokens SET rotated_at = rotated_at - interval '5 seconds' WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    for (const row of await familyOf(t.refresh_token)) expect(row.revokedAt).not.toBeNull();
    await expectOAuthError(await refresh(b.refresh_token), 400, 'invalid_grant');
    await expectOAuthError(await refresh(c.refresh_token), 400, 'invalid_grant');
  });

  it('DOT #1617: rejects a token two generations old, even inside the grace period', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    const c = await (await refresh(b.refresh_token)).json();
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    expect((await refresh(c.refresh_token)).status).toBe(200);
  });
});
