'use server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { authorize } from '@/lib/oauth/endpoints/authorize';
import { currentUser } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { clientIp } from '@/lib/http/client-ip';
import { formArg } from '@/app/_lib/action-args';

const decisionSchema = z.object({ query: z.string().max(16_384), decision: z.enum(['allow', 'deny']) });

/** The consent form's POST (CSRF-safe: Next.js checks the Origin of server actions). */
export async function decideAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = decisionSchema.safeParse({ query: form.get('query'), decision: form.get('decision') });
  if (!parsed.success) redirect('/o/authorize/');
  const user = await currentUser();
  const h = await headers();
  const url = new URL(`/o/authorize/?${parsed.data.query}`, env().ISSUER);
  const outcome = await authorize({
    url,
    session: user ? { userId: user.id, authTime: user.authTime, sidHash: user.sidHash } : null,
    ip: clientIp(h),
    decision: parsed.data.decision,
  });
  // Errors before the redirect URI is verified render as a page on GET; send the user there.
  redirect(outcome.kind === 'redirect' ? outcome.location : url.pathname + url.search);
}
