// Issuing and finding tokens: the token store's statements (lib/oauth/store.ts has the contract of
// each). Every value is stored as SHA-256 only. Each issuance is ONE statement that reads what it
// is bound to, decides whether to refuse (and why), spends what must be spent once (a code, a
// refresh token: a conditional UPDATE, so that of N concurrent requests exactly one wins) and
// inserts the tokens, so that no refusal ever leaves a token stored. Also here: the authorization
// endpoint's code insertions and remembered consent.
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { getDb, statement, type Placeholders } from '../index';
import { findSessionUser, isSessionKey, liveSessionCtes, liveSessionValues, type LiveSessionValues } from './sessions';
import { appSuspendedOf } from './clients';
import { tokenStateSql } from './token-state';
import { dateOf, dateOrNull, isoOrNull } from './values';
import { env } from '../../env';
import { authorizationCodes, consents, type User } from '../schema';
import type {
  CodeRedemption,
  CodeRedemptionResult,
  CodeRefusal,
  DeviceCodeRedemption,
  DeviceCodeRedemptionResult,
  FoundToken,
  TokenKinds,
  IssueRefusal,
  IssueResult,
  TargetRefusal,
  ScopePolicyCheck,
  RefreshRotation,
  RotationRefusal,
  RotationResult,
  StoredTokens,
  TokenIssue,
  TokenUser,
} from '../../oauth/store';
import { GRANT_DEVICE_CODE } from '../../oauth/grants/catalogue';

// --- shared pieces of the issuing statements --------------------------------------------------------

/** Suspended (clients.ts appSuspendedOf), in these statements, whose applications table is `app`. */
const appSuspended = appSuspendedOf('app');

/**
 * Joins the row `alias` (with application_id and user_id) to its client `app`, the client's owner
 * `app_owner` (appSuspended reads it) and its user `u`.
 */
const clientAndUser = (alias: string) => sql`
  JOIN applications app ON app.id = ${sql.raw(alias)}.application_id
  LEFT JOIN users app_owner ON app_owner.id = app.user_id
  LEFT JOIN users u ON u.id = ${sql.raw(alias)}.user_id`;

/**
 * The IssueRefusal of the row `alias` joined by clientAndUser, or NULL: its user deactivated, its
 * client suspended, or an ID token due (a user, `openid` in `scope`) that the caller cannot sign.
 */
const issueRefusal = (alias: string, scope: SQL, idTokenUnavailable: Placeholder<string, boolean>) => sql`(CASE
  WHEN ${sql.raw(alias)}.user_id IS NOT NULL AND NOT coalesce(u.is_active, false) THEN 'user_inactive'
  WHEN ${appSuspended} THEN 'client_suspended'
  WHEN ${sql.raw(alias)}.user_id IS NOT NULL AND ${idTokenUnavailable}::boolean AND 'openid' = ANY(string_to_array(${scope}, ' '))
    THEN 'id_token_unavailable'
  END)`;

/**
 * The parameters every issuing statement has: the new tokens (StoredTokens, times as ISO 8601
 * text), the grant type recorded on the access token, whether an ID token can be signed now, and
 * how often the use is recorded on the consent (limits.authorizationUsedEverySeconds).
 */
interface IssuingValues {
  accessHash: string;
  accessExpiresAt: string;
  refreshHash: string | null;
  refreshExpiresAt: string | null;
  familyId: string | null;
  grantType: string;
  idTokenUnavailable: boolean;
  usedEverySeconds: number;
  /** StoredTokens.audience, space-separated (identifiers contain no space: lib/oauth/resources.ts); null: the grant's. */
  audience: string | null;
  /** StoredTokens.scopeWithin, space-separated; null: no narrowing. */
  scopeWithin: string | null;
  defaultResource: string;
  /** ScopePolicyCheck.allowed, space-separated; null: no check (statements that have none ignore it). */
  scopeAllowed: string | null;
  scopeRefuse: boolean;
}

const issuingValues = (t: StoredTokens, grantType: string, idTokenUnavailable: boolean, policy: ScopePolicyCheck | null = null): IssuingValues => ({
  accessHash: t.accessHash,
  accessExpiresAt: t.accessExpiresAt.toISOString(),
  refreshHash: t.refreshHash,
  refreshExpiresAt: isoOrNull(t.refreshExpiresAt),
  familyId: t.familyId,
  grantType,
  idTokenUnavailable,
  usedEverySeconds: env().limits.authorizationUsedEverySeconds,
  audience: t.audience === null ? null : t.audience.join(' '),
  scopeWithin: t.scopeWithin === null ? null : t.scopeWithin.join(' '),
  defaultResource: t.defaultResource,
  scopeAllowed: policy === null ? null : policy.allowed.join(' '),
  scopeRefuse: policy?.refuse ?? false,
});

/**
 * Which of the optional parts an issuing statement needs, decided by its values (shapeOf): a
 * requested audience (RFC 8707 §2.2: the target check, the audience), a narrowed scope
 * (scopeWithin), the client's scope policy (policyRefusal). Each shape is its own prepared text
 * (`shaped`): parts that are not needed are left out of the SQL rather than evaluated as NULL,
 * because PostgreSQL sets up every expression and subquery of a statement on each execution, used
 * or not; that set-up was most of what a code exchange cost the database over issue 13's baseline.
 */
interface Shape {
  target: boolean;
  within: boolean;
  policy: boolean;
}

/** Every optional part: for the statements that are not `shaped` (their values decide at run time). */
const ANY_SHAPE: Shape = { target: true, within: true, policy: true };

const shapeOf = (v: IssuingValues): Shape => ({ target: v.audience !== null, within: v.scopeWithin !== null, policy: v.scopeAllowed !== null });

/**
 * A statement built per Shape, each shape prepared once when first used (`statement`): at most
 * eight texts, in practice two or three (no resource named and no policy is the common case).
 */
function shaped<P extends object, R extends Record<string, unknown>>(build: (p: Placeholders<P>, s: Shape) => SQL): (s: Shape) => (params: P) => Promise<R[]> {
  const byShape = new Map<string, (params: P) => Promise<R[]>>();
  return (s) => {
    const key = `${+s.target}${+s.within}${+s.policy}`;
    let run = byShape.get(key);
    if (!run) byShape.set(key, (run = statement<P, R>((p) => build(p, s))));
    return run;
  };
}

/** A grant's stored resources (`col`, text[]), an empty list standing for the default resource. */
const resourcesOf = (col: SQL, p: Placeholders<IssuingValues>) =>
  sql`(CASE WHEN cardinality(${col}) = 0 THEN ARRAY[${p.defaultResource}::text] ELSE ${col} END)`;

/** The access token's audience out of a grant's resources `col`: the requested ones, else all. */
const audienceOf = (col: SQL, p: Placeholders<IssuingValues>, s: Shape) =>
  s.target ? sql`coalesce(string_to_array(${p.audience}::text, ' '), ${resourcesOf(col, p)})` : resourcesOf(col, p);

/** RFC 8707 §2.2: 'invalid_target' when the request names a resource the grant (`col`) was not for. */
const targetRefusal = (col: SQL, p: Placeholders<IssuingValues>, s: Shape) =>
  s.target
    ? sql`(CASE WHEN ${p.audience}::text IS NOT NULL AND NOT (${resourcesOf(col, p)} @> string_to_array(${p.audience}::text, ' ')) THEN 'invalid_target' END)`
    : sql`NULL::text`;

/** The scope `scope` narrowed to `p.scopeWithin` (RFC 8707 §2.2), in its order; unchanged when that is null. */
const scopeWithin = (scope: SQL, p: Placeholders<IssuingValues>, s: Shape) =>
  s.within
    ? sql`(CASE WHEN ${p.scopeWithin}::text IS NULL THEN ${scope}
  ELSE array_to_string(ARRAY(SELECT x.s FROM unnest(string_to_array(${scope}, ' ')) WITH ORDINALITY AS x(s, n)
                             WHERE x.s = ANY(string_to_array(${p.scopeWithin}::text, ' ')) ORDER BY x.n), ' ') END)`
    : scope;

/**
 * 'scope_refused' when `scope` (the scope about to be issued) has a scope outside `p.scopeAllowed`
 * and the policy refuses, or none inside it (ScopePolicyCheck); null otherwise or without a check.
 */
const policyRefusal = (scope: SQL, p: Placeholders<IssuingValues>, s: Shape) =>
  s.policy
    ? sql`(CASE WHEN ${p.scopeAllowed}::text IS NOT NULL
  AND NOT (string_to_array(${p.scopeAllowed}::text, ' ') @> string_to_array(${scope}, ' '))
  AND (${p.scopeRefuse}::boolean OR NOT (string_to_array(${p.scopeAllowed}::text, ' ') && string_to_array(${scope}, ' ')))
  THEN 'scope_refused' END)`
    : sql`NULL::text`;

/**
 * Three CTEs: ins_access and ins_refresh, inserting the new tokens for each row of the CTE `from`
 * (columns application_id, user_id, access_scope, refresh_scope, family_id, authorization_code_id,
 * auth_time, nonce, audience, resources: the access token's `aud` and the refresh token's resources): the access token, and the refresh token when `p.refreshHash` is set; and
 * used_consent, recording the use on the user's consent for the client (consents.last_used_at,
 * "Last used" once the tokens are gone). That write is at most once per `p.usedEverySeconds` and
 * skips a consent row another statement holds (SKIP LOCKED): an issuance never waits for a
 * concurrent one recording the same use, nor for a revocation deleting it. Issuance only: bearer
 * checks and introspection never write.
 */
const insertTokenCtes = (from: string, p: Placeholders<IssuingValues>) => sql`
  used_consent AS (
    UPDATE consents SET last_used_at = now()
    WHERE id IN (
      SELECT c.id FROM consents c JOIN ${sql.raw(from)} f ON c.user_id = f.user_id AND c.application_id = f.application_id
      WHERE c.last_used_at IS NULL OR c.last_used_at <= now() - make_interval(secs => ${p.usedEverySeconds}::float8)
      FOR UPDATE OF c SKIP LOCKED
    )
    RETURNING 1
  ), ins_access AS (
    INSERT INTO access_tokens (token_hash, application_id, user_id, scope, family_id, authorization_code_id, grant_type, expires_at, audience)
    SELECT ${p.accessHash}::text, application_id, user_id, access_scope, family_id, authorization_code_id, ${p.grantType}::text,
           ${p.accessExpiresAt}::timestamptz, audience
    FROM ${sql.raw(from)}
    RETURNING 1
  ), ins_refresh AS (
    INSERT INTO refresh_tokens (token_hash, application_id, user_id, scope, family_id, authorization_code_id, auth_time, nonce, expires_at, resources)
    SELECT ${p.refreshHash}::text, application_id, user_id, refresh_scope, family_id, authorization_code_id, auth_time, nonce,
           ${p.refreshExpiresAt}::timestamptz, resources
    FROM ${sql.raw(from)} WHERE ${p.refreshHash}::text IS NOT NULL
    RETURNING 1
  )`;

/** A space-separated list from SQL (array_to_string) as an array; '' is the empty list. */
const splitList = (s: string | null): string[] => (s ? s.split(' ') : []);

const userOf = (r: { user_id: string | null; username: string | null; email: string | null }): TokenUser | null =>
  r.user_id ? { id: r.user_id, username: r.username ?? '', email: r.email ?? '' } : null;

// --- authorization codes ---------------------------------------------------------------------------

export type NewCode = typeof authorizationCodes.$inferInsert;

/** Stores an authorization code the authorization endpoint issued (RFC 6749 §4.1.2). */
export async function insertCode(row: NewCode): Promise<void> {
  const db = await getDb();
  await db.insert(authorizationCodes).values(row);
}

const redeemCodeStatement = shaped<
  IssuingValues & { codeHash: string; applicationId: number; redirectUri: string | null; sent: boolean; plain: string | null; s256: string | null },
  {
    id: number;
    user_id: string;
    scope: string;
    access_scope: string;
    audience: string;
    nonce: string | null;
    auth_time: unknown;
    username: string | null;
    email: string | null;
    refusal: CodeRefusal | null;
    replayed: boolean;
  }
>((p, s) => {
  const found = tokenStateSql('code', 'found');
  const code = tokenStateSql('code', 'c');
  // RFC 8707 §2: a live code presented by its client with the right bindings but a resource it was
  // not for is refused without being spent (as a refresh is): the client may retry. Only a request
  // that names a resource can be refused so.
  const retry = s.target
    ? sql`retry AS (
      SELECT 1 FROM found
      WHERE application_id = ${p.applicationId}::bigint AND target_refusal IS NOT NULL AND binding_refusal IS NULL
        AND NOT ${found.used} AND NOT ${found.pastExpiry}
    ), `
    : sql``;
  return sql`
    WITH found AS (
      SELECT c.id, c.application_id, c.user_id, c.scope, c.nonce, c.auth_time, c.expires_at, c.consumed_at, u.username, u.email,
             ${resourcesOf(sql`c.resources`, p)} AS resources, ${audienceOf(sql`c.resources`, p, s)} AS audience,
             ${scopeWithin(sql`c.scope`, p, s)} AS access_scope, ${targetRefusal(sql`c.resources`, p, s)} AS target_refusal,
             -- RFC 6749 §4.1.3: redirect_uri "if included ... their values are identical"; required when it was sent.
             (CASE
                WHEN NOT (CASE WHEN c.redirect_uri_sent THEN c.redirect_uri IS NOT DISTINCT FROM ${p.redirectUri}::text
                               ELSE ${p.redirectUri}::text IS NULL OR c.redirect_uri = ${p.redirectUri}::text END)
                  THEN 'redirect_uri_mismatch'
                -- RFC 7636 §4.6; a verifier without a challenge would let an attacker hide a PKCE downgrade.
                WHEN c.code_challenge IS NULL THEN CASE WHEN ${p.sent}::boolean THEN 'verifier_unexpected' END
                WHEN NOT ${p.sent}::boolean THEN 'verifier_missing'
                WHEN c.code_challenge IS DISTINCT FROM
                     (CASE WHEN c.code_challenge_method = 'plain' THEN ${p.plain}::text ELSE ${p.s256}::text END)
                  THEN 'verifier_mismatch'
              END) AS binding_refusal,
             ${issueRefusal('c', sql`c.scope`, p.idTokenUnavailable)} AS issue_refusal
      FROM authorization_codes c ${clientAndUser('c')}
      WHERE c.code_hash = ${p.codeHash}::text
    ), ${retry}spent AS (
      -- Spent whatever the other checks say (expired included), but only by its own client.
      UPDATE authorization_codes c SET consumed_at = now()
      WHERE c.code_hash = ${p.codeHash}::text AND c.application_id = ${p.applicationId}::bigint AND NOT ${code.used}
        ${s.target ? sql`AND NOT EXISTS (SELECT 1 FROM retry)` : sql``}
      RETURNING c.id
    ), verdict AS (
      SELECT found.*,
             (CASE
                WHEN application_id <> ${p.applicationId}::bigint THEN 'other_client'
                ${s.target ? sql`WHEN EXISTS (SELECT 1 FROM retry) THEN target_refusal` : sql``}
                WHEN NOT EXISTS (SELECT 1 FROM spent) THEN 'used'
                WHEN ${found.pastExpiry} THEN 'expired'
                ELSE coalesce(binding_refusal, target_refusal, issue_refusal)
              END) AS refusal
      FROM found
    ), go AS (
      SELECT application_id, user_id, access_scope, scope AS refresh_scope, ${p.familyId}::uuid AS family_id,
             id AS authorization_code_id, auth_time, nonce, audience, resources
      FROM verdict WHERE refusal IS NULL
    ), ${insertTokenCtes('go', p)}
    SELECT id::float8 AS id, user_id, scope, access_scope, array_to_string(audience, ' ') AS audience, nonce, auth_time, username, email, refusal,
           (refusal = 'used' AND binding_refusal IS NULL) AS replayed
    FROM verdict`;
});

/**
 * TokenStore.redeemAuthorizationCode: one statement. `found` is the code as the statement sees it,
 * with every check that does not depend on who spends it; `spent` is the conditional UPDATE that
 * spends it (this client's, unused); the tokens are inserted from `go`, the spent code when nothing
 * refused it. A code found unused but not spent here was spent by a concurrent redemption: `used`.
 */
export async function redeemAuthorizationCode(r: CodeRedemption): Promise<CodeRedemptionResult> {
  const values = issuingValues(r.tokens, 'authorization_code', r.idTokenUnavailable);
  const rows = await redeemCodeStatement(shapeOf(values))({
    ...values,
    codeHash: r.codeHash,
    applicationId: r.applicationId,
    redirectUri: r.redirectUri,
    sent: r.verifier !== null,
    plain: r.verifier?.plain ?? null,
    s256: r.verifier?.s256 ?? null,
  });
  const x = rows[0];
  if (!x) return { ok: false, reason: 'unknown', replayed: null };
  if (x.refusal) return { ok: false, reason: x.refusal, replayed: x.replayed ? { codeId: Number(x.id), userId: x.user_id } : null };
  return {
    ok: true,
    code: { id: Number(x.id), userId: x.user_id, scope: x.access_scope, audience: splitList(x.audience), nonce: x.nonce, authTime: dateOf(x.auth_time) },
    user: userOf(x)!,
  };
}

// --- client_credentials and password ----------------------------------------------------------------

const issueStatement = statement<
  IssuingValues & { applicationId: number; userId: string | null; scope: string; authTime: string | null },
  { user_id: string | null; username: string | null; email: string | null; refusal: IssueRefusal | null }
>(
  (p) => sql`
    WITH t AS (
      SELECT ${p.applicationId}::bigint AS application_id, ${p.userId}::uuid AS user_id
    ), checked AS (
      SELECT t.application_id, t.user_id, u.username, u.email, ${issueRefusal('t', sql`${p.scope}::text`, p.idTokenUnavailable)} AS refusal
      FROM t ${clientAndUser('t')}
    ), go AS (
      SELECT application_id, user_id, ${p.scope}::text AS access_scope, ${p.scope}::text AS refresh_scope, ${p.familyId}::uuid AS family_id,
             NULL::bigint AS authorization_code_id, ${p.authTime}::timestamptz AS auth_time, NULL::text AS nonce,
             ${audienceOf(sql`'{}'::text[]`, p, ANY_SHAPE)} AS audience, ${audienceOf(sql`'{}'::text[]`, p, ANY_SHAPE)} AS resources
      FROM checked WHERE refusal IS NULL
    ), ${insertTokenCtes('go', p)}
    SELECT user_id, username, email, refusal FROM checked`,
);

/**
 * The issuance without a user or a refresh token (client_credentials, RFC 6749 §4.4): the access
 * token inserted only while the client is not suspended, in one plain INSERT … SELECT. The same
 * rule as issueStatement's, without its CTEs (no user to check, no consent to record, no refresh
 * token), whose executor set-up cost PostgreSQL as much CPU again as the insert itself.
 * No row: refused, or the client is gone; issueStatement then says which.
 */
const issueForClientStatement = statement<IssuingValues & { applicationId: number; scope: string }, { ok: number }>(
  (p) => sql`
    INSERT INTO access_tokens (token_hash, application_id, user_id, scope, grant_type, expires_at, audience)
    SELECT ${p.accessHash}::text, app.id, NULL, ${p.scope}::text, ${p.grantType}::text, ${p.accessExpiresAt}::timestamptz,
           ${audienceOf(sql`'{}'::text[]`, p, ANY_SHAPE)}
    FROM applications app LEFT JOIN users app_owner ON app_owner.id = app.user_id
    WHERE app.id = ${p.applicationId}::bigint AND NOT ${appSuspended}
    RETURNING 1 AS ok`,
);

/**
 * TokenStore.issueTokens: one statement (its checks read the client and user by primary key). A
 * client acting for itself (no user, no refresh token) takes issueForClientStatement; when that
 * inserts nothing, issueStatement decides (and inserts, if the client was unsuspended meanwhile).
 */
export async function issueTokens(i: TokenIssue): Promise<IssueResult> {
  const values = issuingValues(i.tokens, i.grantType, i.idTokenUnavailable);
  if (i.userId === null && i.tokens.refreshHash === null) {
    const [inserted] = await issueForClientStatement({ ...values, applicationId: i.applicationId, scope: i.scope });
    if (inserted) return { ok: true, user: null };
  }
  const rows = await issueStatement({
    ...values,
    applicationId: i.applicationId,
    userId: i.userId,
    scope: i.scope,
    authTime: isoOrNull(i.authTime),
  });
  const x = rows[0];
  if (!x) return { ok: false, reason: 'client_unknown' };
  if (x.refusal) return { ok: false, reason: x.refusal };
  return { ok: true, user: userOf(x) };
}

// --- refresh tokens ---------------------------------------------------------------------------------

const rotateStatement = shaped<
  IssuingValues & { tokenHash: string; applicationId: number; scope: string | null; graceSeconds: number },
  {
    user_id: string | null;
    username: string | null;
    email: string | null;
    scope: string;
    audience: string;
    family_id: string;
    auth_time: unknown;
    rotated_seconds_ago: number | null;
    refusal: RotationRefusal | null;
    via_grace: boolean;
    concurrent: boolean;
  }
>((p, s) => {
  const found = tokenStateSql('refresh', 'found');
  const rt = tokenStateSql('refresh', 'rt');
  const f = tokenStateSql('refresh', 'f');
  const cur = tokenStateSql('refresh', 'cur');
  const verdict = tokenStateSql('refresh', 'verdict');
  const old = tokenStateSql('access', 'old');
  return sql`
    WITH found AS (
      SELECT rt.id, rt.application_id, rt.user_id, rt.scope, rt.family_id, rt.authorization_code_id, rt.auth_time,
             rt.revoked_at, rt.rotated_at, rt.last_used_at, rt.expires_at, u.username, u.email,
             ${resourcesOf(sql`rt.resources`, p)} AS resources, ${audienceOf(sql`rt.resources`, p, s)} AS audience,
             ${targetRefusal(sql`rt.resources`, p, s)} AS target_refusal,
             extract(epoch FROM (now() - rt.rotated_at))::float8 AS rotated_seconds_ago,
             EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = rt.family_id AND ${f.revoked}) AS family_revoked,
             (CASE WHEN NOT ${rt.used} THEN false
                   ELSE EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = rt.family_id AND f.id > rt.id AND ${f.used})
              END) AS newer_rotated,
             ${policyRefusal(sql`coalesce(${p.scope}::text, rt.scope)`, p, s)} AS policy_refusal,
             ${issueRefusal('rt', sql`coalesce(${p.scope}::text, rt.scope)`, p.idTokenUnavailable)} AS issue_refusal
      FROM refresh_tokens rt ${clientAndUser('rt')}
      WHERE rt.token_hash = ${p.tokenHash}::text
    ), graced AS (
      -- The grace period (REFRESH_TOKEN_GRACE_PERIOD_SECONDS): a used token may be exchanged again
      -- shortly after its rotation, but never from a family with a revoked token (DOT #1816), and
      -- only for the latest rotation, not once a newer token was rotated too (DOT #1617), and once:
      -- not after its one extra use (regraced moved last_used_at past rotated_at). Without that a
      -- copy replayed within the period forked the family again and again, unseen (RFC 9700 §4.14.2).
      SELECT found.*, (${found.used} AND ${p.graceSeconds}::float8 > 0 AND rotated_seconds_ago <= ${p.graceSeconds}::float8
                       AND NOT family_revoked AND NOT newer_rotated AND last_used_at IS NOT DISTINCT FROM rotated_at) AS in_grace
      FROM found
    ), verdict AS (
      SELECT found.*,
             (CASE
                WHEN application_id <> ${p.applicationId}::bigint THEN 'other_client'
                WHEN ${found.revoked} THEN 'revoked'
                WHEN ${found.used} AND NOT in_grace THEN 'used'
                WHEN ${found.pastExpiry} THEN 'expired'
                WHEN family_revoked THEN 'revoked'
                WHEN target_refusal IS NOT NULL THEN target_refusal
                WHEN ${p.scope}::text IS NOT NULL AND NOT (string_to_array(scope, ' ') @> string_to_array(${p.scope}::text, ' ')) THEN 'scope_widened'
                WHEN policy_refusal IS NOT NULL THEN policy_refusal
                ELSE issue_refusal
              END) AS refusal
      FROM graced found
    ), spent AS (
      -- Rotates a current token; rechecked on the row itself, so that of concurrent rotations one wins.
      UPDATE refresh_tokens cur SET rotated_at = now(), last_used_at = now()
      WHERE cur.id IN (SELECT id FROM verdict WHERE refusal IS NULL AND NOT ${verdict.used}) AND NOT ${cur.used} AND NOT ${cur.revoked}
      RETURNING cur.id
    ), regraced AS (
      -- The grace period's one extra use, taken on the row itself (rotation set last_used_at to
      -- rotated_at; this moves it on), so that of concurrent retries one wins.
      UPDATE refresh_tokens cur SET last_used_at = now()
      -- By primary key (a scalar subquery): with IN (…) the generic plan scanned the whole table.
      WHERE cur.id = (SELECT id FROM verdict WHERE refusal IS NULL AND ${verdict.used}) AND cur.last_used_at = cur.rotated_at AND NOT ${cur.revoked}
      RETURNING cur.id
    ), go AS (
      SELECT application_id, user_id, ${scopeWithin(sql`coalesce(${p.scope}::text, scope)`, p, s)} AS access_scope, scope AS refresh_scope, family_id,
             authorization_code_id, auth_time, NULL::text AS nonce, audience, resources
      FROM verdict WHERE refusal IS NULL AND ((${verdict.used} AND EXISTS (SELECT 1 FROM regraced)) OR EXISTS (SELECT 1 FROM spent))
    ), prev AS (
      UPDATE access_tokens old SET revoked_at = now() WHERE old.family_id IN (SELECT family_id FROM go) AND NOT ${old.revoked}
      RETURNING 1
    ), ${insertTokenCtes('go', p)}
    SELECT user_id, username, email, ${scopeWithin(sql`coalesce(${p.scope}::text, scope)`, p, s)} AS scope, array_to_string(audience, ' ') AS audience,
           family_id, auth_time, rotated_seconds_ago,
           (CASE WHEN refusal IS NULL AND NOT EXISTS (SELECT 1 FROM go) THEN 'used' ELSE refusal END) AS refusal,
           ${verdict.used} AS via_grace,
           (refusal IS NULL AND NOT EXISTS (SELECT 1 FROM go)) AS concurrent
    FROM verdict`;
});

/**
 * TokenStore.rotateRefreshToken: one statement. `found` reads the presented token, its family's
 * state and its grace period; `verdict` decides; `spent` is the conditional UPDATE that rotates a
 * current token, `regraced` the one that takes a used token's single use within its grace period; `go` is the
 * token to continue, whose family's earlier access tokens `prev` revokes.
 */
export async function rotateRefreshToken(r: RefreshRotation): Promise<RotationResult> {
  const values = issuingValues(r.tokens, 'refresh_token', r.idTokenUnavailable, r.scopePolicy ?? null);
  const rows = await rotateStatement(shapeOf(values))({
    ...values,
    tokenHash: r.tokenHash,
    applicationId: r.applicationId,
    scope: r.scope,
    graceSeconds: r.graceSeconds,
  });
  const x = rows[0];
  if (!x) return { ok: false, reason: 'unknown', used: null };
  if (x.refusal) {
    const used =
      x.refusal === 'used'
        ? { familyId: x.family_id, userId: x.user_id, rotatedSecondsAgo: x.concurrent ? 0 : Number(x.rotated_seconds_ago ?? 0), concurrent: x.concurrent }
        : null;
    return { ok: false, reason: x.refusal, used };
  }
  return {
    ok: true,
    rotated: { userId: x.user_id, scope: x.scope, audience: splitList(x.audience), familyId: x.family_id, authTime: dateOrNull(x.auth_time), viaGrace: x.via_grace },
    user: userOf(x),
  };
}

// --- device codes -----------------------------------------------------------------------------------

const redeemDeviceCodeStatement = statement<
  IssuingValues & { id: number; applicationId: number },
  { user_id: string | null; username: string | null; email: string | null; scope: string; audience: string; refusal: 'used' | 'expired' | TargetRefusal | 'scope_refused' | IssueRefusal | null }
>(
  (p) => sql`
    WITH found AS (
      SELECT d.id, d.application_id, d.user_id, d.scope, d.status, d.expires_at, u.username, u.email,
             ${resourcesOf(sql`d.resources`, p)} AS resources, ${audienceOf(sql`d.resources`, p, ANY_SHAPE)} AS audience,
             ${scopeWithin(sql`d.scope`, p, ANY_SHAPE)} AS access_scope, ${targetRefusal(sql`d.resources`, p, ANY_SHAPE)} AS target_refusal,
             ${policyRefusal(sql`d.scope`, p, ANY_SHAPE)} AS policy_refusal,
             ${issueRefusal('d', sql`d.scope`, p.idTokenUnavailable)} AS issue_refusal
      FROM device_codes d ${clientAndUser('d')}
      WHERE d.id = ${p.id}::bigint AND d.application_id = ${p.applicationId}::bigint
    ), verdict AS (
      SELECT found.*,
             (CASE
                WHEN issue_refusal = 'user_inactive' THEN 'user_inactive'
                WHEN status <> 'approved' OR user_id IS NULL THEN 'used'
                WHEN expires_at <= now() THEN 'expired'
                ELSE coalesce(target_refusal, policy_refusal, issue_refusal)
              END) AS refusal
      FROM found
    ), spent AS (
      UPDATE device_codes SET status = 'consumed'
      WHERE id IN (SELECT id FROM verdict WHERE refusal IS NULL) AND status = 'approved'
      RETURNING id
    ), go AS (
      SELECT application_id, user_id, access_scope, scope AS refresh_scope, ${p.familyId}::uuid AS family_id,
             NULL::bigint AS authorization_code_id, NULL::timestamptz AS auth_time, NULL::text AS nonce, audience, resources
      FROM verdict WHERE refusal IS NULL AND EXISTS (SELECT 1 FROM spent)
    ), ${insertTokenCtes('go', p)}
    SELECT user_id, username, email, access_scope AS scope, array_to_string(audience, ' ') AS audience,
           (CASE WHEN refusal IS NULL AND NOT EXISTS (SELECT 1 FROM go) THEN 'used' ELSE refusal END) AS refusal
    FROM verdict`,
);

/**
 * TokenStore.redeemDeviceCode: one statement: approved → consumed (a conditional UPDATE, so that of
 * concurrent polls exactly one wins) and the tokens inserted, only while every check holds.
 */
export async function redeemDeviceCode(r: DeviceCodeRedemption): Promise<DeviceCodeRedemptionResult> {
  const rows = await redeemDeviceCodeStatement({
    ...issuingValues(r.tokens, GRANT_DEVICE_CODE, r.idTokenUnavailable, r.scopePolicy ?? null),
    id: r.id,
    applicationId: r.applicationId,
  });
  const x = rows[0];
  if (!x) return { ok: false, reason: 'used' };
  if (x.refusal) return { ok: false, reason: x.refusal };
  return { ok: true, userId: x.user_id!, scope: x.scope, audience: splitList(x.audience), user: userOf(x)! };
}

// --- finding a token by its hash ----------------------------------------------------------------------

interface FoundRow extends Record<string, unknown> {
  id: number;
  application_id: number;
  client_id: string;
  allowed_origins: string[];
  user_id: string | null;
  username: string | null;
  email: string | null;
  user_active: boolean | null;
  client_suspended: boolean;
  scope: string;
  audience: string;
  grant_type: string | null;
  created_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
  used_at: unknown;
}

/**
 * When the family of the token `alias` was revoked: the revocation time of one of its revoked
 * refresh tokens (a family is revoked whole, so any one says it), or NULL. A token of a revoked
 * family counts as revoked whatever its own row says: a rotation that committed while a
 * revocation of its family waited for the presented token's row inserts tokens that revocation's
 * snapshot cannot see (READ COMMITTED), and they must not stay usable (RFC 7009 §2.1, RFC 9700
 * §4.14.2). The refresh grant checks the same (rotateStatement's family_revoked).
 * One probe of the partial index refresh_tokens_family_revoked_idx that stops at the first row:
 * min() over it ran an Aggregate per read, a third more of this check's cost (pgbench, c=1:
 * 66 µs → 60 µs per bearer read; 53 µs without the check).
 */
const familyRevokedAt = (alias: string) =>
  sql`(SELECT f.revoked_at FROM refresh_tokens f WHERE f.family_id = ${sql.raw(alias)}.family_id AND f.revoked_at IS NOT NULL LIMIT 1)`;

/**
 * The one read of a token by its hash (unique index), with its client, the client's owner and its
 * user, revoked when its family is (familyRevokedAt): `t` is the access or refresh token table. One plain indexed join per kind: a single
 * statement for both kinds (a UNION ALL) cost PostgreSQL a fifth more CPU on every bearer check.
 */
const findByHash = (kind: 'access' | 'refresh') =>
  statement<{ hash: string }, FoundRow>((p) =>
    kind === 'access'
      ? sql`SELECT t.id::float8 AS id, t.application_id::float8 AS application_id, app.client_id, app.allowed_origins,
                   t.user_id, u.username, u.email, u.is_active AS user_active, ${appSuspended} AS client_suspended,
                   t.scope, array_to_string(t.audience, ' ') AS audience, t.grant_type, t.created_at, t.expires_at,
                   coalesce(t.revoked_at, ${familyRevokedAt('t')}) AS revoked_at, NULL AS used_at
            FROM access_tokens t ${clientAndUser('t')}
            WHERE t.token_hash = ${p.hash}::text`
      : sql`SELECT t.id::float8 AS id, t.application_id::float8 AS application_id, app.client_id, app.allowed_origins,
                   t.user_id, u.username, u.email, u.is_active AS user_active, ${appSuspended} AS client_suspended,
                   t.scope, array_to_string(t.resources, ' ') AS audience, NULL AS grant_type, t.created_at, t.expires_at,
                   coalesce(t.revoked_at, ${familyRevokedAt('t')}) AS revoked_at, t.rotated_at AS used_at
            FROM refresh_tokens t ${clientAndUser('t')}
            WHERE t.token_hash = ${p.hash}::text`,
  );
const findAccessStatement = findByHash('access');
const findRefreshStatement = findByHash('refresh');

const foundToken = (kind: 'access' | 'refresh', x: FoundRow): FoundToken => ({
  kind,
  id: Number(x.id),
  applicationId: Number(x.application_id),
  clientId: x.client_id,
  allowedOrigins: x.allowed_origins,
  userId: x.user_id,
  username: x.username,
  email: x.email,
  userActive: x.user_active,
  clientSuspended: x.client_suspended === true,
  scope: x.scope,
  audience: splitList(x.audience),
  grantType: x.grant_type,
  createdAt: dateOf(x.created_at),
  expiresAt: dateOrNull(x.expires_at),
  revokedAt: dateOrNull(x.revoked_at),
  usedAt: dateOrNull(x.used_at),
});

/**
 * TokenStore.findToken: bearer checks (authenticateBearer), UserInfo and introspection. One indexed
 * read per kind looked in, in the order `kinds` names (a value is never in both tables): an access
 * token, the common case, is one read. Each statement's text is built once (`statement`;
 * postgres.js prepares it once per connection). Never cached: a revocation counts at once.
 */
export async function findToken(tokenHash: string, kinds: TokenKinds): Promise<FoundToken | null> {
  const order: ('access' | 'refresh')[] = kinds === 'access' ? ['access'] : kinds === 'access_or_refresh' ? ['access', 'refresh'] : ['refresh', 'access'];
  for (const kind of order) {
    const [x] = await (kind === 'access' ? findAccessStatement : findRefreshStatement)({ hash: tokenHash });
    if (x) return foundToken(kind, x);
  }
  return null;
}

// --- the final value of an access token ---------------------------------------------------------------

const replaceAccessStatement = statement<{ oldHash: string; newHash: string; expiresAt: string }, { id: number }>(
  (p) => sql`UPDATE access_tokens SET token_hash = ${p.newHash}::text, expires_at = ${p.expiresAt}::timestamptz
             WHERE token_hash = ${p.oldHash}::text RETURNING id::float8 AS id`,
);

/** TokenStore.replaceAccessToken: one statement by the unique hash index. */
export async function replaceAccessToken(oldHash: string, newHash: string, expiresAt: Date): Promise<boolean> {
  return (await replaceAccessStatement({ oldHash, newHash, expiresAt: expiresAt.toISOString() })).length > 0;
}

// --- the authorization endpoint: codes for returning users, remembered consent ------------------------

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
  const rows = await findUserAndIssueCodeStatement({
    ...liveSessionValues(session.sidHash, session.userId),
    applicationId,
    codeHash: c.codeHash,
    redirectUri: c.redirectUri,
    redirectUriSent: c.redirectUriSent ?? true,
    scope: c.scope,
    resources: (c.resources ?? []).join(' '),
    codeChallenge: c.codeChallenge ?? null,
    codeChallengeMethod: c.codeChallengeMethod ?? null,
    nonce: c.nonce ?? null,
    authTime: c.authTime.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    skipConsent: autoIssue.skipConsent,
    scopes: autoIssue.scopes.join(' '),
  });
  const r = rows[0];
  return r ? { user: { id: r.id, username: r.username, isActive: r.is_active }, issued: Boolean(r.issued) } : null;
}

const findUserAndIssueCodeStatement = statement<
  LiveSessionValues & {
    applicationId: number;
    codeHash: string;
    redirectUri: string;
    redirectUriSent: boolean;
    scope: string;
    /** The code's resources (RFC 8707), space-separated. */
    resources: string;
    codeChallenge: string | null;
    codeChallengeMethod: string | null;
    nonce: string | null;
    authTime: string;
    expiresAt: string;
    skipConsent: boolean;
    /** The requested scopes, space-separated. */
    scopes: string;
  },
  { id: string; username: string; is_active: boolean; issued: boolean }
>(
  (p) => sql`
    WITH ${liveSessionCtes(p)}, u AS (
      SELECT u.id, u.username, u.is_active, c.scope AS consent
      FROM s JOIN users u ON u.id = s.user_id LEFT JOIN consents c ON c.user_id = u.id AND c.application_id = ${p.applicationId}::bigint
    ), ins AS (
      INSERT INTO authorization_codes (code_hash, application_id, user_id, redirect_uri, redirect_uri_sent, scope, code_challenge,
                          code_challenge_method, nonce, auth_time, expires_at, resources)
      SELECT ${p.codeHash}::text, ${p.applicationId}::bigint, u.id, ${p.redirectUri}::text, ${p.redirectUriSent}::boolean, ${p.scope}::text,
             ${p.codeChallenge}::text, ${p.codeChallengeMethod}::text, ${p.nonce}::text, ${p.authTime}::timestamptz, ${p.expiresAt}::timestamptz,
             string_to_array(${p.resources}::text, ' ')
      FROM u
      WHERE u.is_active AND (${p.skipConsent}::boolean OR string_to_array(u.consent, ' ') @> string_to_array(${p.scopes}::text, ' '))
      RETURNING 1
    )
    SELECT u.id, u.username, u.is_active, EXISTS (SELECT 1 FROM ins) AS issued FROM u`,
);

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
