// Codes and tokens. Every value is stored as SHA-256 only; every state change that must happen
// once (consuming a code, rotating a refresh token) is a single conditional UPDATE … RETURNING,
// so that of N concurrent requests exactly one wins.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { getDb, query } from '../index';
import { findSessionUser, isSessionKey, liveSessionCtes } from './sessions';
import { consents, grants, refreshTokens, type Grant, type RefreshToken, type User } from '../schema';

// --- authorization codes ------------------------------------------------------------------------

export async function insertCode(row: typeof grants.$inferInsert): Promise<void> {
  const db = await getDb();
  await db.insert(grants).values(row);
}

export interface Redemption {
  codeHash: string;
  applicationId: number;
  redirectUri: string | null;
  /** Whether code_verifier was sent at all, and the values to compare (null when malformed). */
  verifierSent: boolean;
  verifierPlain: string | null;
  verifierS256: string | null;
  tokens: { accessHash: string; refreshHash: string | null; familyId: string | null; accessExpiresAt: Date; refreshExpiresAt: Date | null };
}

/**
 * Consumes the code and, if everything it is bound to matches (expiry, redirect_uri, PKCE), stores
 * the tokens: one statement, one round trip. The code is spent either way (a failed attempt must not
 * leave it open to guessing). Returns the consumed row (null: unknown, used, or another client's)
 * and whether tokens were issued; the caller explains a refusal from the row.
 */
export async function redeemCode(r: Redemption): Promise<{ code: Grant; issued: boolean } | null> {
  const t = r.tokens;
  const ts = (d: Date | null) => (d ? d.toISOString() : null);
  const rows = await query<Record<string, unknown>>(sql`
    WITH c AS (
      UPDATE grants SET consumed_at = now()
      WHERE code_hash = ${r.codeHash} AND application_id = ${r.applicationId} AND consumed_at IS NULL
      RETURNING *
    ), ok AS (
      SELECT * FROM c
      WHERE expires_at > now()
        AND CASE WHEN redirect_uri_sent THEN redirect_uri = ${r.redirectUri}::text
                 ELSE ${r.redirectUri}::text IS NULL OR redirect_uri = ${r.redirectUri}::text END
        AND CASE WHEN code_challenge IS NULL THEN NOT ${r.verifierSent}
                 WHEN code_challenge_method = 'plain' THEN code_challenge = ${r.verifierPlain}::text
                 ELSE code_challenge = ${r.verifierS256}::text END
    ), a AS (
      INSERT INTO access_tokens (token_hash, application_id, user_id, scope, family_id, grant_id, grant_type, expires_at)
      SELECT ${t.accessHash}, application_id, user_id, scope, ${t.familyId}::uuid, id, 'authorization_code', ${ts(t.accessExpiresAt)}::timestamptz FROM ok
      RETURNING 1
    ), r AS (
      INSERT INTO refresh_tokens (token_hash, application_id, user_id, scope, family_id, grant_id, auth_time, nonce, expires_at)
      SELECT ${t.refreshHash}, application_id, user_id, scope, ${t.familyId}::uuid, id, auth_time, nonce, ${ts(t.refreshExpiresAt)}::timestamptz
      FROM ok WHERE ${t.refreshHash}::text IS NOT NULL
      RETURNING 1
    )
    SELECT c.id::float8 AS id, c.application_id::float8 AS application_id, c.user_id, c.redirect_uri, c.redirect_uri_sent,
           c.scope, c.code_challenge, c.code_challenge_method, c.nonce, c.auth_time, c.expires_at, c.consumed_at,
           c.created_at, c.code_hash, EXISTS (SELECT 1 FROM ok) AS issued
    FROM c`);
  const x = rows[0];
  if (!x) return null;
  const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
  const code: Grant = {
    id: Number(x.id),
    codeHash: String(x.code_hash),
    applicationId: Number(x.application_id),
    userId: String(x.user_id),
    redirectUri: String(x.redirect_uri),
    redirectUriSent: Boolean(x.redirect_uri_sent),
    scope: String(x.scope),
    codeChallenge: (x.code_challenge as string | null) ?? null,
    codeChallengeMethod: (x.code_challenge_method as string | null) ?? null,
    nonce: (x.nonce as string | null) ?? null,
    authTime: date(x.auth_time),
    expiresAt: date(x.expires_at),
    consumedAt: date(x.consumed_at),
    createdAt: date(x.created_at),
  };
  return { code, issued: Boolean(x.issued) };
}

export async function findCode(codeHash: string): Promise<Grant | null> {
  const db = await getDb();
  const [g] = await db.select().from(grants).where(eq(grants.codeHash, codeHash)).limit(1);
  return g ?? null;
}

/** RFC 6749 §4.1.2: a replayed code revokes every token issued from it. Returns how many. */
export async function revokeTokensOfCode(grantId: number): Promise<number> {
  const rows = await query<{ n: number }>(sql`
    WITH a AS (UPDATE access_tokens SET revoked_at = now() WHERE grant_id = ${grantId} AND revoked_at IS NULL RETURNING 1),
         r AS (UPDATE refresh_tokens SET revoked_at = now() WHERE grant_id = ${grantId} AND revoked_at IS NULL RETURNING 1)
    SELECT ((SELECT count(*) FROM a) + (SELECT count(*) FROM r))::int AS n`);
  return Number(rows[0]?.n ?? 0);
}

// --- issuing tokens ---------------------------------------------------------------------------

export interface IssueRow {
  accessHash: string;
  refreshHash: string | null;
  applicationId: number;
  userId: string | null;
  scope: string;
  /** RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces (default: scope). */
  refreshScope?: string;
  familyId: string | null;
  grantId: number | null;
  grantType: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date | null;
  authTime: Date | null;
  nonce: string | null;
  /** On refresh: revoke the family's earlier access tokens in the same statement. */
  revokePreviousAccess: boolean;
}

/**
 * Inserts the access token and, when given, its refresh token in one statement (one round trip).
 * Continuing a family (refresh), nothing is inserted if the family was revoked meanwhile (a
 * revocation landing between rotation and issuance must not leave live tokens behind); returns
 * false then.
 */
export async function insertTokens(r: IssueRow): Promise<boolean> {
  const ts = (d: Date | null) => (d ? d.toISOString() : null);
  if (!r.refreshHash) {
    await query(sql`
      INSERT INTO access_tokens (token_hash, application_id, user_id, scope, family_id, grant_id, grant_type, expires_at)
      VALUES (${r.accessHash}, ${r.applicationId}, ${r.userId}, ${r.scope}, ${r.familyId}, ${r.grantId}, ${r.grantType}, ${ts(r.accessExpiresAt)})`);
    return true;
  }
  const rows = await query<{ ok: number }>(sql`
    WITH live AS (
      SELECT NOT (${r.revokePreviousAccess} AND EXISTS (
        SELECT 1 FROM refresh_tokens WHERE family_id = ${r.familyId} AND revoked_at IS NOT NULL)) AS ok
    ), prev AS (
      UPDATE access_tokens SET revoked_at = now()
      WHERE ${r.revokePreviousAccess} AND family_id = ${r.familyId} AND revoked_at IS NULL AND (SELECT ok FROM live)
      RETURNING 1
    ), a AS (
      INSERT INTO access_tokens (token_hash, application_id, user_id, scope, family_id, grant_id, grant_type, expires_at)
      SELECT ${r.accessHash}, ${r.applicationId}, ${r.userId}, ${r.scope}, ${r.familyId}, ${r.grantId}, ${r.grantType}, ${ts(r.accessExpiresAt)}
      WHERE (SELECT ok FROM live)
      RETURNING 1
    )
    INSERT INTO refresh_tokens (token_hash, application_id, user_id, scope, family_id, grant_id, auth_time, nonce, expires_at)
    SELECT ${r.refreshHash}, ${r.applicationId}, ${r.userId}, ${r.refreshScope ?? r.scope}, ${r.familyId}, ${r.grantId}, ${ts(r.authTime)}::timestamptz, ${r.nonce}, ${ts(r.refreshExpiresAt)}::timestamptz
    WHERE (SELECT ok FROM live)
    RETURNING 1 AS ok`);
  return rows.length > 0;
}

// --- refresh tokens -------------------------------------------------------------------------------

/**
 * Rotates: marks the token used and returns it, only if it is current, live and this client's, and
 * (when `requestedScope` is given) covers every requested scope, so that a request rejected for its
 * scope does not spend the token.
 */
export async function rotateRefreshToken(tokenHash: string, applicationId: number, requestedScope?: string): Promise<RefreshToken | null> {
  const db = await getDb();
  const [t] = await db
    .update(refreshTokens)
    .set({ rotatedAt: sql`now()`, lastUsedAt: sql`now()` })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        eq(refreshTokens.applicationId, applicationId),
        isNull(refreshTokens.rotatedAt),
        isNull(refreshTokens.revokedAt),
        sql`(${refreshTokens.expiresAt} IS NULL OR ${refreshTokens.expiresAt} > now())`,
        requestedScope === undefined ? undefined : sql`string_to_array(${refreshTokens.scope}, ' ') @> string_to_array(${requestedScope}, ' ')`,
      ),
    )
    .returning();
  return t ?? null;
}

export type RefreshState = RefreshToken & {
  rotatedSecondsAgo: number | null;
  /** A token of the family was revoked, or a newer one was itself rotated: no grace period applies. */
  graceBlocked: boolean;
};

export async function findRefreshToken(tokenHash: string): Promise<RefreshState | null> {
  const db = await getDb();
  const [t] = await db
    .select({
      row: refreshTokens,
      rotatedSecondsAgo: sql<number | null>`extract(epoch from (now() - ${refreshTokens.rotatedAt}))::float8`,
      // Qualified by hand: drizzle renders columns inside select-list sql unqualified.
      graceBlocked: sql<boolean>`exists (SELECT 1 FROM refresh_tokens f WHERE f.family_id = refresh_tokens.family_id
        AND (f.revoked_at IS NOT NULL OR (f.id > refresh_tokens.id AND f.rotated_at IS NOT NULL)))`,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return t
    ? { ...t.row, rotatedSecondsAgo: t.rotatedSecondsAgo === null ? null : Number(t.rotatedSecondsAgo), graceBlocked: t.graceBlocked === true }
    : null;
}

/** Revokes every access and refresh token of a family (refresh-token reuse). */
export async function revokeFamily(familyId: string): Promise<void> {
  await query(sql`
    WITH a AS (UPDATE access_tokens SET revoked_at = now() WHERE family_id = ${familyId} AND revoked_at IS NULL RETURNING 1)
    UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ${familyId} AND revoked_at IS NULL`);
}

// --- consent ----------------------------------------------------------------------------------

export type NewCode = typeof grants.$inferInsert;

/**
 * The user of the live session `session` (sidHash of the cookie's sid, userId its `sub`;
 * lib/db/queries/sessions.ts), and, when `autoIssue` is given, the authorization code inserted in
 * the same statement if the user is active and either the app skips consent or the user's
 * remembered consent covers every requested scope. Null when the session is unknown, revoked or
 * expired (OWASP Session Management: the server decides whether a session lives). One round trip
 * for a returning user, which also touches the session's last_seen_at (throttled).
 */
export async function findUserAndMaybeIssueCode(
  session: { userId: string; sidHash: string },
  applicationId: number,
  autoIssue: { row: NewCode; scopes: string[]; skipConsent: boolean } | null,
): Promise<{ user: Pick<User, 'id' | 'username' | 'isActive'>; issued: boolean } | null> {
  if (!isSessionKey(session.sidHash, session.userId)) return null;
  if (!autoIssue) {
    const user = await findSessionUser(session.sidHash, session.userId);
    return user ? { user, issued: false } : null;
  }
  const c = autoIssue.row;
  const ts = (d: Date) => d.toISOString();
  const rows = await query<{ id: string; username: string; is_active: boolean; issued: boolean }>(sql`
    WITH ${liveSessionCtes(session.sidHash, session.userId)}, u AS (
      SELECT u.id, u.username, u.is_active, c.scope AS consent
      FROM s JOIN users u ON u.id = s.user_id LEFT JOIN consents c ON c.user_id = u.id AND c.application_id = ${applicationId}
    ), ins AS (
      INSERT INTO grants (code_hash, application_id, user_id, redirect_uri, redirect_uri_sent, scope, code_challenge,
                          code_challenge_method, nonce, auth_time, expires_at)
      SELECT ${c.codeHash}, ${applicationId}, u.id, ${c.redirectUri}, ${c.redirectUriSent ?? true}, ${c.scope}, ${c.codeChallenge ?? null},
             ${c.codeChallengeMethod ?? null}, ${c.nonce ?? null}, ${ts(c.authTime)}::timestamptz, ${ts(c.expiresAt)}::timestamptz
      FROM u
      WHERE u.is_active AND (${autoIssue.skipConsent} OR string_to_array(u.consent, ' ') @> string_to_array(${autoIssue.scopes.join(' ')}, ' '))
      RETURNING 1
    )
    SELECT u.id, u.username, u.is_active, EXISTS (SELECT 1 FROM ins) AS issued FROM u`);
  const r = rows[0];
  return r ? { user: { id: r.id, username: r.username, isActive: r.is_active }, issued: Boolean(r.issued) } : null;
}

/** Remembers approval of `scopes`, merged with what was approved before. */
export async function saveConsent(userId: string, applicationId: number, scopes: string[]): Promise<void> {
  const db = await getDb();
  const scope = scopes.join(' ');
  await db
    .insert(consents)
    .values({ userId, applicationId, scope })
    .onConflictDoUpdate({
      target: [consents.userId, consents.applicationId],
      set: {
        scope: sql`(SELECT string_agg(DISTINCT s, ' ') FROM unnest(string_to_array(${consents.scope} || ' ' || ${scope}, ' ')) AS s WHERE s <> '')`,
        updatedAt: sql`now()`,
      },
    });
}
