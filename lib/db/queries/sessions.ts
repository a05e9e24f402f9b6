// Login sessions, server-side (OWASP Session Management Cheat Sheet): the session cookie carries a
// random session id (sid); this table holds only its SHA-256 (`sid_hash`). A session is live while
// revoked_at is NULL and expires_at is in the future; every session read checks that in the same
// statement as the user it returns, so a revoked session is dead at once on every door.
import { sql, type SQL } from 'drizzle-orm';
import { query, statement, type Placeholders } from '../index';
import { isUuid } from '../../fields';
import { env } from '../../env';

/** A user id and sid hash worth asking the database about (anything else names no session). */
export const isSessionKey = (sidHash: string, userId: string) => isUuid(userId) && /^[A-Za-z0-9_-]{43}$/.test(sidHash);

/**
 * SQL for two CTEs, `s` (the live session `p.sidHash` of `p.userId`: columns id, user_id; at most
 * one row) and `seen` (touches its last_seen_at when older than `p.seenEverySeconds`, so that
 * reads stay reads; liveSessionValues gives the values). Put it first in a WITH list and join `s` to read the session's user in
 * the same statement.
 */
export function liveSessionCtes(p: Placeholders<LiveSessionValues>): SQL {
  return sql`s AS (
      SELECT id, user_id, last_seen_at FROM sessions
      WHERE sid_hash = ${p.sidHash}::text AND user_id = ${p.userId}::uuid AND revoked_at IS NULL AND expires_at > now()
    ), seen AS (
      UPDATE sessions SET last_seen_at = now()
      WHERE id = (SELECT id FROM s) AND last_seen_at < now() - make_interval(secs => ${p.seenEverySeconds}::float8)
      RETURNING 1
    )`;
}

/** The parameters of liveSessionCtes: the session's key (the cookie's sid hash and its `sub`), and how often last_seen_at is written (seconds). */
export interface LiveSessionValues {
  sidHash: string;
  userId: string;
  seenEverySeconds: number;
}

/** The values of liveSessionCtes for the session `sidHash` of `userId`. */
export const liveSessionValues = (sidHash: string, userId: string): LiveSessionValues => ({
  sidHash,
  userId,
  seenEverySeconds: env().limits.sessionSeenEverySeconds,
});

export interface NewSession {
  sidHash: string;
  userId: string;
  ip: string;
  userAgent: string;
  expiresAt: Date;
}

const findSessionUserStatement = statement<LiveSessionValues, { session_id: number; id: string; username: string; is_staff: boolean; is_active: boolean }>(
  (p) => sql`
    WITH ${liveSessionCtes(p)}
    SELECT s.id::float8 AS session_id, u.id, u.username, u.is_staff, u.is_active
    FROM s JOIN users u ON u.id = s.user_id`,
);

/** Records a login. */
export async function insertSession(s: NewSession): Promise<void> {
  await query(sql`
    INSERT INTO sessions (sid_hash, user_id, ip, user_agent, expires_at)
    VALUES (${s.sidHash}, ${s.userId}, ${s.ip}, ${s.userAgent}, ${s.expiresAt.toISOString()}::timestamptz)`);
}

export interface SessionUserRow {
  /** sessions.id */
  sessionId: number;
  id: string;
  username: string;
  isStaff: boolean;
  isActive: boolean;
}

/**
 * The user of the live session `sidHash` (which must belong to `userId`, the cookie's `sub`), in one
 * statement that also touches last_seen_at (throttled). Null when the session is unknown, revoked
 * or expired. The caller decides what an inactive user means.
 */
export async function findSessionUser(sidHash: string, userId: string): Promise<SessionUserRow | null> {
  if (!isSessionKey(sidHash, userId)) return null;
  const rows = await findSessionUserStatement(liveSessionValues(sidHash, userId));
  const r = rows[0];
  return r ? { sessionId: Number(r.session_id), id: r.id, username: r.username, isStaff: r.is_staff, isActive: r.is_active } : null;
}

export interface SessionRow {
  id: number;
  ip: string;
  userAgent: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** The session whose sid hash was given (the browser asking). */
  current: boolean;
}

/**
 * The live sessions of `userId` (at most 200): the asking browser's (`currentSidHash`, marked
 * `current`) first, so the person finds "this browser" at the top and never past the limit; then
 * the most recently seen.
 */
export async function listLiveSessions(userId: string, currentSidHash: string): Promise<SessionRow[]> {
  if (!isUuid(userId)) return [];
  const rows = await query<{ id: number; ip: string; user_agent: string; created_at: Date | string; last_seen_at: Date | string; expires_at: Date | string; current: boolean }>(sql`
    SELECT id::float8 AS id, ip, user_agent, created_at, last_seen_at, expires_at, sid_hash = ${currentSidHash} AS current
    FROM sessions
    WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
    ORDER BY sid_hash = ${currentSidHash} DESC, last_seen_at DESC, id DESC
    LIMIT 200`);
  const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
  return rows.map((r) => ({
    id: Number(r.id),
    ip: r.ip,
    userAgent: r.user_agent,
    createdAt: date(r.created_at),
    lastSeenAt: date(r.last_seen_at),
    expiresAt: date(r.expires_at),
    current: Boolean(r.current),
  }));
}

const count = (rows: { n: number }[]) => Number(rows[0]?.n ?? 0);

/**
 * Why a session was ended, stored with it (sessions.ended_reason):
 * - `logout`: its browser logged out;
 * - `replaced`: its browser logged in again (a new session replaced it);
 * - `signed_out`: the user signed it out from another browser (the sessions page);
 * - `password_changed`: the user's password was changed from another browser;
 * - `deactivated`: an administrator deactivated the user.
 */
export const SESSION_END_REASONS = ['logout', 'replaced', 'signed_out', 'password_changed', 'deactivated'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * Ends the session `sidHash`: `logout` (default) or `replaced` by a new login in the same browser.
 * Returns the user whose live session it was, or null if none was live.
 */
export async function revokeSessionBySid(sidHash: string, reason: 'logout' | 'replaced' = 'logout'): Promise<string | null> {
  const rows = await query<{ user_id: string }>(sql`
    UPDATE sessions SET revoked_at = now(), ended_reason = ${reason}
    WHERE sid_hash = ${sidHash} AND revoked_at IS NULL AND expires_at > now()
    RETURNING user_id`);
  return rows[0]?.user_id ?? null;
}

/** Ends session `id` if it is a live session of `userId` ("Sign out" on the sessions page). Whether it was. */
export async function revokeUserSession(userId: string, id: number): Promise<boolean> {
  if (!isUuid(userId)) return false;
  const rows = await query<{ n: number }>(sql`
    WITH d AS (
      UPDATE sessions SET revoked_at = now(), ended_reason = ${'signed_out' satisfies SessionEndReason}
      WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
      RETURNING 1
    ) SELECT count(*)::int AS n FROM d`);
  return count(rows) > 0;
}

/**
 * Ends every live session of `userId` except the one `keepSidHash` names (null: ends them all), for
 * `reason`: `signed_out` ("Sign out all other sessions"), `deactivated`. Returns how many were ended.
 */
export async function revokeUserSessions(userId: string, keepSidHash: string | null, reason: 'signed_out' | 'deactivated'): Promise<number> {
  if (!isUuid(userId)) return 0;
  const rows = await query<{ n: number }>(sql`
    WITH d AS (
      UPDATE sessions SET revoked_at = now(), ended_reason = ${reason}
      WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now()
        AND (${keepSidHash}::text IS NULL OR sid_hash <> ${keepSidHash}::text)
      RETURNING 1
    ) SELECT count(*)::int AS n FROM d`);
  return count(rows);
}

/**
 * Sets the user's password hash and ends every other session of theirs, in one statement (a session
 * opened with the old password must not outlive the change). Returns how many sessions were ended,
 * or null when the user does not exist.
 */
export async function setPasswordEndingOtherSessions(userId: string, passwordHash: string, keepSidHash: string): Promise<number | null> {
  if (!isUuid(userId)) return null;
  const rows = await query<{ found: number; n: number }>(sql`
    WITH u AS (
      UPDATE users SET password_hash = ${passwordHash} WHERE id = ${userId} RETURNING id
    ), d AS (
      UPDATE sessions SET revoked_at = now(), ended_reason = ${'password_changed' satisfies SessionEndReason}
      WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL AND expires_at > now() AND sid_hash <> ${keepSidHash}
      RETURNING 1
    ) SELECT (SELECT count(*) FROM u)::int AS found, (SELECT count(*) FROM d)::int AS n`);
  return Number(rows[0]?.found ?? 0) > 0 ? count(rows) : null;
}

/**
 * Why the session `sidHash` of `userId` is not live, for a browser that still holds its cookie:
 * its SessionEndReason; `ended` when it was ended without a recorded reason (before the column
 * existed); `expired` past its expires_at; `deactivated` while live but the user is inactive.
 * Null when the session is live with an active user, or unknown. Not on any hot path: only asked
 * when a cookie names no live session.
 */
export async function sessionEndReason(sidHash: string, userId: string): Promise<SessionEndReason | 'ended' | 'expired' | null> {
  if (!isSessionKey(sidHash, userId)) return null;
  const rows = await query<{ revoked: boolean; ended_reason: string | null; expired: boolean; is_active: boolean }>(sql`
    SELECT s.revoked_at IS NOT NULL AS revoked, s.ended_reason, s.expires_at <= now() AS expired, u.is_active
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.sid_hash = ${sidHash} AND s.user_id = ${userId}`);
  const r = rows[0];
  if (!r) return null;
  if (r.revoked) return (SESSION_END_REASONS as readonly string[]).includes(r.ended_reason ?? '') ? (r.ended_reason as SessionEndReason) : 'ended';
  if (r.expired) return 'expired';
  return r.is_active ? null : 'deactivated';
}
