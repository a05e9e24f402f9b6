'use server';
// Revoke one authorized application for the signed-in user, reached through its confirmation on the
// page. Thin: validate, call lib/admin/authorized, leave "Revoked access for <name>" (setFlash).
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { AuthorizationNotFoundError, revokeMyAuthorizedApp } from '@/lib/admin/authorized';
import { rowIdField } from '@/lib/fields';
import { formArg } from '@/app/_lib/action-args';
import { setFlash } from '@/app/_lib/flash';

const PAGE = '/o/authorized_tokens/';

const revokeSchema = z.object({ application_id: rowIdField() });

export async function revokeAuthorizedAppAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const user = await requireUser(PAGE);
  const parsed = revokeSchema.safeParse({ application_id: form.get('application_id') });
  if (!parsed.success) notFound();
  const h = await headers();
  let name: string;
  try {
    ({ name } = await revokeMyAuthorizedApp({ id: user.id, ip: clientIp(h) }, parsed.data.application_id));
  } catch (e) {
    if (e instanceof AuthorizationNotFoundError) notFound();
    throw e;
  }
  await setFlash(PAGE, user.id, { code: 'access_revoked', arg: name });
  revalidatePath(PAGE);
  redirect(PAGE);
}
