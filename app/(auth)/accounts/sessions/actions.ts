'use server';
// "Sign out" one session, or all but this browser's, each reached through its confirmation on the
// page. Thin: validate, call lib/auth/sessions.ts, leave the notice (setFlash), back to the page.
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { endMyOtherSessions, endMySession } from '@/lib/auth/sessions';
import { rowIdField } from '@/lib/fields';
import { formArg } from '@/app/_lib/action-args';
import { setFlash } from '@/app/_lib/flash';

const PAGE = '/accounts/sessions/';
const endSchema = z.object({ session_id: rowIdField() });

export async function endSessionAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const user = await requireUser(PAGE);
  const parsed = endSchema.safeParse({ session_id: form.get('session_id') });
  const ended = parsed.success && parsed.data.session_id !== user.sessionId && (await endMySession(user, parsed.data.session_id));
  await setFlash(PAGE, user.id, { code: ended ? 'session_ended' : 'session_not_live' });
  revalidatePath(PAGE);
  redirect(PAGE);
}

export async function endOtherSessionsAction(): Promise<void> {
  const user = await requireUser(PAGE);
  const n = await endMyOtherSessions(user);
  await setFlash(PAGE, user.id, { code: 'others_signed_out', n });
  revalidatePath(PAGE);
  redirect(PAGE);
}
