'use server';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { currentUser, endCurrentSession } from '@/lib/auth/session';
import { evaluateLogout, postLogoutRedirect } from '@/lib/oauth/oidc/logout';
import { formArg } from '@/app/_lib/action-args';

const schema = z.object({ query: z.string().max(16_384) });

/**
 * "Yes, log out" on the confirmation page (CSRF-safe: Next.js checks the Origin of server actions).
 * The request is evaluated again from its original parameters: the redirect target is never taken
 * from the form, and is followed only when the session ended is the one the hint names
 * (postLogoutRedirect); otherwise the page shows the way back as a link.
 */
export async function confirmLogoutAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = schema.safeParse({ query: form.get('query') ?? '' });
  // Re-serialized: the form's text goes into a Location header, which holds no control or non-ASCII character.
  const query = parsed.success ? new URLSearchParams(parsed.data.query).toString() : '';
  const page = `/o/logout/confirm/?${query}`;
  const user = await currentUser();
  const outcome = await evaluateLogout(new URLSearchParams(query), user?.id ?? null);
  if (outcome.kind === 'error') redirect(page);
  const ended = await endCurrentSession();
  redirect(postLogoutRedirect(outcome, ended) ?? page);
}
