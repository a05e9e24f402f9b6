// Pending authorization requests (schema: authorization_requests). Looked up by the SHA-256 of
// their id only; a row counts only while expires_at is in the future, and spending one is a single
// DELETE … RETURNING, so of two concurrent completions exactly one wins.
import { sql } from 'drizzle-orm';
import { query } from '../index';

export interface NewAuthorizationRequest {
  requestIdHash: string;
  applicationId: number;
  /** The validated request, as JSON (lib/oauth/pending-request.ts). */
  params: unknown;
  sessionSidHash: string | null;
  /** Seconds since the epoch from which a login satisfies the request's prompt=login or max_age, or null. */
  loginAfter: number | null;
  /** The source that made it (the client IP as the front door determined it). */
  clientIp: string;
  expiresAt: Date;
}

/** A live pending request, with the client it belongs to. */
export interface PendingRow {
  applicationId: number;
  clientId: string;
  appName: string;
  /** The username of whoever registered the application (the consent page names them), or null. */
  ownerUsername: string | null;
  params: unknown;
  sessionSidHash: string | null;
  /** Seconds since the epoch (whole seconds, as a login's auth_time), or null. */
  loginAfter: number | null;
}

type RawRow = {
  application_id: number;
  client_id: string;
  name: string;
  owner_username: string | null;
  params: unknown;
  session_sid_hash: string | null;
  login_after: number | null;
};

const toRow = (r: RawRow | undefined): PendingRow | null =>
  r
    ? {
        applicationId: Number(r.application_id),
        clientId: r.client_id,
        appName: r.name,
        ownerUsername: r.owner_username,
        // postgres.js parses jsonb; PGlite may hand text back when the column is read through a CTE.
        params: typeof r.params === 'string' ? JSON.parse(r.params) : r.params,
        sessionSidHash: r.session_sid_hash,
        loginAfter: r.login_after === null ? null : Number(r.login_after),
      }
    : null;

const loginAfterSeconds = sql`floor(extract(epoch from r.login_after))::float8`;
/** The columns of a PendingRow, over `r` (the request), `a` (its application) and `o` (the application's owner). */
const pendingColumns = sql`r.application_id::float8 AS application_id, a.client_id, a.name, o.username AS owner_username, r.params, r.session_sid_hash, ${loginAfterSeconds} AS login_after`;

/**
 * Stores a pending request, and drops the oldest requests of the same source beyond its newest
 * `perSource`: one source can fill neither the table nor the disk, and can evict only its own
 * pending requests, never anyone else's (no lockout of others).
 */
export async function insertAuthorizationRequest(r: NewAuthorizationRequest, perSource: number): Promise<void> {
  await query(sql`
    INSERT INTO authorization_requests (request_id_hash, application_id, params, session_sid_hash, login_after, client_ip, expires_at)
    VALUES (${r.requestIdHash}, ${r.applicationId}, ${JSON.stringify(r.params)}::text::jsonb, ${r.sessionSidHash},
            to_timestamp(${r.loginAfter}::float8), ${r.clientIp}, ${r.expiresAt.toISOString()}::timestamptz)`);
  await query(sql`
    DELETE FROM authorization_requests WHERE client_ip = ${r.clientIp} AND id <= (
      SELECT id FROM authorization_requests WHERE client_ip = ${r.clientIp} ORDER BY id DESC OFFSET ${perSource} LIMIT 1)`);
}

/**
 * The live pending request `requestIdHash` with its application's client_id, name and owner, in one
 * statement; null when it is unknown, spent or expired. With `bindSidHash` the row is bound to that
 * session in the same statement (the session now looking at it is the one whose consent decision counts).
 */
export async function findAuthorizationRequest(requestIdHash: string, bindSidHash?: string): Promise<PendingRow | null> {
  const rows =
    bindSidHash === undefined
      ? await query<RawRow>(sql`
          SELECT ${pendingColumns}
          FROM authorization_requests r JOIN applications a ON a.id = r.application_id LEFT JOIN users o ON o.id = a.user_id
          WHERE r.request_id_hash = ${requestIdHash} AND r.expires_at > now()`)
      : await query<RawRow>(sql`
          UPDATE authorization_requests r SET session_sid_hash = ${bindSidHash}
          FROM applications a LEFT JOIN users o ON o.id = a.user_id
          WHERE a.id = r.application_id AND r.request_id_hash = ${requestIdHash} AND r.expires_at > now()
          RETURNING ${pendingColumns}`);
  return toRow(rows[0]);
}

/**
 * Records that a login from `loginAfter` (seconds since the epoch) on satisfies the request, unless
 * an earlier time is recorded already.
 */
export async function markLoginRequested(requestIdHash: string, loginAfter: number): Promise<void> {
  await query(sql`
    UPDATE authorization_requests SET login_after = to_timestamp(${loginAfter}::float8)
    WHERE request_id_hash = ${requestIdHash} AND login_after IS NULL AND expires_at > now()`);
}

/** Spends the request: true for exactly one caller while it is live, false otherwise. */
export async function consumeAuthorizationRequest(requestIdHash: string): Promise<boolean> {
  const rows = await query<{ one: number }>(sql`
    DELETE FROM authorization_requests WHERE request_id_hash = ${requestIdHash} AND expires_at > now() RETURNING 1 AS one`);
  return rows.length > 0;
}
