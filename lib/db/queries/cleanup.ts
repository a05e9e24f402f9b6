// `npm run cleartokens`: deletes what can no longer be used, in batches (short transactions, no
// long locks on the hot tables). What is kept, and why:
//  - access tokens: deleted once expired or revoked (a revoked token is as dead as an unknown one).
//  - refresh tokens: a revoked or rotated ("used") one is KEPT until it expires, because presenting
//    a used refresh token again is how a stolen one is detected (RFC 9700 §4.14.2: the whole family
//    is then revoked). One without expiry (REFRESH_TOKEN_EXPIRE_SECONDS unset) is kept for
//    REFRESH_TOKEN_EXPIRE_SECONDS, else for limits.revokedRefreshRetentionSeconds (30 days), after it
//    was revoked or rotated. A live token without expiry is never deleted.
//  - authorization codes: deleted once expired (they live 60 s; a used one is useless afterwards).
//  - device codes: deleted once expired, or consumed (the device already has its tokens).
//  - rate-limit windows that have ended.
//  - login sessions once expired or revoked (a revoked session never comes back).
//  - pending authorization requests once expired (30 minutes; a finished one is deleted at once).
//  - clients registered by a Client ID Metadata Document that nobody uses: fetched more than
//    limits.unusedMetadataClientRetentionSeconds (30 days) ago, with no token, code, device code or
//    pending request left. Anyone can make such a row by naming a new URL, so they must not pile
//    up; the next use fetches the document again. Their consents go with them (such clients are
//    asked every time anyway). One that staff restricted (suspended, given an owner, allowed
//    scopes) is KEPT: deleting it would lift the restriction at the next fetch.
import { sql, type SQL } from 'drizzle-orm';
import { query } from '../index';
import { tokenStateSql } from './token-state';
import { invalidateClients } from './clients';
import { env } from '../../env';


export interface CleanupResult {
  accessTokens: number;
  refreshTokens: number;
  authorizationCodes: number;
  deviceCodes: number;
  rateLimits: number;
  sessions: number;
  authorizationRequests: number;
  /** Unused Client ID Metadata Document clients (see the header). */
  metadataClients: number;
}

export interface CleanupOptions {
  batchSize?: number;
  /** Called after each batch (the script prints progress). */
  onBatch?: (table: string, deleted: number) => void;
}

/** Deletes rows of `table` matching `where`, `batch` at a time, until none is left. */
async function deleteInBatches(table: string, where: SQL, batch: number, onBatch?: CleanupOptions['onBatch']): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await query<{ n: number }>(sql`
      WITH d AS (
        DELETE FROM ${sql.identifier(table)} WHERE id IN (
          SELECT id FROM ${sql.identifier(table)} WHERE ${where} LIMIT ${batch}
        ) RETURNING 1
      )
      SELECT count(*)::int AS n FROM d`);
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n > 0) onBatch?.(table, n);
    if (n < batch) return total;
  }
}

/** The retention of dead refresh tokens without expiry, in seconds (see the header). */
export function revokedRefreshRetentionSeconds(): number {
  return env().REFRESH_TOKEN_EXPIRE_SECONDS ?? env().limits.revokedRefreshRetentionSeconds;
}

export async function clearExpiredTokens(opts: CleanupOptions = {}): Promise<CleanupResult> {
  const batch = Math.max(1, Math.floor(opts.batchSize ?? env().limits.cleanupBatchSize));
  const retention = revokedRefreshRetentionSeconds();
  const window = env().RATE_LIMIT_WINDOW_SECONDS;
  const del = (table: string, where: SQL) => deleteInBatches(table, where, batch, opts.onBatch);

  // The states of lib/db/queries/token-state.ts; `del` names no alias, so columns are qualified by table.
  const access = tokenStateSql('access', 'access_tokens');
  const refresh = tokenStateSql('refresh', 'refresh_tokens');
  const code = tokenStateSql('code', 'authorization_codes');
  const accessTokens = await del('access_tokens', sql`${access.pastExpiry} OR ${access.revoked}`);
  const refreshTokens = await del(
    'refresh_tokens',
    sql`${refresh.pastExpiry}
        OR (refresh_tokens.expires_at IS NULL AND (${refresh.revoked} OR ${refresh.used})
            AND least(refresh_tokens.revoked_at, refresh_tokens.rotated_at) <= now() - make_interval(secs => ${retention}))`,
  );
  const authorizationCodes = await del('authorization_codes', code.pastExpiry);
  const deviceCodes = await del('device_codes', sql`expires_at <= now() OR status = 'consumed'`);
  const sessions = await del('sessions', sql`expires_at <= now() OR revoked_at IS NOT NULL`);
  const authorizationRequests = await del('authorization_requests', sql`expires_at <= now()`);
  const limits = await query<{ n: number }>(sql`
    WITH d AS (DELETE FROM rate_limits WHERE window_start <= now() - make_interval(secs => ${window}) RETURNING 1)
    SELECT count(*)::int AS n FROM d`);
  const metadataClients = await deleteUnusedMetadataClients(batch, opts.onBatch);
  return { accessTokens, refreshTokens, authorizationCodes, deviceCodes, rateLimits: Number(limits[0]?.n ?? 0), sessions, authorizationRequests, metadataClients };
}

/**
 * Deletes the unused Client ID Metadata Document clients (see the header), `batch` at a time, after
 * the dead tokens and codes are gone, and drops them from every instance's client cache (NOTIFY).
 * @returns how many were deleted
 */
async function deleteUnusedMetadataClients(batch: number, onBatch?: CleanupOptions['onBatch']): Promise<number> {
  const retention = env().limits.unusedMetadataClientRetentionSeconds;
  const none = (table: string) => sql`NOT EXISTS (SELECT 1 FROM ${sql.identifier(table)} x WHERE x.application_id = a.id)`;
  let total = 0;
  for (;;) {
    const rows = await query<{ client_id: string }>(sql`
      DELETE FROM applications WHERE id IN (
        SELECT a.id FROM applications a
        WHERE a.registration_method = 'metadata_document'
          -- Only as the document made it: not suspended (by staff, or through an owner staff gave
          -- it, deactivated since), no owner, no allowed scopes set by staff. Deleting any of those
          -- would lift the restriction at the next fetch.
          AND a.suspended_at IS NULL AND a.user_id IS NULL AND a.allowed_scopes IS NULL
          AND coalesce(a.metadata_fetched_at, a.created_at) <= now() - make_interval(secs => ${retention})
          AND ${none('access_tokens')} AND ${none('refresh_tokens')} AND ${none('authorization_codes')}
          AND ${none('device_codes')} AND ${none('authorization_requests')}
        LIMIT ${batch}
      ) RETURNING client_id`);
    await invalidateClients(rows.map((r) => r.client_id));
    total += rows.length;
    if (rows.length > 0) onBatch?.('applications', rows.length);
    if (rows.length < batch) return total;
  }
}
