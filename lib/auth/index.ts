// next-auth with username/password credentials checked against the users table.
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { z } from 'zod';
import { authConfig, authSecret } from './config';
import { verifyPassword } from './password';
import { findUserByUsername, touchLastLogin } from '../db/queries/users';
import { isRateLimited, recordFailure } from '../db/queries/rate-limit';
import { audit } from '../db/queries/audit';
import { clientIp } from '../http/client-ip';

const credentials = z.object({ username: z.string().trim().min(1).max(150), password: z.string().min(1).max(1024) });

export class RateLimitedSignin extends CredentialsSignin {
  code = 'rate_limited';
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  secret: authSecret(),
  // A wrong password is an expected event, not an error with a stack trace.
  logger: {
    error: (e: Error) => {
      if (!(e instanceof CredentialsSignin)) console.error('auth:', e.message);
    },
  },
  providers: [
    Credentials({
      credentials: { username: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        const { username, password } = parsed.data;
        const ip = clientIp(request.headers);
        const keys = [`login:user:${username.toLowerCase()}`, `login:ip:${ip}`];
        for (const k of keys) if (await isRateLimited(k)) throw new RateLimitedSignin();
        const user = await findUserByUsername(username);
        // Always verify (against a dummy hash for unknown users): the answer and its timing
        // must not say whether the username exists.
        const ok = await verifyPassword(user?.passwordHash, password);
        if (!ok || !user || !user.isActive) {
          await Promise.all(keys.map(recordFailure));
          audit('login.failure', { actorLabel: username, ip });
          return null;
        }
        await touchLastLogin(user.id);
        audit('login.success', { actorUserId: user.id, actorLabel: user.username, ip });
        return { id: user.id, name: user.username, email: user.email, isStaff: user.isStaff };
      },
    }),
  ],
}));
