'use server';
// Revoke one authorized application for the signed-in user. Thin: validate, call lib/admin/authorized.
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { AuthorizationNotFoundError, revokeMyAuthorizedApp } from '@/lib/admin/authorized';
import { rowIdField } from '@/lib/fields';
import { formArg } from '@/app/_lib/action-args';

const revokeSchema = z.object({ application_id: rowIdField() });

export async function revokeAuthorizedAppAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const user = await requireUser('/o/authorized_tokens/');
  const parsed = revokeSchema.safeParse({ application_id: form.get('application_id') });
  if (!parsed.success) notFound();
  const h = await headers();
  try {
    await revokeMyAuthorizedApp({ id: user.id, ip: clientIp(h) }, parsed.data.application_id);
  } catch (e) {
    if (e instanceof AuthorizationNotFoundError) notFound();
    throw e;
  }
  revalidatePath('/o/authorized_tokens/');
  redirect(`/o/authorized_tokens/?revoked=${parsed.data.application_id}`);
}
