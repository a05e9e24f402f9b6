import 'next-auth';

declare module 'next-auth' {
  interface Session {
    user: { id: string; name: string; email?: string | null; isStaff: boolean; authTime: number };
  }
  interface User {
    isStaff?: boolean;
    /** The new session's id (lib/auth/sessions.ts), set by authorize() at login. */
    sid?: string;
  }
}
declare module '@auth/core/jwt' {
  interface JWT {
    isStaff?: boolean;
    authTime?: number;
    /** Names the server-side session row (by its SHA-256). Never copied into the Session object. */
    sid?: string;
  }
}
