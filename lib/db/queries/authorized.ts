// The applications a user has authorized (/o/authorized_tokens/): their consents ∪ their live
// access and refresh tokens, grouped by application. DOT lists tokens one by one; we group per
// application, which is what a person decides about.
import { sql } from 'drizzle-orm';
import { query } from '../index';
import { tokenStateSql } from './token-state';
import { dateOrNull as date } from './values';
import { revokeUserGrantsCtes, revokedUserGrantsCounts, type RevokedCounts } from './revocation';
import type { AuthorizedApp, RevokedAuthorization } from '../../oauth/store';

export type { AuthorizedApp, RevokedAuthorization };

const later = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b);

/**
 * TokenStore.listAuthorizedApps: one query; uses the (user_id) and (application_id, user_id)
 * indexes of each table. Only active tokens (lib/db/queries/token-state.ts) count; "last used" is
 * also the consent's record of the last issuance (insertTokenCtes), which outlives the tokens.
 */
export async function listAuthorizedApps(userId: string): Promise<AuthorizedApp[]> {
  const access = tokenStateSql('access', 'access_tokens');
  const refresh = tokenStateSql('refresh', 'refresh_tokens');
  const rows = await query<{
    application_id: number;
    name: string;
    owner_username: string | null;
    consent_scope: string | null;
    consent_at: string | Date | null;
    consent_used: string | Date | null;
    a_scopes: string | null;
    a_first: string | Date | null;
    a_last: string | Date | null;
    a_exp: string | Date | null;
    a_n: number | null;
    r_scopes: string | null;
    r_first: string | Date | null;
    r_last: string | Date | null;
    r_exp: string | Date | null;
    r_never: boolean | null;
    r_n: number | null;
  }>(sql`
    WITH c AS (
      SELECT application_id, scope, created_at, last_used_at FROM consents WHERE user_id = ${userId}
    ), a AS (
      SELECT application_id, string_agg(DISTINCT scope, ' ') AS scopes, min(created_at) AS first_at,
             max(created_at) AS last_at, max(expires_at) AS exp, count(*)::int AS n
      FROM access_tokens
      WHERE user_id = ${userId} AND ${access.is('active')}
      GROUP BY application_id
    ), r AS (
      SELECT application_id, string_agg(DISTINCT scope, ' ') AS scopes, min(created_at) AS first_at,
             max(coalesce(last_used_at, created_at)) AS last_at, max(expires_at) AS exp,
             bool_or(expires_at IS NULL) AS never, count(*)::int AS n
      FROM refresh_tokens
      WHERE user_id = ${userId} AND ${refresh.is('active')}
      GROUP BY application_id
    ), ids AS (
      SELECT application_id FROM c UNION SELECT application_id FROM a UNION SELECT application_id FROM r
    )
    SELECT app.id::int AS application_id, app.name, u.username AS owner_username,
           c.scope AS consent_scope, c.created_at AS consent_at, c.last_used_at AS consent_used,
           a.scopes AS a_scopes, a.first_at AS a_first, a.last_at AS a_last, a.exp AS a_exp, a.n AS a_n,
           r.scopes AS r_scopes, r.first_at AS r_first, r.last_at AS r_last, r.exp AS r_exp, r.never AS r_never, r.n AS r_n
    FROM ids
    JOIN applications app ON app.id = ids.application_id
    LEFT JOIN users u ON u.id = app.user_id
    LEFT JOIN c ON c.application_id = ids.application_id
    LEFT JOIN a ON a.application_id = ids.application_id
    LEFT JOIN r ON r.application_id = ids.application_id
    ORDER BY lower(app.name), app.id`);

  return rows.map((r) => {
    const scopes = new Set<string>();
    for (const s of [r.consent_scope, r.a_scopes, r.r_scopes]) for (const t of (s ?? '').split(' ')) if (t) scopes.add(t);
    const firsts = [date(r.a_first), date(r.r_first)].filter((d): d is Date => d !== null);
    const grantedAt = date(r.consent_at) ?? (firsts.length ? new Date(Math.min(...firsts.map(Number))) : null);
    const neverExpires = Boolean(r.r_never);
    return {
      applicationId: Number(r.application_id),
      name: r.name,
      ownerUsername: r.owner_username,
      scopes: [...scopes],
      grantedAt,
      lastUsedAt: later(date(r.consent_used), later(date(r.a_last), date(r.r_last))),
      expiresAt: neverExpires ? null : later(date(r.a_exp), date(r.r_exp)),
      neverExpires,
      liveTokens: Number(r.a_n ?? 0) + Number(r.r_n ?? 0),
    };
  });
}

/**
 * TokenStore.revokeAuthorization: removes `userId`'s consent for the application and revokes that
 * user's grants for it (revokeUserGrantsCtes: access and refresh tokens revoked, unused codes and
 * device codes voided, so that nothing issued before the revocation can still be exchanged), in one
 * statement. Other users' grants are untouched. The token counts are of tokens that were active.
 */
export async function revokeAuthorization(userId: string, applicationId: number): Promise<RevokedAuthorization> {
  const rows = await query<RevokedCounts & { consent: number; codes: number; devices: number }>(sql`
    WITH consent AS (
      DELETE FROM consents WHERE user_id = ${userId} AND application_id = ${applicationId} RETURNING 1
    ), ${revokeUserGrantsCtes(userId, applicationId)}
    SELECT (SELECT count(*) FROM consent)::int AS consent, ${revokedUserGrantsCounts}`);
  const r = rows[0];
  return {
    consent: Number(r?.consent ?? 0) > 0,
    accessTokens: Number(r?.live_access ?? 0),
    refreshTokens: Number(r?.live_refresh ?? 0),
    codes: Number(r?.codes ?? 0),
    deviceCodes: Number(r?.devices ?? 0),
  };
}
