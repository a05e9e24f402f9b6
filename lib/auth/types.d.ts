import 'next-auth';

declare module 'next-auth' {
  interface Session {
    user: { id: string; name: string; email?: string | null; isStaff: boolean; authTime: number };
  }
  interface User {
    isStaff?: boolean;
  }
}
declare module '@auth/core/jwt' {
  interface JWT {
    isStaff?: boolean;
    authTime?: number;
  }
}
