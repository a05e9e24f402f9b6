'use server';
// Thin server actions: authenticate, validate (lib/apps/schema), call lib/apps/service, answer.
// Next.js checks the Origin of every action POST, which makes these CSRF-safe.
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { formValues, parseApplicationId, parseApplicationValues } from '@/lib/apps/schema';
import {
  ApplicationNotFoundError,
  createApplication,
  deleteApplication,
  regenerateSecret,
  updateApplication,
  type Actor,
} from '@/lib/apps/service';
import type { AppFormState, RegenerateState } from './_lib/state';
import { formArg, previousSeq } from '@/app/_lib/action-args';

async function actor(user: SessionUser): Promise<Actor> {
  const h = await headers();
  return { id: user.id, isStaff: user.isStaff, ip: clientIp(h) };
}

/** The bound id arrives from the browser: anything but a positive integer is "not found". */
function idOrNotFound(raw: unknown): number {
  const id = parseApplicationId(raw);
  if (id === null) notFound();
  return id;
}

async function orNotFound<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApplicationNotFoundError) notFound();
    throw e;
  }
}

export async function createApplicationAction(prev: unknown, rawForm: unknown): Promise<AppFormState> {
  const form = formArg(rawForm);
  const user = await requireUser('/o/applications/register/');
  const seq = previousSeq(prev) + 1;
  const values = formValues(form);
  const parsed = parseApplicationValues(values);
  if (!parsed.success) return { seq, errors: parsed.errors, values };
  const r = await createApplication(parsed.data, await actor(user));
  if (!r.ok) return { seq, errors: r.errors, message: r.message, values };
  const a = r.application;
  // No revalidatePath: a re-render of this page is not needed, and the list is dynamic anyway.
  return { seq, saved: { id: a.id, name: a.name, clientId: a.clientId, clientSecret: r.plainSecret, secretHashed: a.secretHashed } };
}

export async function updateApplicationAction(rawId: unknown, prev: unknown, rawForm: unknown): Promise<AppFormState> {
  const id = idOrNotFound(rawId);
  const form = formArg(rawForm);
  const user = await requireUser(`/o/applications/${id}/update/`);
  const seq = previousSeq(prev) + 1;
  const values = formValues(form);
  const parsed = parseApplicationValues(values);
  if (!parsed.success) return { seq, errors: parsed.errors, values };
  const r = await orNotFound(updateApplication(id, parsed.data, await actor(user)));
  if (!r.ok) return { seq, errors: r.errors, message: r.message, values };
  const a = r.application;
  if (r.plainSecret) {
    // It became confidential and got a generated secret: show it once, here.
    return { seq, saved: { id: a.id, name: a.name, clientId: a.clientId, clientSecret: r.plainSecret, secretHashed: a.secretHashed } };
  }
  revalidatePath(`/o/applications/${id}/`);
  redirect(`/o/applications/${id}/`);
}

export async function regenerateSecretAction(rawId: unknown, prev: unknown): Promise<RegenerateState> {
  const id = idOrNotFound(rawId);
  const user = await requireUser(`/o/applications/${id}/`);
  const seq = previousSeq(prev) + 1;
  const r = await orNotFound(regenerateSecret(id, await actor(user)));
  if (!r.ok) return { seq, message: r.message };
  return { seq, secret: r.plainSecret, secretHashed: r.application.secretHashed };
}

export async function deleteApplicationAction(rawId: unknown): Promise<void> {
  const id = idOrNotFound(rawId);
  const user = await requireUser(`/o/applications/${id}/delete/`);
  await orNotFound(deleteApplication(id, await actor(user)));
  revalidatePath('/o/applications/');
  redirect('/o/applications/');
}
