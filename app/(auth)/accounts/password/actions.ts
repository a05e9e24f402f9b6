'use server';
// The password change form's action. Thin: validate (zod), call lib/auth/sessions.ts, say what happened.
import { headers } from 'next/headers';
import { requireUser } from '@/lib/auth/session';
import { changePassword } from '@/lib/auth/sessions';
import { passwordChangeSchema, type FormState } from '@/lib/auth/forms';
import { clientIp } from '@/lib/http/client-ip';
import { tooManyAttemptsMessage } from '@/lib/rate-limits';
import { formArg, formText } from '@/app/_lib/action-args';

export async function changePasswordAction(_prev: unknown, rawForm: unknown): Promise<FormState> {
  const form = formArg(rawForm);
  const user = await requireUser('/accounts/password/');
  const names = ['current_password', 'new_password', 'new_password2'];
  const parsed = passwordChangeSchema.safeParse(Object.fromEntries(names.map((n) => [n, formText(form, n)])));
  if (!parsed.success) return { errors: parsed.error.flatten().fieldErrors };
  const h = await headers();
  const r = await changePassword(user, parsed.data.current_password, parsed.data.new_password, clientIp(h));
  if (!r.ok) {
    const message = r.reason === 'rate_limited' ? tooManyAttemptsMessage('Too many failed attempts.', r.retryAfterSeconds) : 'This is not your current password.';
    return { errors: { current_password: [message] } };
  }
  const n = r.endedSessions;
  return {
    done:
      n === 0
        ? 'Password changed. You had no other sessions to sign out.'
        : `Password changed. ${n} other ${n === 1 ? 'session was' : 'sessions were'} signed out; this browser stays logged in.`,
  };
}
