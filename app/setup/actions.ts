'use server';
// The setup page's one action (a server action: Next.js checks its Origin, and the front door
// refuses a foreign one, lib/server/action-request.ts). It creates the first admin with the token
// the server printed, then logs them in and sends them to the staff area.
import { headers } from 'next/headers';
import { signIn } from '@/lib/auth';
import { submitFirstAdmin } from '@/lib/auth/first-admin';
import type { FormState } from '@/lib/auth/forms';
import { clientIp } from '@/lib/http/client-ip';
import { formArg, formText } from '@/app/_lib/action-args';
import { setFlash } from '@/app/_lib/flash';

/** Where the new admin lands: the staff area, which says what happened (the "first_admin" notice, app/_lib/notices.ts). */
const DONE = '/admin/';

export async function setupAction(_prev: unknown, rawForm: unknown): Promise<FormState & { gone?: boolean }> {
  const form = formArg(rawForm);
  const input = { token: formText(form, 'token'), username: formText(form, 'username'), email: formText(form, 'email'), password: formText(form, 'password'), password2: formText(form, 'password2') };
  const kept = { token: input.token, username: input.username, email: input.email };
  const r = await submitFirstAdmin(input, clientIp(await headers()));
  if (!r.ok) return { errors: r.errors, message: r.message, gone: r.gone, values: kept };
  await setFlash(DONE, r.user.id, { code: 'first_admin' });
  await signIn('credentials', { username: r.user.username, password: input.password, redirectTo: DONE });
  return {};
}
