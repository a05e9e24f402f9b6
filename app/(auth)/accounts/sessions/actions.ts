'use server';
// "Sign out" one session, or all but this browser's. Thin: validate, call lib/auth/sessions.ts, say what happened.
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { endMyOtherSessions, endMySession } from '@/lib/auth/sessions';
import { rowIdField } from '@/lib/fields';
import { formArg } from '@/app/_lib/action-args';

const PAGE = '/accounts/sessions/';
const endSchema = z.object({ session_id: rowIdField() });

export async function endSessionAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const user = await requireUser(PAGE);
  const parsed = endSchema.safeParse({ session_id: form.get('session_id') });
  const ended = parsed.success && parsed.data.session_id !== user.sessionId && (await endMySession(user, parsed.data.session_id));
  revalidatePath(PAGE);
  redirect(`${PAGE}?notice=${ended ? 'signed_out' : 'not_live'}`);
}

export async function endOtherSessionsAction(): Promise<void> {
  const user = await requireUser(PAGE);
  const n = await endMyOtherSessions(user);
  revalidatePath(PAGE);
  redirect(`${PAGE}?notice=others_signed_out&n=${n}`);
}
