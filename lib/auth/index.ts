// next-auth with username/password credentials checked against the users table. Each login starts
// a server-side session (./sessions.ts) whose id goes into the cookie; every sign-out ends it.
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { authConfig, authSettings } from './config';
import { checkPassword, credentialsSchema } from './check-password';
import { sidHash, startSession } from './sessions';
import { sessionFromCookieHeader } from './session-cookie';
import { findSessionUser, revokeSessionBySid } from '../db/queries/sessions';
import { clientIp } from '../http/client-ip';
import { logAuthError } from '../log';

/** A login refused by a rate limit (lib/rate-limits.ts) before the password was looked at. */
export class RateLimitedSignin extends CredentialsSignin {
  code = 'rate_limited';
  /** Seconds until the attempt can succeed again (the limit's window ends). */
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  ...authSettings(),
  callbacks: {
    ...authConfig.callbacks,
    // Every read of an existing cookie by next-auth itself (GET /accounts/auth/session, auth())
    // checks its server-side session, as currentUser() does: a cookie whose session ended (logout,
    // password change, deactivation) is no session, and next-auth clears it (null ends it).
    async jwt(params) {
      if (params.user) return authConfig.callbacks.jwt(params);
      const { token } = params;
      if (typeof token.sub !== 'string' || typeof token.sid !== 'string') return null;
      const live = await findSessionUser(sidHash(token.sid), token.sub);
      return live?.isActive ? token : null;
    },
  },
  // A wrong password is an expected event, not an error with a stack trace.
  logger: {
    error: (e: Error) => {
      if (!(e instanceof CredentialsSignin)) logAuthError(e);
    },
  },
  events: {
    // Every way out (our pages, and next-auth's own /accounts/auth/signout) ends the row, not just the cookie.
    async signOut(message) {
      const sid = 'token' in message ? message.token?.sid : undefined;
      if (typeof sid === 'string') await revokeSessionBySid(sidHash(sid));
    },
  },
  providers: [
    Credentials({
      credentials: { username: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { username, password } = parsed.data;
        const ip = clientIp(request.headers);
        const result = await checkPassword(username, password, ip);
        if (!result.ok) {
          if (result.reason === 'rate_limited') throw new RateLimitedSignin(result.retryAfterSeconds);
          return null;
        }
        const user = result.user;
        // A new login replaces this browser's previous session, whoever it was (OWASP: renew the session at login).
        const previous = await sessionFromCookieHeader(request.headers.get('cookie'));
        if (previous) await revokeSessionBySid(previous.sidHash, 'replaced');
        const sid = await startSession(user.id, { ip, userAgent: request.headers.get('user-agent') });
        return { id: user.id, name: user.username, email: user.email, isStaff: user.isStaff, sid };
      },
    }),
  ],
}));
