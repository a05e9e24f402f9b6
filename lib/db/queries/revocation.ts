// Token revocation (RFC 7009). Each statement is bound to the requesting client: a token of another
// client matches no row, so it is left alone while the endpoint still answers 200.
import { sql } from 'drizzle-orm';
import { query } from '../index';

export interface Revoked {
  userId: string | null;
  access: number;
  refresh: number;
}

/**
 * Revokes one access token of `applicationId`. Returns null when the client has no such token
 * (an already revoked one is still "found", so the caller does not go on searching).
 */
export async function revokeAccessToken(tokenHash: string, applicationId: number): Promise<Revoked | null> {
  const rows = await query<{ user_id: string | null; n: number }>(sql`
    WITH t AS (
      SELECT id, user_id FROM access_tokens WHERE token_hash = ${tokenHash} AND application_id = ${applicationId}
    ), u AS (
      UPDATE access_tokens SET revoked_at = now() WHERE id IN (SELECT id FROM t) AND revoked_at IS NULL RETURNING 1
    )
    SELECT t.user_id::text AS user_id, (SELECT count(*) FROM u)::int AS n FROM t`);
  const r = rows[0];
  return r ? { userId: r.user_id, access: Number(r.n), refresh: 0 } : null;
}

/**
 * RFC 7009 §2.1: revoking a refresh token also invalidates "all access tokens based on the same
 * authorization grant": every access and refresh token of its family. Null when the client has
 * no such refresh token.
 */
export async function revokeRefreshTokenFamily(tokenHash: string, applicationId: number): Promise<Revoked | null> {
  const rows = await query<{ user_id: string | null; access: number; refresh: number }>(sql`
    WITH t AS (
      SELECT family_id, user_id FROM refresh_tokens
      WHERE token_hash = ${tokenHash} AND application_id = ${applicationId}
    ), r AS (
      UPDATE refresh_tokens SET revoked_at = now()
      WHERE family_id IN (SELECT family_id FROM t) AND revoked_at IS NULL
      RETURNING 1
    ), a AS (
      UPDATE access_tokens SET revoked_at = now()
      WHERE family_id IN (SELECT family_id FROM t) AND revoked_at IS NULL
      RETURNING 1
    )
    SELECT t.user_id::text AS user_id, (SELECT count(*) FROM a)::int AS access, (SELECT count(*) FROM r)::int AS refresh
    FROM t`);
  const r = rows[0];
  return r ? { userId: r.user_id, access: Number(r.access), refresh: Number(r.refresh) } : null;
}
