// Page-side helpers: who is signed in, and the login redirect that keeps `next`.
import { redirect, notFound } from 'next/navigation';
import { auth } from './index';
import { findUserById } from '../db/queries/users';

export interface SessionUser {
  id: string;
  name: string;
  isStaff: boolean;
  authTime: number;
}

/** The signed-in, still active user, or null. A deactivated account loses its session at once. */
export async function currentUser(): Promise<SessionUser | null> {
  const s = await auth();
  if (!s?.user?.id) return null;
  const u = await findUserById(s.user.id);
  if (!u || !u.isActive) return null;
  return { id: u.id, name: u.username, isStaff: u.isStaff, authTime: s.user.authTime };
}

export function loginUrl(next: string): string {
  return `/accounts/login/?next=${encodeURIComponent(next)}`;
}

/** For pages behind login: redirects anonymous visitors to the login page and back to `next`. */
export async function requireUser(next: string): Promise<SessionUser> {
  const u = await currentUser();
  if (!u) redirect(loginUrl(next));
  return u;
}

/** Staff-only pages answer 404 to everyone else, so their existence is not revealed. */
export async function requireStaff(next: string): Promise<SessionUser> {
  const u = await requireUser(next);
  if (!u.isStaff) notFound();
  return u;
}
