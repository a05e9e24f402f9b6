// What the database (and the log) hold after real flows: hashes only (docs/ARCHITECTURE.md §5 "Tokens and data").
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { creds, exchange, getAuthorize, obtainCode, postToken, tokensFor } from '@/test/helpers/codeflow';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb, query, sql } from '@/lib/db';
import { accessTokens, refreshTokens } from '@/lib/db/schema';
import { flushAudit } from '@/lib/db/queries/audit';
import { settings } from './settings';

let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let app: Awaited<ReturnType<typeof makeApp>>;
const secrets: string[] = [];
const logged: string[] = [];

beforeAll(async () => {
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
  srv = await startTestServer(settings);
  user = await makeUser();
  app = await makeApp({ skipAuthorization: true });
  secrets.push(app.secret);

  // A spread of states: unused code, used code, replayed code, rotated and live refresh tokens,
  // a reused (family-revoked) token, failed client authentications.
  secrets.push((await obtainCode(srv, app, user)).code);
  const c = await obtainCode(srv, app, user);
  secrets.push(c.code);
  const t = await (await exchange(srv, app, c)).json();
  secrets.push(t.access_token, t.refresh_token);
  await exchange(srv, app, c); // replay
  const t2 = await tokensFor(srv, app, user);
  secrets.push(t2.access_token, t2.refresh_token);
  const t3 = await (await postToken(srv, { grant_type: 'refresh_token', refresh_token: t2.refresh_token }, creds(app))).json();
  secrets.push(t3.access_token, t3.refresh_token);
  await query(sql`UPDATE refresh_tokens SET rotated_at = now() - interval '1 minute' WHERE token_hash = ${sha256b64url(t2.refresh_token)}`);
  await postToken(srv, { grant_type: 'refresh_token', refresh_token: t2.refresh_token }, creds(app)); // reuse
  await postToken(srv, { grant_type: 'refresh_token', refresh_token: t3.refresh_token }, { id: app.clientId, secret: 'wrong-' + app.secret.slice(6) });
  await getAuthorize(srv, { response_type: 'code', client_id: app.clientId, state: 'x', code_challenge: 'bad' });
  await flushAudit();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await srv?.close();
});

async function dumpAllTables(): Promise<string> {
  const tables = await query<{ name: string }>(sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['authorization_codes', 'access_tokens', 'refresh_tokens', 'applications', 'audit_events']));
  let out = '';
  for (const { name } of tables) {
    const rows = await query<{ j: string }>(sql`SELECT row_to_json(t)::text AS j FROM ${sql.identifier(name)} t`);
    out += rows.map((r) => r.j).join('\n') + '\n';
  }
  return out;
}

describe('the database holds no plaintext code, token or secret', () => {
  it('has none of the issued strings in any row of any table, only their SHA-256', async () => {
    const dump = await dumpAllTables();
    expect(secrets.length).toBe(9);
    for (const s of secrets) expect(dump.includes(s), `plaintext found: ${s.slice(0, 6)}…`).toBe(false);
    // The scan sees the rows: the hashes are there.
    for (const s of secrets.slice(1)) expect(dump.includes(sha256b64url(s)), 'hash missing').toBe(true);
  });

  it('never logs a code, token or secret', () => {
    const all = logged.join('\n');
    for (const s of secrets) expect(all.includes(s)).toBe(false);
  });
});

describe('tokens (docs/ARCHITECTURE.md §5 "Tokens and data")', () => {
  it('are opaque random strings of ≥ 256 bits, all distinct', async () => {
    const issued: string[] = [];
    for (let i = 0; i < 5; i++) {
      const t = await tokensFor(srv, app, user);
      issued.push(t.access_token, t.refresh_token);
    }
    for (const t of issued) expect(t).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(new Set(issued).size).toBe(issued.length);
  });

  it('are stored with user, client, scope, expiry and family', async () => {
    const before = Date.now();
    const t = await tokensFor(srv, app, user);
    const [at] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(t.access_token)));
    const [rt] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(t.refresh_token)));
    expect(at.userId).toBe(user.id);
    expect(at.applicationId).toBe(app.id);
    expect(at.scope).toBe('read write');
    expect(at.grantType).toBe('authorization_code');
    expect(at.expiresAt.getTime() - before).toBeGreaterThan(35_990_000);
    expect(at.expiresAt.getTime() - before).toBeLessThanOrEqual(36_010_000);
    expect(at.familyId).toBeTruthy();
    expect(rt.familyId).toBe(at.familyId);
    expect(rt.userId).toBe(user.id);
    expect(rt.applicationId).toBe(app.id);
    expect(rt.scope).toBe('read write');
    expect(rt.expiresAt).toBeNull(); // REFRESH_TOKEN_EXPIRE_SECONDS unset
    expect(rt.authorizationCodeId).toBe(at.authorizationCodeId);
  });

  it('keeps the client secret hashed with argon2id when "Hash client secret" is on', async () => {
    const [row] = await query<{ s: string }>(sql`SELECT client_secret AS s FROM applications WHERE id = ${app.id}`);
    expect(row.s).toMatch(/^\$argon2id\$/);
  });
});
