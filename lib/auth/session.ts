// Page-side helpers: who is signed in (checked against the server-side session on every read), the
// login redirect that keeps `next`, and ending the asking browser's session.
import { headers } from 'next/headers';
import { redirect, notFound } from 'next/navigation';
import { signOut } from './index';
import { sessionFromCookieHeader } from './session-cookie';
import { findSessionUser, revokeSessionBySid, sessionEndReason, type SessionEndReason } from '../db/queries/sessions';
import { loginPath } from '../oauth/paths';

export interface SessionUser {
  id: string;
  name: string;
  isStaff: boolean;
  /** Seconds since the epoch when the user last entered their password (OIDC auth_time). */
  authTime: number;
  /** This browser's session: its row id and sid hash (never the sid itself). */
  sessionId: number;
  sidHash: string;
}

/**
 * The signed-in, still active user of this request's session cookie, or null. One statement reads
 * the live session row and its user: a revoked or expired session, or a deactivated account, is
 * no session at once.
 */
export async function currentUser(): Promise<SessionUser | null> {
  const claims = await sessionFromCookieHeader((await headers()).get('cookie'));
  if (!claims) return null;
  const u = await findSessionUser(claims.sidHash, claims.userId);
  if (!u || !u.isActive) return null;
  return { id: u.id, name: u.username, isStaff: u.isStaff, authTime: claims.authTime, sessionId: u.sessionId, sidHash: claims.sidHash };
}

/**
 * Logs this browser out: ends its session row, then clears the cookie. Returns the id of the user
 * whose live session this request ended, or null when there was none (no cookie, already ended).
 */
export async function endCurrentSession(): Promise<string | null> {
  const claims = await sessionFromCookieHeader((await headers()).get('cookie'));
  const ended = claims ? await revokeSessionBySid(claims.sidHash) : null;
  await signOut({ redirect: false });
  return ended;
}

/**
 * Why this browser is not signed in although it still holds a session cookie of ours: the session
 * was ended elsewhere (another browser signed it out, a password change, an administrator), or it
 * expired. Null when there is no such cookie or its session is live. The login page says it, so a
 * person knows why they must log in again (OWASP Session Management). Only the holder of the
 * (encrypted) cookie learns it.
 */
export async function endedSessionReason(): Promise<SessionEndReason | 'ended' | 'expired' | null> {
  const claims = await sessionFromCookieHeader((await headers()).get('cookie'));
  return claims ? sessionEndReason(claims.sidHash, claims.userId) : null;
}

/** The login page that returns to `next` (lib/oauth/paths.ts). */
export const loginUrl = loginPath;

/** For pages behind login: redirects anonymous visitors to the login page and back to `next`. */
export async function requireUser(next: string): Promise<SessionUser> {
  const u = await currentUser();
  if (!u) redirect(loginUrl(next));
  return u;
}

/** Staff-only pages answer 404 to everyone else, so their existence is not revealed. */
export async function requireStaff(next: string): Promise<SessionUser> {
  const u = await requireUser(next);
  if (!u.isStaff) notFound();
  return u;
}
