// The 404 of the staff area (every page's requireStaff, and staff asking for something that is not
// there). A signed-in user who is not staff learns what the staff area is and how to become staff
// (issue 14: not a bare 404); anyone else gets the site's "Page not found".
import type { Metadata } from 'next';
import { currentUser } from '@/lib/auth/session';
import NotFound from '../not-found';
import { StaffOnly } from './_components/staff-only';

export const metadata: Metadata = { title: 'Staff area' };

export default async function AdminNotFound() {
  const user = await currentUser();
  if (user && !user.isStaff) return <StaffOnly name={user.name} />;
  return <NotFound />;
}
