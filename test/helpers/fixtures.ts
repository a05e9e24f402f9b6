// Test data made through the real schema (and the real sessions and session cookie format of next-auth).
import crypto from 'node:crypto';
import { encode } from 'next-auth/jwt';
import { getDb } from '@/lib/db';
import { applications, users, type Application, type User } from '@/lib/db/schema';
import { hashPassword } from '@/lib/auth/password';
import { randomClientId, randomClientSecret } from '@/lib/oauth/random';
import { env } from '@/lib/env';
import { canonicalUsername } from '@/lib/canonical';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { sidHash, startSession } from '@/lib/auth/sessions';
import type { SessionInfo } from '@/lib/oauth/endpoints/authorize';

export async function makeUser(over: Partial<{ username: string; password: string; email: string; isStaff: boolean; isActive: boolean }> = {}): Promise<User & { password: string }> {
  const password = over.password ?? 'correct horse battery staple';
  const db = await getDb();
  const username = over.username ?? `user_${crypto.randomBytes(4).toString('hex')}`;
  const [u] = await db
    .insert(users)
    .values({
      username,
      usernameCanonical: canonicalUsername(username),
      email: over.email ?? 'user@example.com',
      passwordHash: await hashPassword(password),
      isStaff: over.isStaff ?? false,
      isActive: over.isActive ?? true,
    })
    .returning();
  return { ...u, password };
}

export const POSTMAN_CALLBACK = 'https://www.getpostman.com/oauth2/callback';

export async function makeApp(
  over: Partial<typeof applications.$inferInsert> & { secret?: string } = {},
): Promise<Application & { secret: string }> {
  const secret = over.secret ?? randomClientSecret();
  const hashed = over.secretHashed ?? true;
  const type = over.clientType ?? 'confidential';
  const db = await getDb();
  const [a] = await db
    .insert(applications)
    .values({
      name: 'Test app',
      clientId: randomClientId(),
      clientType: type,
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [POSTMAN_CALLBACK],
      ...over,
      clientSecret: type === 'public' ? '' : hashed ? await hashPassword(secret) : secret,
      secretHashed: hashed,
    })
    .returning();
  return { ...a, secret };
}

export interface LoginSession {
  /** The Cookie header value a browser sends after this login. */
  cookie: string;
  /** What the authorize endpoint takes as the session (lib/oauth/endpoints/authorize.ts). */
  session: SessionInfo;
}

/**
 * A login of `user`, exactly as a browser holds it: a real server-side session row (lib/auth/sessions.ts)
 * and the next-auth session cookie that names it.
 */
export async function loginSession(user: Pick<User, 'id' | 'username'>, authTime = Math.floor(Date.now() / 1000)): Promise<LoginSession> {
  const sid = await startSession(user.id, { ip: '127.0.0.1', userAgent: 'vitest' });
  const token = await encode({
    token: { sub: user.id, name: user.username, isStaff: false, authTime, sid },
    secret: env().AUTH_SECRET,
    salt: SESSION_COOKIE,
    maxAge: 3600,
  });
  return { cookie: `${SESSION_COOKIE}=${token}`, session: { userId: user.id, authTime, sidHash: sidHash(sid) } };
}

/** A next-auth session cookie for `user` (a real session row behind it), as a browser holds it after logging in. */
export async function sessionCookie(user: Pick<User, 'id' | 'username'>, authTime = Math.floor(Date.now() / 1000)): Promise<string> {
  return (await loginSession(user, authTime)).cookie;
}

export const basic = (id: string, secret: string) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

export function form(params: Record<string, string | undefined>): URLSearchParams {
  const f = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) f.set(k, v);
  return f;
}
