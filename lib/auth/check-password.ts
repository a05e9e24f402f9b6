// The one username/password check, shared by the login form (next-auth) and the legacy password
// grant: the same rate limits (per username and per IP, whichever door), the same audit events,
// and the same answer for an unknown user and a wrong password.
import { z } from 'zod';
import { verifyPassword } from './password';
import { canonicalUsername } from '../canonical';
import { findUserByUsername, touchLastLogin } from '../db/queries/users';
import { attemptOverLimit, clearFailures } from '../db/queries/rate-limit';
import { audit } from '../db/queries/audit';
import type { User } from '../db/schema';

/** What both doors accept as credentials (longer input is refused before any hashing). */
export const credentialsSchema = z.object({ username: z.string().trim().min(1).max(150), password: z.string().min(1).max(1024) });

export type PasswordCheck = { ok: true; user: User } | { ok: false; reason: 'rate_limited' | 'invalid' };

export async function checkPassword(
  username: string,
  password: string,
  ip: string,
  context: { applicationId?: number; via?: string } = {},
): Promise<PasswordCheck> {
  // Counted before the check (one statement per key), so a parallel burst cannot slip past the limit.
  const keys = [`login:user:${canonicalUsername(username)}`, `login:ip:${ip}`];
  const over = await Promise.all(keys.map(attemptOverLimit));
  if (over.some(Boolean)) return { ok: false, reason: 'rate_limited' };
  const user = await findUserByUsername(username);
  // Always verify (against a dummy hash for unknown users): neither the answer nor its timing
  // may say whether the username exists.
  const ok = await verifyPassword(user?.passwordHash, password);
  const detail = context.via ? { via: context.via } : undefined;
  if (!ok || !user || !user.isActive) {
    audit('login.failure', { actorLabel: username, applicationId: context.applicationId ?? null, ip, detail });
    return { ok: false, reason: 'invalid' };
  }
  await Promise.all([touchLastLogin(user.id), ...keys.map(clearFailures)]);
  audit('login.success', { actorUserId: user.id, actorLabel: user.username, applicationId: context.applicationId ?? null, ip, detail });
  return { ok: true, user };
}
