// next-auth with username/password credentials checked against the users table.
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { authConfig, authSecret } from './config';
import { checkPassword, credentialsSchema } from './check-password';
import { clientIp } from '../http/client-ip';
import { logAuthError } from '../log';


export class RateLimitedSignin extends CredentialsSignin {
  code = 'rate_limited';
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  secret: authSecret(),
  // A wrong password is an expected event, not an error with a stack trace.
  logger: {
    error: (e: Error) => {
      if (!(e instanceof CredentialsSignin)) logAuthError(e);
    },
  },
  providers: [
    Credentials({
      credentials: { username: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { username, password } = parsed.data;
        const result = await checkPassword(username, password, clientIp(request.headers));
        if (!result.ok) {
          if (result.reason === 'rate_limited') throw new RateLimitedSignin();
          return null;
        }
        const user = result.user;
        return { id: user.id, name: user.username, email: user.email, isStaff: user.isStaff };
      },
    }),
  ],
}));
