'use server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { decideConsent } from '@/lib/oauth/endpoints/authorize';
import { AuthorizationError } from '@/lib/oauth/errors';
import { pendingPath } from '@/lib/oauth/pending-request';
import { currentUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { formArg } from '@/app/_lib/action-args';

const decisionSchema = z.object({
  pending: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  decision: z.enum(['allow', 'deny']),
  // The checked scopes (RFC 6749 §3.3 scope-tokens); the endpoint keeps only requested ones.
  scope: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/)).max(200),
  // Present when the form listed the scopes as checkboxes: then absent ones were unchecked.
  choosing: z.literal('1').optional(),
});

/**
 * The consent form's POST (CSRF-safe: Next.js checks the Origin of server actions): decides the
 * pending request the form names, granting the scopes left checked. Every answer is a redirect: to the client (a code, or an error
 * such as access_denied), to the login, or to the request's continuation URL (pendingPath), where
 * the authorization endpoint shows what happened (an expired request, with its 400) or the consent
 * page again, to the session now logged in.
 */
export async function decideAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = decisionSchema.safeParse({
    pending: form.get('pending'),
    decision: form.get('decision'),
    scope: form.getAll('scope'),
    choosing: form.get('choosing') ?? undefined,
  });
  // A form that names no pending request: the endpoint says the request is gone.
  if (!parsed.success) redirect(pendingPath(''));
  const user = await currentUser();
  let location: string;
  try {
    location = await decideConsent({
      pendingId: parsed.data.pending,
      session: user ? { userId: user.id, authTime: user.authTime, sidHash: user.sidHash } : null,
      ip: clientIp(await headers()),
      decision: parsed.data.decision,
      granted: parsed.data.choosing ? parsed.data.scope : undefined,
    });
  } catch (err) {
    if (!(err instanceof AuthorizationError)) throw err;
    location = err.location ?? pendingPath(parsed.data.pending);
  }
  redirect(location);
}
