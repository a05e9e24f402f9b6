'use server';
import { AuthError } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { signIn, RateLimitedSignin } from '@/lib/auth';
import { endCurrentSession } from '@/lib/auth/session';
import { loginSchema, signupSchema, type FormState } from '@/lib/auth/forms';
import { hashPassword } from '@/lib/auth/password';
import { createUser, UsernameTakenError } from '@/lib/db/queries/users';
import { audit } from '@/lib/db/queries/audit';
import { safeNextPath } from '@/lib/http/safe-next';
import { clientIp } from '@/lib/http/client-ip';
import { tooManyAttemptsMessage } from '@/lib/rate-limits';
import { formArg, formText } from '@/app/_lib/action-args';
import { setFlash } from '@/app/_lib/flash';

/** Where "Log out" lands: the logout page, which says "Logged out" (the notice left for it). */
const LOGGED_OUT_PAGE = '/accounts/logout/';

/** The named fields as text (a file or a missing field is ''), for the schema and for refilling the form. */
const values = (f: FormData, ...names: string[]) => Object.fromEntries(names.map((n) => [n, formText(f, n)]));

export async function loginAction(_prev: unknown, rawForm: unknown): Promise<FormState> {
  const form = formArg(rawForm);
  const parsed = loginSchema.safeParse(values(form, 'username', 'password', 'next'));
  const kept = values(form, 'username', 'next');
  if (!parsed.success) return { errors: parsed.error.flatten().fieldErrors, values: kept };
  const { username, password, next } = parsed.data;
  try {
    await signIn('credentials', { username, password, redirectTo: safeNextPath(next) });
  } catch (e) {
    if (e instanceof RateLimitedSignin) return { message: tooManyAttemptsMessage('Too many failed attempts.', e.retryAfterSeconds), values: kept };
    // The same message for a wrong password and an unknown user.
    if (e instanceof AuthError) return { message: 'Invalid username or password.', values: kept };
    throw e; // the success redirect is a thrown NEXT_REDIRECT
  }
  return {};
}

export async function signupAction(_prev: unknown, rawForm: unknown): Promise<FormState> {
  const form = formArg(rawForm);
  const parsed = signupSchema.safeParse(values(form, 'username', 'email', 'password', 'password2', 'next'));
  const kept = values(form, 'username', 'email', 'next');
  if (!parsed.success) return { errors: parsed.error.flatten().fieldErrors, values: kept };
  const { username, email, password, next } = parsed.data;
  try {
    const user = await createUser({ username, email, passwordHash: await hashPassword(password) });
    audit('user.signup', { actorUserId: user.id, actorLabel: user.username, ip: clientIp(await headers()) });
  } catch (e) {
    if (e instanceof UsernameTakenError) return { errors: { username: ['This username is taken.'] }, values: kept };
    throw e;
  }
  await signIn('credentials', { username, password, redirectTo: safeNextPath(next) });
  return {};
}

/**
 * "Log out": ends this browser's session server-side (not just its cookie), then lands on the page
 * that says so (/accounts/logout/ with the "logged_out" notice), so the person knows it worked.
 */
export async function logoutAction(): Promise<void> {
  await endCurrentSession();
  await setFlash(LOGGED_OUT_PAGE, null, { code: 'logged_out' });
  redirect(LOGGED_OUT_PAGE);
}
