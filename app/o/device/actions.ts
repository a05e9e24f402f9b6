'use server';
// The device page's two forms: enter the user code, then approve or deny (RFC 8628 §3.3).
// Next.js checks the Origin of server actions, which makes both CSRF-safe.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { decideDevice, enterUserCode } from '@/lib/oauth/device';
import { tooManyAttemptsMessage } from '@/lib/rate-limits';
import type { CodeFormState } from './state';
import { singleLineText } from '@/lib/fields';
import { formArg, formText } from '@/app/_lib/action-args';

const userCode = (min: number) => singleLineText({ min, minMessage: 'Enter the code shown on your device.', max: 64 });
const enterSchema = z.object({ user_code: userCode(1) });
const decideSchema = z.object({ user_code: userCode(0), decision: z.enum(['approve', 'deny']) });

const INVALID = 'That code is not valid. Check the code shown on your device: it may have expired or been used already.';

/** The consent step for a code; URLSearchParams encodes any text (encodeURIComponent throws on a lone surrogate). */
const consentPage = (userCode: string) => `/o/device/?${new URLSearchParams({ user_code: userCode, step: 'consent' })}`;

async function ip(): Promise<string> {
  const h = await headers();
  return clientIp(h);
}

export async function enterCodeAction(_prev: unknown, rawForm: unknown): Promise<CodeFormState> {
  const form = formArg(rawForm);
  const user = await requireUser('/o/device/');
  const raw = formText(form, 'user_code').slice(0, 64);
  const parsed = enterSchema.safeParse({ user_code: raw });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? INVALID, value: raw };
  const r = await enterUserCode({ userId: user.id, ip: await ip() }, parsed.data.user_code);
  if (!r.ok) return { error: r.error === 'rate_limited' ? tooManyAttemptsMessage('Too many wrong codes.', r.retryAfterSeconds) : INVALID, value: raw };
  redirect(consentPage(r.userCode));
}

export async function decideDeviceAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const user = await requireUser('/o/device/');
  const parsed = decideSchema.safeParse({ user_code: form.get('user_code'), decision: form.get('decision') });
  if (!parsed.success) redirect('/o/device/');
  const r = await decideDevice({ userId: user.id, ip: await ip() }, parsed.data.user_code, parsed.data.decision);
  // Not pending any more, expired, or not this user's: the page explains and asks for the code again.
  if (!r.ok) redirect(consentPage(parsed.data.user_code));
  redirect(`/o/device/?done=${r.decision}`);
}
