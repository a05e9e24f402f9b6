// Server-side login sessions (OWASP Session Management Cheat Sheet), framework-free: a login starts
// a row in `sessions` named by a random 256-bit session id (sid) that only the encrypted session
// cookie carries; the database keeps its SHA-256, like every token here. The rows are read and
// ended through lib/db/queries/sessions.ts; the page-side helpers are in ./session.ts.
import { randomToken, sha256b64url } from '../oauth/random';
import { insertSession } from '../db/queries/sessions';
import { SESSION_MAX_AGE_SECONDS } from './config';

/** Column limits: a header is client-controlled, a row is not a place to store kilobytes of it. */
const MAX_USER_AGENT = 512;
const MAX_IP = 64;

/** How the database names the session `sid` (SHA-256, base64url). */
export const sidHash = (sid: string) => sha256b64url(sid);

/**
 * Starts a session for `userId` (at login): inserts its row, live for SESSION_MAX_AGE_SECONDS (the
 * cookie's lifetime), and returns the sid to put in the session cookie (43 base64url characters).
 */
export async function startSession(userId: string, from: { ip: string; userAgent: string | null }): Promise<string> {
  const sid = randomToken(32);
  await insertSession({
    sidHash: sidHash(sid),
    userId,
    ip: from.ip.slice(0, MAX_IP),
    userAgent: (from.userAgent ?? '').slice(0, MAX_USER_AGENT),
    expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
  });
  return sid;
}
