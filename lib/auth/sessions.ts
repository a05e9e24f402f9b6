// Server-side login sessions (OWASP Session Management Cheat Sheet), framework-free: a login starts
// a row in `sessions` named by a random 256-bit session id (sid) that only the encrypted session
// cookie carries; the database keeps its SHA-256, like every token here. The rows are read and
// ended through lib/db/queries/sessions.ts; the page-side helpers are in ./session.ts.
import { randomToken, sha256b64url } from '../oauth/random';
import { insertSession, listLiveSessions, revokeUserSession, revokeUserSessions, setPasswordEndingOtherSessions } from '../db/queries/sessions';
import { audit } from '../db/queries/audit';
import { checkPassword } from './check-password';
import { hashPassword } from './password';
import { describeUserAgent } from './user-agent';
import { env } from '../env';

/** An address in text (IPv6 with a zone fits): the column's format, not a setting. */
const MAX_IP = 64;

/** How the database names the session `sid` (SHA-256, base64url). */
export const sidHash = (sid: string) => sha256b64url(sid);

/**
 * Starts a session for `userId` (at login): inserts its row, live for limits.sessionMaxAgeSeconds
 * (the cookie's lifetime), and returns the sid to put in the session cookie (43 base64url characters).
 * The User-Agent is cut to limits.userAgentMaxLength: a header is client-controlled, a row is not a
 * place to store kilobytes of it.
 */
export async function startSession(userId: string, from: { ip: string; userAgent: string | null }): Promise<string> {
  const sid = randomToken(32);
  const { sessionMaxAgeSeconds, userAgentMaxLength } = env().limits;
  await insertSession({
    sidHash: sidHash(sid),
    userId,
    ip: from.ip.slice(0, MAX_IP),
    userAgent: (from.userAgent ?? '').slice(0, userAgentMaxLength),
    expiresAt: new Date(Date.now() + sessionMaxAgeSeconds * 1000),
  });
  return sid;
}

/** The signed-in user and their browser's session, as the pages know them (lib/auth/session.ts SessionUser). */
export interface SessionOwner {
  id: string;
  name: string;
  sessionId: number;
  sidHash: string;
}

export interface SessionView {
  id: number;
  /** "Chrome on Linux" (./user-agent.ts). */
  browser: string;
  ip: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The browser asking. */
  current: boolean;
}

/** The owner's live sessions: this browser's first, then the most recently seen. */
export async function listMySessions(owner: SessionOwner): Promise<SessionView[]> {
  const rows = await listLiveSessions(owner.id, owner.sidHash);
  return rows.map((r) => ({ id: r.id, browser: describeUserAgent(r.userAgent), ip: r.ip, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt, current: r.current }));
}

/** Ends the owner's session `id` ("Sign out" on the sessions page). False when it was not a live session of theirs. */
export const endMySession = (owner: SessionOwner, id: number): Promise<boolean> => revokeUserSession(owner.id, id);

/** Ends every session of the owner but this browser's ("Sign out all other sessions"). Returns how many. */
export const endMyOtherSessions = (owner: SessionOwner): Promise<number> => revokeUserSessions(owner.id, owner.sidHash, 'signed_out');

export type PasswordChange =
  | { ok: true; endedSessions: number }
  | { ok: false; reason: 'wrong_password' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * Changes the owner's password after checking the current one (the login's check: same rate limits
 * and audit, ./check-password.ts), and ends every other session of theirs in the same statement
 * (OWASP Session Management: a password change ends the other sessions). This browser stays signed in.
 */
export async function changePassword(owner: SessionOwner, current: string, next: string, ip: string): Promise<PasswordChange> {
  const check = await checkPassword(owner.name, current, ip, { via: 'password_change' });
  if (!check.ok) return check.reason === 'rate_limited' ? check : { ok: false, reason: 'wrong_password' };
  if (check.user.id !== owner.id) return { ok: false, reason: 'wrong_password' };
  const ended = await setPasswordEndingOtherSessions(owner.id, await hashPassword(next), owner.sidHash);
  if (ended === null) return { ok: false, reason: 'wrong_password' };
  audit('user.password_changed', { actorUserId: owner.id, actorLabel: owner.name, ip, detail: { ended_sessions: ended } });
  return { ok: true, endedSessions: ended };
}
