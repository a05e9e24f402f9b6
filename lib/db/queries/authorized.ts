// The applications a user has authorized (/o/authorized_tokens/): their consents ∪ their live
// access and refresh tokens, grouped by application. DOT lists tokens one by one; we group per
// application, which is what a person decides about.
import { sql } from 'drizzle-orm';
import { query } from '../index';

export interface AuthorizedApp {
  applicationId: number;
  name: string;
  ownerUsername: string | null;
  /** Consented scopes ∪ scopes of live tokens, de-duplicated. */
  scopes: string[];
  /** When the user first approved it (the consent), else when the oldest live token was issued. */
  grantedAt: Date | null;
  /** Latest refresh or token issuance. */
  lastUsedAt: Date | null;
  /** Latest expiry among live tokens; null when none is live. */
  expiresAt: Date | null;
  /** A live refresh token without expiry (REFRESH_TOKEN_EXPIRE_SECONDS unset). */
  neverExpires: boolean;
  liveTokens: number;
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));
const later = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b);

/** One query; uses the (user_id) and (application_id, user_id) indexes of each table. */
export async function listAuthorizedApps(userId: string): Promise<AuthorizedApp[]> {
  const rows = await query<{
    application_id: number;
    name: string;
    owner_username: string | null;
    consent_scope: string | null;
    consent_at: string | Date | null;
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
      SELECT application_id, scope, created_at FROM consents WHERE user_id = ${userId}
    ), a AS (
      SELECT application_id, string_agg(DISTINCT scope, ' ') AS scopes, min(created_at) AS first_at,
             max(created_at) AS last_at, max(expires_at) AS exp, count(*)::int AS n
      FROM access_tokens
      WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
      GROUP BY application_id
    ), r AS (
      SELECT application_id, string_agg(DISTINCT scope, ' ') AS scopes, min(created_at) AS first_at,
             max(coalesce(last_used_at, created_at)) AS last_at, max(expires_at) AS exp,
             bool_or(expires_at IS NULL) AS never, count(*)::int AS n
      FROM refresh_tokens
      WHERE user_id = ${userId} AND revoked_at IS NULL AND rotated_at IS NULL AND (expires_at IS NULL OR expires_at > now())
      GROUP BY application_id
    ), ids AS (
      SELECT application_id FROM c UNION SELECT application_id FROM a UNION SELECT application_id FROM r
    )
    SELECT app.id::int AS application_id, app.name, u.username AS owner_username,
           c.scope AS consent_scope, c.created_at AS consent_at,
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
      lastUsedAt: later(date(r.a_last), date(r.r_last)),
      expiresAt: neverExpires ? null : later(date(r.a_exp), date(r.r_exp)),
      neverExpires,
      liveTokens: Number(r.a_n ?? 0) + Number(r.r_n ?? 0),
    };
  });
}

export interface RevokedAuthorization {
  consent: boolean;
  accessTokens: number;
  refreshTokens: number;
  codes: number;
  deviceCodes: number;
}

/**
 * Removes `userId`'s consent for the application and revokes that user's access and refresh tokens
 * for it, in one statement. Unused authorization codes and approved device codes are voided too,
 * so that nothing issued before the revocation can still be exchanged. Other users' grants are
 * untouched: every statement is scoped to user_id.
 */
export async function revokeAuthorization(userId: string, applicationId: number): Promise<RevokedAuthorization> {
  const rows = await query<{ consent: number; access: number; refresh: number; codes: number; devices: number }>(sql`
    WITH c AS (
      DELETE FROM consents WHERE user_id = ${userId} AND application_id = ${applicationId} RETURNING 1
    ), a AS (
      UPDATE access_tokens SET revoked_at = now()
      WHERE user_id = ${userId} AND application_id = ${applicationId} AND revoked_at IS NULL AND expires_at > now()
      RETURNING 1
    ), r AS (
      UPDATE refresh_tokens SET revoked_at = now()
      WHERE user_id = ${userId} AND application_id = ${applicationId} AND revoked_at IS NULL
      RETURNING rotated_at
    ), g AS (
      UPDATE grants SET consumed_at = now()
      WHERE user_id = ${userId} AND application_id = ${applicationId} AND consumed_at IS NULL AND expires_at > now()
      RETURNING 1
    ), d AS (
      UPDATE device_codes SET status = 'denied'
      WHERE user_id = ${userId} AND application_id = ${applicationId} AND status IN ('pending', 'approved')
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM c)::int AS consent, (SELECT count(*) FROM a)::int AS access,
           (SELECT count(*) FROM r WHERE rotated_at IS NULL)::int AS refresh,
           (SELECT count(*) FROM g)::int AS codes, (SELECT count(*) FROM d)::int AS devices`);
  const r = rows[0];
  return {
    consent: Number(r?.consent ?? 0) > 0,
    accessTokens: Number(r?.access ?? 0),
    refreshTokens: Number(r?.refresh ?? 0),
    codes: Number(r?.codes ?? 0),
    deviceCodes: Number(r?.devices ?? 0),
  };
}
