// The refresh_token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2),
// over real HTTP. Default settings: REFRESH_TOKEN_GRACE_PERIOD_SECONDS=0, no refresh expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, obtainCode, postToken, tokensFor } from '@/test/helpers/codeflow';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb, query, sql } from '@/lib/db';
import { accessTokens, refreshTokens } from '@/lib/db/schema';
import { flushAudit } from '@/lib/db/queries/audit';
import { settings } from './settings';

let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let app: Awaited<ReturnType<typeof makeApp>>;

beforeAll(async () => {
  srv = await startTestServer(settings);
  user = await makeUser();
  app = await makeApp({ skipAuthorization: true });
});
afterAll(async () => srv?.close());

const refresh = (rt: string, a: { clientId: string; secret: string } = app, extra: Record<string, string> = {}) =>
  postToken(srv, { grant_type: 'refresh_token', refresh_token: rt, ...extra }, creds(a));

async function rtRow(token: string) {
  const [row] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(token)));
  return row;
}
async function atRow(token: string) {
  const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(token)));
  return row;
}
async function family(familyId: string) {
  const db = await getDb();
  return {
    refresh: await db.select().from(refreshTokens).where(eq(refreshTokens.familyId, familyId)),
    access: await db.select().from(accessTokens).where(eq(accessTokens.familyId, familyId)),
  };
}
/** Moves a token's rotation into the past, beyond the 2 s concurrent-refresh window. */
async function ageRotation(token: string, seconds: number) {
  await query(sql`UPDATE refresh_tokens SET rotated_at = now() - make_interval(secs => ${seconds}) WHERE token_hash = ${sha256b64url(token)}`);
}

describe('rotation (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  it('returns a new access token and a new refresh token, with no-store headers', async () => {
    const t = await tokensFor(srv, app, user);
    const r = await refresh(t.refresh_token);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.scope).toBe('read write');
    expect(body.refresh_token).not.toBe(t.refresh_token);
    expect(body.access_token).not.toBe(t.access_token);
  });

  it('keeps the new tokens in the same family, with the same user, client and scope', async () => {
    const t = await tokensFor(srv, app, user);
    const body = await (await refresh(t.refresh_token)).json();
    const [oldRt, newRt, newAt] = [await rtRow(t.refresh_token), await rtRow(body.refresh_token), await atRow(body.access_token)];
    expect(oldRt.rotatedAt).not.toBeNull();
    expect(newRt.rotatedAt).toBeNull();
    expect(newRt.familyId).toBe(oldRt.familyId);
    expect(newAt.familyId).toBe(oldRt.familyId);
    expect(newRt.userId).toBe(user.id);
    expect(newRt.applicationId).toBe(app.id);
    expect(newAt.userId).toBe(user.id);
    expect(newAt.scope).toBe('read write');
  });

  it('revokes the family’s earlier access token when it rotates', async () => {
    const t = await tokensFor(srv, app, user);
    const body = await (await refresh(t.refresh_token)).json();
    expect((await atRow(t.access_token)).revokedAt).not.toBeNull();
    expect((await atRow(body.access_token)).revokedAt).toBeNull();
  });

  it('lets the newest refresh token be used again and again along the chain', async () => {
    let rt = (await tokensFor(srv, app, user)).refresh_token;
    for (let i = 0; i < 4; i++) {
      const r = await refresh(rt);
      expect(r.status).toBe(200);
      rt = (await r.json()).refresh_token;
    }
  });

  it('rejects a missing refresh_token with invalid_request', async () => {
    const body = await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token' }, creds(app)), 400, 'invalid_request');
    expect(body.error_description).toContain('refresh_token');
  });

  it('rejects an unknown refresh token with invalid_grant', async () => {
    await expectOAuthError(await refresh('not-a-real-token'), 400, 'invalid_grant');
  });

  it('refreshes a public client with client_id only (auth method none)', async () => {
    const pub = await makeApp({ skipAuthorization: true, clientType: 'public' });
    const c = await obtainCode(srv, pub, user);
    const first = await (await postToken(srv, { grant_type: 'authorization_code', code: c.code, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier, client_id: pub.clientId })).json();
    const r = await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: pub.clientId });
    expect(r.status).toBe(200);
  });
});

describe('reuse detection', () => {
  it('rejects a superseded token presented within the concurrent-refresh window, without revoking the family', async () => {
    const t = await tokensFor(srv, app, user);
    const next = await (await refresh(t.refresh_token)).json();
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    const fam = await family((await rtRow(t.refresh_token)).familyId);
    expect(fam.refresh.filter((r) => r.revokedAt !== null)).toEqual([]);
    // The legitimate holder of the newest token carries on.
    expect((await refresh(next.refresh_token)).status).toBe(200);
  });

  it('revokes the whole family when a superseded token is presented after the window (waiting 2.2 s)', async () => {
    const t = await tokensFor(srv, app, user);
    const next = await (await refresh(t.refresh_token)).json();
    await new Promise((r) => setTimeout(r, 2200));
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    const fam = await family((await rtRow(t.refresh_token)).familyId);
    expect(fam.refresh.length).toBe(2);
    expect(fam.access.length).toBe(2);
    for (const row of [...fam.refresh, ...fam.access]) expect(row.revokedAt).not.toBeNull();
    await expectOAuthError(await refresh(next.refresh_token), 400, 'invalid_grant');
  });

  it('revokes the family on reuse of a token rotated long ago, and audits it', async () => {
    const t = await tokensFor(srv, app, user);
    const b = await (await refresh(t.refresh_token)).json();
    const c = await (await refresh(b.refresh_token)).json();
    await ageRotation(t.refresh_token, 60);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
    await expectOAuthError(await refresh(c.refresh_token), 400, 'invalid_grant');
    expect((await atRow(c.access_token)).revokedAt).not.toBeNull();
    await flushAudit();
    const ev = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_events WHERE type = 'refresh.reuse_detected' AND application_id = ${app.id}`);
    expect(ev[0].n).toBeGreaterThanOrEqual(1);
  });

  it('does not touch other families of the same user and client', async () => {
    const t1 = await tokensFor(srv, app, user);
    const t2 = await tokensFor(srv, app, user);
    await (await refresh(t1.refresh_token)).json();
    await ageRotation(t1.refresh_token, 60);
    await expectOAuthError(await refresh(t1.refresh_token), 400, 'invalid_grant');
    expect((await refresh(t2.refresh_token)).status).toBe(200);
  });

  it('DOT #1816: a revoked refresh token is rejected (grace period 0 by default)', async () => {
    const t = await tokensFor(srv, app, user);
    await query(sql`UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
    await expectOAuthError(await refresh(t.refresh_token), 400, 'invalid_grant');
  });
});

describe('scope on refresh (RFC 6749 §6)', () => {
  it('may narrow the scope of the new access token', async () => {
    const t = await tokensFor(srv, app, user);
    const body = await (await refresh(t.refresh_token, app, { scope: 'read' })).json();
    expect(body.scope).toBe('read');
    expect((await atRow(body.access_token)).scope).toBe('read');
  });

  it('rejects a widened scope with invalid_scope', async () => {
    const c = await obtainCode(srv, app, user, { scope: 'read' });
    const t = await (await postToken(srv, { grant_type: 'authorization_code', code: c.code, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier }, creds(app))).json();
    expect(t.scope).toBe('read');
    const body = await expectOAuthError(await refresh(t.refresh_token, app, { scope: 'read write' }), 400, 'invalid_scope');
    expect(body.error_description).toMatch(/widen/);
    // An unknown scope is a widening too.
    await expectOAuthError(await refresh(t.refresh_token, app, { scope: 'admin' }), 400, 'invalid_scope');
  });

  it('does not spend the refresh token on a request rejected for its scope', async () => {
    const t = await tokensFor(srv, app, user);
    await expectOAuthError(await refresh(t.refresh_token, app, { scope: 'read write introspection' }), 400, 'invalid_scope');
    // A client that fixes its request carries on with the same token…
    const r = await refresh(t.refresh_token);
    expect(r.status, await r.clone().text()).toBe(200);
    // …and the family was never marked as reused.
    const fam = await family((await rtRow(t.refresh_token)).familyId);
    for (const row of fam.refresh) expect(row.revokedAt).toBeNull();
  });

  it('keeps the original scope on the new refresh token when the access token is narrowed ("MUST be identical", §6)', async () => {
    const t = await tokensFor(srv, app, user);
    const narrow = await (await refresh(t.refresh_token, app, { scope: 'read' })).json();
    expect((await rtRow(narrow.refresh_token)).scope).toBe('read write');
    const wide = await (await refresh(narrow.refresh_token, app, { scope: 'read write' })).json();
    expect(wide.scope).toBe('read write');
  });
});

describe('client binding (RFC 6749 §6: "bound to the client to which it was issued")', () => {
  it('rejects another client’s refresh token with invalid_grant and leaves the family alone', async () => {
    const other = await makeApp({ skipAuthorization: true });
    const t = await tokensFor(srv, app, user);
    await expectOAuthError(await refresh(t.refresh_token, other), 400, 'invalid_grant');
    const row = await rtRow(t.refresh_token);
    expect(row.rotatedAt).toBeNull();
    expect(row.revokedAt).toBeNull();
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });

  it('requires the client’s authentication to refresh', async () => {
    const t = await tokensFor(srv, app, user);
    const r = await postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, { id: app.clientId, secret: 'wrong' });
    await expectOAuthError(r, 401, 'invalid_client');
    expect((await rtRow(t.refresh_token)).rotatedAt).toBeNull();
  });
});
