// The staff's token list (/admin/tokens/): access tokens, refresh tokens or authorization codes,
// newest first by primary key, filtered by application, user and state (the state of
// lib/db/queries/token-state.ts, computed by the statement). No token value or hash leaves here.
import { sql, type SQL } from 'drizzle-orm';
import { query } from '../index';
import { tokenStateSql } from './token-state';
import { dateOf, dateOrNull } from './values';
import { page, type Page } from './page';
import type { TokenKind, TokenListQuery, TokenListRow, TokenState } from '../../oauth/store';

/** What differs between the kinds' tables: the columns are read as `t`. */
const KINDS: Record<TokenKind, { table: string; grantType: SQL; endedAt: SQL; lastUsedAt: SQL }> = {
  access: { table: 'access_tokens', grantType: sql`t.grant_type`, endedAt: sql`t.revoked_at`, lastUsedAt: sql`NULL::timestamptz` },
  refresh: { table: 'refresh_tokens', grantType: sql`NULL::text`, endedAt: sql`coalesce(t.revoked_at, t.rotated_at)`, lastUsedAt: sql`t.last_used_at` },
  code: { table: 'authorization_codes', grantType: sql`'authorization_code'::text`, endedAt: sql`t.consumed_at`, lastUsedAt: sql`NULL::timestamptz` },
};

/**
 * TokenStore.listTokens: one query; filters use the (application_id, user_id) and (user_id)
 * indexes, the cursor the primary key.
 */
export async function listTokens(f: TokenListQuery): Promise<Page<TokenListRow>> {
  const k = KINDS[f.kind];
  const state = tokenStateSql(f.kind, 't');
  const conds: SQL[] = [sql`true`];
  if (f.applicationId) conds.push(sql`t.application_id = ${f.applicationId}`);
  if (f.userId) conds.push(sql`t.user_id = ${f.userId}`);
  if (f.state) conds.push(state.is(f.state));
  if (f.after) conds.push(sql`t.id < ${f.after}`);
  const rows = await query<{
    id: number;
    application_id: number;
    application_name: string;
    user_id: string | null;
    username: string | null;
    scope: string;
    grant_type: string | null;
    created_at: unknown;
    expires_at: unknown;
    ended_at: unknown;
    last_used_at: unknown;
    state: TokenState;
  }>(sql`
    SELECT t.id::float8 AS id, t.application_id::float8 AS application_id, app.name AS application_name, t.user_id, u.username,
           t.scope, ${k.grantType} AS grant_type, t.created_at, t.expires_at, ${k.endedAt} AS ended_at, ${k.lastUsedAt} AS last_used_at,
           ${state.label} AS state
    FROM ${sql.raw(k.table)} t
    JOIN applications app ON app.id = t.application_id
    LEFT JOIN users u ON u.id = t.user_id
    WHERE ${sql.join(conds, sql` AND `)}
    ORDER BY t.id DESC
    LIMIT ${f.limit + 1}`);
  const list: TokenListRow[] = rows.map((r) => ({
    id: Number(r.id),
    kind: f.kind,
    applicationId: Number(r.application_id),
    applicationName: r.application_name,
    userId: r.user_id,
    username: r.username,
    scope: r.scope,
    grantType: r.grant_type,
    createdAt: dateOf(r.created_at),
    expiresAt: dateOrNull(r.expires_at),
    endedAt: dateOrNull(r.ended_at),
    state: r.state,
    lastUsedAt: dateOrNull(r.last_used_at),
  }));
  return page(list, f.limit, (r) => String(r.id));
}
