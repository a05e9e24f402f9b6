// Concurrency: of N simultaneous requests spending one code or one refresh token, exactly one wins
// (fosite#778, Keycloak CVE-2026-1035). On PostgreSQL (TEST_DB=postgres) these run on a pool of
// connections, so the single conditional UPDATE … RETURNING is what decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { creds, exchange, obtainCode, postToken, tokensFor } from '@/test/helpers/codeflow';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb, query, sql } from '@/lib/db';
import { accessTokens, authorizationCodes, refreshTokens } from '@/lib/db/schema';
import { revokeAuthorization } from '@/lib/db/queries/authorized';
import { settings } from './settings';

const N = 20;
let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let app: Awaited<ReturnType<typeof makeApp>>;

beforeAll(async () => {
  srv = await startTestServer(settings);
  user = await makeUser();
  app = await makeApp({ skipAuthorization: true });
  // Warm the verified-secret cache so that the requests below race on the database, not on argon2.
  await tokensFor(srv, app, user);
});
afterAll(async () => srv?.close());

async function outcomes(responses: Response[]) {
  const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await r.json() })));
  const ok = bodies.filter((b) => b.status === 200);
  const failed = bodies.filter((b) => b.status !== 200);
  return { ok, failed };
}

describe('fosite#778: parallel redemption of one authorization code', () => {
  for (let round = 1; round <= 3; round++) {
    it(`gives exactly one success out of ${N} simultaneous redemptions (round ${round}, RFC 6749 §4.1.2)`, async () => {
      const c = await obtainCode(srv, app, user);
      const { ok, failed } = await outcomes(await Promise.all(Array.from({ length: N }, () => exchange(srv, app, c))));
      expect(ok.length).toBe(1);
      expect(failed.length).toBe(N - 1);
      for (const f of failed) {
        expect(f.status).toBe(400);
        expect(f.body.error).toBe('invalid_grant');
      }
      // Exactly one set of tokens was ever issued from the code.
      const [g] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(c.code)));
      expect(g.consumedAt).not.toBeNull();
      const at = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.authorizationCodeId, g.id));
      const rt = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.authorizationCodeId, g.id));
      expect(at.length).toBe(1);
      expect(rt.length).toBe(1);
      expect(at[0].tokenHash).toBe(sha256b64url(ok[0].body.access_token));
    });
  }

  it('after the race, one more replay revokes the winner’s tokens (RFC 6749 §4.1.2)', async () => {
    const c = await obtainCode(srv, app, user);
    const { ok } = await outcomes(await Promise.all(Array.from({ length: N }, () => exchange(srv, app, c))));
    expect(ok.length).toBe(1);
    expect((await exchange(srv, app, c)).status).toBe(400);
    const [row] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(ok[0].body.refresh_token)));
    expect(row.revokedAt).not.toBeNull();
  });
});

describe('Keycloak CVE-2026-1035: parallel refreshes of one refresh token', () => {
  it(`gives exactly one success out of ${N}, over several rotations, with the family intact (RFC 9700 §4.14.2)`, async () => {
    const first = await tokensFor(srv, app, user);
    const [start] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(first.refresh_token)));
    let rt = first.refresh_token;
    for (let round = 1; round <= 3; round++) {
      const { ok, failed } = await outcomes(
        await Promise.all(Array.from({ length: N }, () => postToken(srv, { grant_type: 'refresh_token', refresh_token: rt }, creds(app)))),
      );
      expect(ok.length, `round ${round}`).toBe(1);
      expect(failed.length).toBe(N - 1);
      for (const f of failed) {
        expect(f.status).toBe(400);
        expect(f.body.error).toBe('invalid_grant');
      }
      rt = ok[0].body.refresh_token;
    }
    // Family intact: nothing revoked, one rotated token per round plus the one live token.
    const fam = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.familyId, start.familyId));
    expect(fam.length).toBe(4);
    expect(fam.filter((r) => r.revokedAt !== null)).toEqual([]);
    expect(fam.filter((r) => r.rotatedAt === null).map((r) => r.tokenHash)).toEqual([sha256b64url(rt)]);
    // And the winner carries on.
    expect((await postToken(srv, { grant_type: 'refresh_token', refresh_token: rt }, creds(app))).status).toBe(200);
  });
});

describe('recording "Last used" on the consent (lib/db/queries/tokens.ts used_consent)', () => {
  it(`${N} simultaneous refreshes of one user's authorization all succeed, and its use is recorded once`, async () => {
    const u = await makeUser();
    const families = await Promise.all(Array.from({ length: N }, () => tokensFor(srv, app, u)));
    await query(sql`INSERT INTO consents (user_id, application_id, scope, last_used_at) VALUES (${u.id}, ${app.id}, 'read write', NULL)`);
    const before = Date.now() - 1000;
    const { ok, failed } = await outcomes(
      await Promise.all(families.map((t) => postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, creds(app)))),
    );
    expect(failed.map((f) => f.body)).toEqual([]);
    expect(ok.length).toBe(N);
    const [c] = await query<{ at: string | Date }>(sql`SELECT last_used_at AS at FROM consents WHERE user_id = ${u.id} AND application_id = ${app.id}`);
    expect(new Date(c.at).getTime()).toBeGreaterThanOrEqual(before);
  });
});

describe('revoking an authorization while its tokens are refreshed (lib/db/queries/revocation.ts revokeCtes)', () => {
  it(`RFC 7009 §2.1: a revocation racing ${N} refreshes of the same user's authorization never deadlocks: it succeeds, each refresh is answered 200 or invalid_grant, and no token a refresh issued stays usable`, async () => {
    for (let round = 0; round < 3; round++) {
      const u = await makeUser();
      const families = await Promise.all(Array.from({ length: N }, () => tokensFor(srv, app, u)));
      const refreshes = families.map((t) => postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, creds(app)));
      const [revoked, ...answers] = await Promise.all([revokeAuthorization(u.id, app.id).then(() => 'ok', (e: unknown) => e), ...refreshes]);
      expect(revoked).toBe('ok');
      const { ok, failed } = await outcomes(answers);
      // A refresh that lost the race is refused as the protocol says (400 invalid_grant), never a 500.
      expect(failed.filter((f) => f.status !== 400 || f.body.error !== 'invalid_grant')).toEqual([]);
      // One that won, before or while the revocation ran, issued tokens that are dead once it is done
      // (those it could not see are judged by their family: lib/db/queries/tokens.ts familyRevokedAt).
      for (const { body } of ok) {
        const api = await fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${body.access_token}` } });
        expect(api.status).toBe(401);
        const again = await postToken(srv, { grant_type: 'refresh_token', refresh_token: body.refresh_token }, creds(app));
        expect(again.status).toBe(400);
      }
    }
  });
});
