// The one username/password check, shared by the login form (next-auth) and the legacy password
// grant: the same rate limits (lib/rate-limits.ts: per account and source, per source, and a
// bounded delay per account), the same audit events, and the same answer for an unknown user and
// a wrong password.
import { z } from 'zod';
import { verifyPassword } from './password';
import { canonicalUsername } from '../canonical';
import { findUserByUsername, touchLastLogin } from '../db/queries/users';
import { beginGuess } from '../rate-limits';
import { audit } from '../db/queries/audit';
import type { User } from '../db/schema';

/** What both doors accept as credentials (longer input is refused before any hashing). */
export const credentialsSchema = z.object({ username: z.string().trim().min(1).max(150), password: z.string().min(1).max(1024) });

export type PasswordCheck = { ok: true; user: User } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * Checks `password` for `username` (any spelling: compared by canonicalUsername) from `ip`.
 * Counted against the limits before the check; `rate_limited` means the password was not looked
 * at (retry after `retryAfterSeconds`). An unknown user, a wrong password and an inactive account
 * all answer `invalid`.
 */
export async function checkPassword(
  username: string,
  password: string,
  ip: string,
  context: { applicationId?: number; via?: string } = {},
): Promise<PasswordCheck> {
  const attempt = await beginGuess({ kind: 'login', username, ip });
  if (!attempt.allowed) return { ok: false, reason: 'rate_limited', retryAfterSeconds: attempt.retryAfterSeconds };
  const user = await findUserByUsername(username);
  // Always verify (against a dummy hash for unknown users): neither the answer nor its timing
  // may say whether the username exists.
  const ok = await verifyPassword(user?.passwordHash, password);
  const detail = context.via ? { via: context.via } : undefined;
  if (!ok || !user || !user.isActive) {
    // Labelled by the canonical username, as the limits count it: every spelling of one account is
    // one label in the audit log (the admin's actor filter canonicalizes too).
    audit('login.failure', { actorLabel: canonicalUsername(username), applicationId: context.applicationId ?? null, ip, detail });
    return { ok: false, reason: 'invalid' };
  }
  await Promise.all([touchLastLogin(user.id), attempt.succeeded()]);
  audit('login.success', { actorUserId: user.id, actorLabel: user.username, applicationId: context.applicationId ?? null, ip, detail });
  return { ok: true, user };
}
