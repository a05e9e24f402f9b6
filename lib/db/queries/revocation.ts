// Revoking tokens and voiding codes: every revocation of the token store (lib/oauth/store.ts), each
// one statement. They share one rule, revokeCtes: a token not yet revoked gets revoked_at = now(),
// and the statement counts both the tokens it revoked and, of those, the ones that were active
// (the state of lib/db/queries/token-state.ts). Revocation endpoint statements are bound to the
// requesting client: another client's token matches no row.
import { sql, type SQL } from 'drizzle-orm';
import { query } from '../index';
import { tokenStateSql } from './token-state';
import type { RevokedTokens, TokenKind } from '../../oauth/store';

const access = tokenStateSql('access', 'a');
const refresh = tokenStateSql('refresh', 'r');
const code = tokenStateSql('code', 'c');

/**
 * Two CTEs, rev_refresh and rev_access, that revoke the refresh tokens (alias `r`) matching
 * `which.refresh` and the access tokens (alias `a`) matching `which.access`, if not revoked yet.
 * Each returns one row per token it revoked, with `was_active`. Read the counts with revokedCounts.
 * The refresh tokens are locked first, as a rotation locks them (its refresh token, then its
 * family's access tokens): in the other order a revocation and a rotation deadlocked (40P01).
 */
export function revokeCtes(which: { access: SQL; refresh: SQL }): SQL {
  return sql`rev_refresh AS (
      UPDATE refresh_tokens r SET revoked_at = now()
      WHERE (${which.refresh}) AND NOT ${refresh.revoked}
      RETURNING (NOT ${refresh.used} AND NOT ${refresh.pastExpiry}) AS was_active
    ), rev_access AS (
      -- The scalar subquery runs first (an InitPlan): rev_refresh's updates, and locks, come before these.
      UPDATE access_tokens a SET revoked_at = now()
      WHERE (${which.access}) AND NOT ${access.revoked} AND (SELECT count(*) FROM rev_refresh) >= 0
      RETURNING (NOT ${access.used} AND NOT ${access.pastExpiry}) AS was_active
    )`;
}

/** The select list of revokeCtes' counts: access, refresh (revoked), live_access, live_refresh (of those, active before). */
export const revokedCounts = sql`(SELECT count(*) FROM rev_access)::int AS access, (SELECT count(*) FROM rev_refresh)::int AS refresh,
  (SELECT count(*) FROM rev_access WHERE was_active)::int AS live_access, (SELECT count(*) FROM rev_refresh WHERE was_active)::int AS live_refresh`;

export type RevokedCounts = {
  access: number;
  refresh: number;
  live_access: number;
  live_refresh: number;
};

/**
 * Everything `userId` was granted, for one application or (null) all of them: the CTEs of
 * revokeCtes for their access and refresh tokens, void_codes (their active authorization codes
 * become used, so that nothing issued before can still be exchanged) and deny_devices (their
 * pending or approved device codes become denied). `guard` must hold too (e.g. that the user row
 * was just updated). Other users' tokens are never touched: every CTE is scoped to user_id.
 */
export function revokeUserGrantsCtes(userId: string, applicationId: number | null, guard: SQL = sql`true`): SQL {
  const of = (alias: string) =>
    applicationId === null
      ? sql`${sql.raw(alias)}.user_id = ${userId} AND ${guard}`
      : sql`${sql.raw(alias)}.user_id = ${userId} AND ${sql.raw(alias)}.application_id = ${applicationId} AND ${guard}`;
  return sql`${revokeCtes({ access: of('a'), refresh: of('r') })}, void_codes AS (
      UPDATE authorization_codes c SET consumed_at = now()
      WHERE ${of('c')} AND ${code.is('active')}
      RETURNING 1
    ), deny_devices AS (
      UPDATE device_codes d SET status = 'denied'
      WHERE ${of('d')} AND d.status IN ('pending', 'approved')
      RETURNING 1
    )`;
}

/** The select list of revokeUserGrantsCtes' counts: revokedCounts, then codes and devices. */
export const revokedUserGrantsCounts = sql`${revokedCounts}, (SELECT count(*) FROM void_codes)::int AS codes,
  (SELECT count(*) FROM deny_devices)::int AS devices`;

const counted = (r: RevokedCounts | undefined): RevokedTokens => ({ accessTokens: Number(r?.access ?? 0), refreshTokens: Number(r?.refresh ?? 0) });

/**
 * TokenStore.revokeToken (RFC 7009 §2.1), one statement: the client's access token with this hash,
 * or its refresh token with the whole family ("all access tokens based on the same authorization
 * grant"). The hint is not needed: both tables are searched at once, and a value is never in both.
 */
export async function revokeToken(tokenHash: string, applicationId: number): Promise<(RevokedTokens & { kind: 'access' | 'refresh'; userId: string | null }) | null> {
  const rows = await query<RevokedCounts & { kind: 'access' | 'refresh'; user_id: string | null }>(sql`
    WITH at AS (
      SELECT id, user_id FROM access_tokens WHERE token_hash = ${tokenHash} AND application_id = ${applicationId}
    ), rt AS (
      SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = ${tokenHash} AND application_id = ${applicationId}
    ), ${revokeCtes({
      access: sql`a.id IN (SELECT id FROM at) OR a.family_id IN (SELECT family_id FROM rt)`,
      refresh: sql`r.family_id IN (SELECT family_id FROM rt)`,
    })}
    SELECT (CASE WHEN EXISTS (SELECT 1 FROM at) THEN 'access' ELSE 'refresh' END) AS kind,
           coalesce((SELECT user_id FROM at), (SELECT user_id FROM rt))::text AS user_id, ${revokedCounts}
    WHERE EXISTS (SELECT 1 FROM at) OR EXISTS (SELECT 1 FROM rt)`);
  const r = rows[0];
  return r ? { kind: r.kind, userId: r.user_id, ...counted(r) } : null;
}

/** TokenStore.revokeFamily (refresh token reuse, RFC 9700 §4.14.2): every access and refresh token of the family. */
export async function revokeFamily(familyId: string): Promise<RevokedTokens> {
  const rows = await query<RevokedCounts>(sql`
    WITH ${revokeCtes({ access: sql`a.family_id = ${familyId}::uuid`, refresh: sql`r.family_id = ${familyId}::uuid` })}
    SELECT ${revokedCounts}`);
  return counted(rows[0]);
}

/** TokenStore.revokeByAuthorizationCode (RFC 6749 §4.1.2): every token issued from the code, refreshed ones included. */
export async function revokeByAuthorizationCode(codeId: number): Promise<RevokedTokens> {
  const rows = await query<RevokedCounts>(sql`
    WITH ${revokeCtes({ access: sql`a.authorization_code_id = ${codeId}`, refresh: sql`r.authorization_code_id = ${codeId}` })}
    SELECT ${revokedCounts}`);
  return counted(rows[0]);
}

/**
 * TokenStore.revokeByIds: the staff's selection, one statement. Refresh tokens take their family's
 * access tokens along (RFC 7009 §2.1); codes are voided (used). Returns how many of the selected
 * rows changed.
 */
export async function revokeByIds(kind: TokenKind, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  if (kind === 'code') {
    const rows = await query<{ n: number }>(sql`
      WITH v AS (UPDATE authorization_codes c SET consumed_at = now() WHERE c.id IN (${list}) AND NOT ${code.used} RETURNING 1)
      SELECT count(*)::int AS n FROM v`);
    return Number(rows[0]?.n ?? 0);
  }
  const which =
    kind === 'access'
      ? { access: sql`a.id IN (${list})`, refresh: sql`false` }
      : {
          access: sql`a.family_id IN (SELECT x.family_id FROM refresh_tokens x WHERE x.id IN (${list}) AND NOT ${tokenStateSql('refresh', 'x').revoked})`,
          refresh: sql`r.id IN (${list})`,
        };
  const rows = await query<RevokedCounts>(sql`WITH ${revokeCtes(which)} SELECT ${revokedCounts}`);
  const r = counted(rows[0]);
  return kind === 'access' ? r.accessTokens : r.refreshTokens;
}
