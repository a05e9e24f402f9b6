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

const enterSchema = z.object({ user_code: z.string().trim().min(1, 'Enter the code shown on your device.').max(64) });
const decideSchema = z.object({ user_code: z.string().max(64), decision: z.enum(['approve', 'deny']) });

const INVALID = 'That code is not valid. Check the code shown on your device: it may have expired or been used already.';

async function ip(): Promise<string> {
  const h = await headers();
  return clientIp(h);
}

export async function enterCodeAction(_prev: CodeFormState, form: FormData): Promise<CodeFormState> {
  const user = await requireUser('/o/device/');
  const raw = typeof form.get('user_code') === 'string' ? String(form.get('user_code')).slice(0, 64) : '';
  const parsed = enterSchema.safeParse({ user_code: raw });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? INVALID, value: raw };
  const r = await enterUserCode({ userId: user.id, ip: await ip() }, parsed.data.user_code);
  if (!r.ok) return { error: r.error === 'rate_limited' ? tooManyAttemptsMessage('Too many wrong codes.', r.retryAfterSeconds) : INVALID, value: raw };
  redirect(`/o/device/?user_code=${encodeURIComponent(r.userCode)}&step=consent`);
}

export async function decideDeviceAction(form: FormData): Promise<void> {
  const user = await requireUser('/o/device/');
  const parsed = decideSchema.safeParse({ user_code: form.get('user_code'), decision: form.get('decision') });
  if (!parsed.success) redirect('/o/device/');
  const r = await decideDevice({ userId: user.id, ip: await ip() }, parsed.data.user_code, parsed.data.decision);
  // Not pending any more, expired, or not this user's: the page explains and asks for the code again.
  if (!r.ok) redirect(`/o/device/?user_code=${encodeURIComponent(parsed.data.user_code)}&step=consent`);
  redirect(`/o/device/?done=${r.decision}`);
}
