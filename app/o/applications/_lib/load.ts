// Page-side loading of one application: login first, then 404 for a malformed id, an unknown id
// and another user's application alike.
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { parseApplicationId } from '@/lib/apps/schema';
import { ApplicationNotFoundError, getApplication, type ApplicationView } from '@/lib/apps/service';

export async function loadApplication(rawId: string, subpath = ''): Promise<{ user: SessionUser; app: ApplicationView }> {
  await connection();
  const user = await requireUser(`/o/applications/${encodeURIComponent(rawId)}/${subpath}`);
  const id = parseApplicationId(rawId);
  if (id === null) notFound();
  try {
    return { user, app: await getApplication(id, user) };
  } catch (e) {
    if (e instanceof ApplicationNotFoundError) notFound();
    throw e;
  }
}
