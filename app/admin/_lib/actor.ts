// The staff actor of a page or action: signed in (else the login page), staff (else 404, like any
// unknown URL), with the IP for the audit log. The service checks staff again on every call.
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { requireStaff } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { AdminNotFoundError, type StaffActor } from '@/lib/admin/service';

export async function staffActor(next: string): Promise<StaffActor & { name: string }> {
  await connection();
  const u = await requireStaff(next);
  const h = await headers();
  return { id: u.id, isStaff: u.isStaff, name: u.name, ip: clientIp(h) };
}

/** Runs a service call; "not found" (not staff, or no such object) becomes the 404 page. */
export async function orNotFound<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof AdminNotFoundError) notFound();
    throw e;
  }
}
