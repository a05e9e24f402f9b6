// next-auth settings without the database or argon2 (safe to import anywhere).
import type { NextAuthConfig } from 'next-auth';
import { env } from '../env';

export const authConfig = {
  // Our /api/* is the bearer-protected example API, so next-auth lives under /accounts/auth.
  basePath: '/accounts/auth',
  trustHost: true,
  // Our own pages, in the site's layout: next-auth's GET sign-out page would be its own unstyled one.
  pages: { signIn: '/accounts/login/', error: '/accounts/login/', signOut: '/accounts/logout/' },
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.name = user.name;
        token.isStaff = (user as { isStaff?: boolean }).isStaff ?? false;
        // OIDC auth_time: when the user last typed their password.
        token.authTime = Math.floor(Date.now() / 1000);
        // The server-side session this login created (lib/auth/index.ts authorize()).
        token.sid = user.sid;
      }
      return token;
    },
    // The sid stays in the encrypted cookie: the session object is also served to the browser.
    session({ session, token }) {
      session.user = {
        ...session.user,
        id: token.sub!,
        name: token.name ?? '',
        isStaff: Boolean(token.isStaff),
        authTime: Number(token.authTime ?? 0),
      };
      return session;
    },
  },
} satisfies NextAuthConfig;

/**
 * The parts of next-auth's config that come from the settings, for the config built per request
 * (./index.ts): the secret, and a JWT session living limits.sessionMaxAgeSeconds (the cookie's
 * lifetime; its row in `sessions` lives as long, ./sessions.ts).
 */
export const authSettings = () => {
  const e = env();
  return { secret: e.AUTH_SECRET, session: { strategy: 'jwt' as const, maxAge: e.limits.sessionMaxAgeSeconds } };
};
