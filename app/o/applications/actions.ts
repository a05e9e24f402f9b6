'use server';
// Thin server actions: authenticate, validate (lib/apps/schema), call lib/apps/service, answer.
// Next.js checks the Origin of every action POST, which makes these CSRF-safe. An action that
// redirects leaves its notice for the page it lands on (setFlash, app/_lib/flash.ts).
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { clientIp } from '@/lib/http/client-ip';
import { formValues, parseApplicationId, parseApplicationValues } from '@/lib/apps/schema';
import {
  ApplicationNotFoundError,
  addRedirectUri,
  createApplication,
  deleteApplication,
  regenerateSecret,
  updateApplication,
  type Actor,
} from '@/lib/apps/service';
import type { AppFormState, RegenerateState } from './_lib/state';
import { formArg, formText, previousSeq } from '@/app/_lib/action-args';
import { setFlash } from '@/app/_lib/flash';
import { ADD_CALLBACK, addOfferedCallback, applicationPath, retryHref } from '@/lib/apps/add-callback';
import { env } from '@/lib/env';
import { confirmHref } from '@/lib/http/confirm-step';
import { pathFor } from '@/lib/oauth/paths';
import { playgroundCallbackUrl, playgroundPath } from '@/lib/apps/playground';

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
  return { seq, saved: { id: a.id, name: a.name, clientId: a.clientId, clientSecret: r.plainSecret } };
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
    return { seq, saved: { id: a.id, name: a.name, clientId: a.clientId, clientSecret: r.plainSecret } };
  }
  const page = applicationPath(id);
  await setFlash(page, user.id, { code: 'app_saved', arg: a.name });
  revalidatePath(page);
  redirect(page);
}

export async function regenerateSecretAction(rawId: unknown, prev: unknown): Promise<RegenerateState> {
  const id = idOrNotFound(rawId);
  const user = await requireUser(`/o/applications/${id}/`);
  const seq = previousSeq(prev) + 1;
  const r = await orNotFound(regenerateSecret(id, await actor(user)));
  if (!r.ok) return { seq, message: r.message };
  return { seq, secret: r.plainSecret };
}

export async function deleteApplicationAction(rawId: unknown): Promise<void> {
  const id = idOrNotFound(rawId);
  const user = await requireUser(applicationPath(id));
  const { name } = await orNotFound(deleteApplication(id, await actor(user)));
  const list = pathFor('applications');
  await setFlash(list, user.id, { code: 'app_deleted', arg: name });
  revalidatePath(list);
  redirect(list);
}

const addCallbackForm = z.object({ uri: z.string().min(1).max(4000), retry: z.string().max(4096), sig: z.string().max(200) });

/**
 * The confirmation of "Add this callback to the application" (lib/apps/add-callback.ts): adds the
 * URI only with the offer's valid signature (addOfferedCallback), for its owner only (anyone else
 * gets the 404), then shows the application with the notice and, when the original request came
 * along, the link to retry it. Without a valid signature (crafted, someone else's, expired) it adds
 * nothing and returns to the page, which says the link has expired or is not valid.
 */
export async function addCallbackAction(rawId: unknown, rawForm: unknown): Promise<void> {
  const id = idOrNotFound(rawId);
  const form = formArg(rawForm);
  const page = applicationPath(id);
  const user = await requireUser(page);
  const parsed = addCallbackForm.safeParse({ uri: formText(form, 'uri'), retry: formText(form, 'retry'), sig: formText(form, 'sig') });
  if (!parsed.success) notFound();
  const { uri, retry, sig } = parsed.data;
  const back = confirmHref(page, ADD_CALLBACK, { uri, retry, sig });
  const r = await orNotFound(addOfferedCallback(id, uri, sig, await actor(user), env().AUTH_SECRET));
  if (!r.ok && 'offerInvalid' in r) redirect(back);
  if (!r.ok) {
    // Checked on the page before it offered the button: only a race (or a crafted post) gets here.
    await setFlash(page, user.id, { code: 'callback_refused', arg: r.message });
    redirect(back);
  }
  await setFlash(page, user.id, { code: r.added ? 'callback_added' : 'callback_present', arg: uri });
  revalidatePath(page);
  const again = retryHref(retry, r.application);
  redirect(again ? `${page}?${new URLSearchParams({ retry })}` : page);
}

/**
 * The playground's "Add the playground's callback" confirmation (lib/apps/playground.ts): adds
 * this server's playground callback, and nothing else (the URI comes from ISSUER, not the form), to
 * the application's redirect URIs with addRedirectUri (its owner only; anyone else gets the 404),
 * then returns to the playground with the notice.
 */
export async function addPlaygroundCallbackAction(rawId: unknown): Promise<void> {
  const id = idOrNotFound(rawId);
  const page = playgroundPath(id);
  const user = await requireUser(page);
  const uri = playgroundCallbackUrl(env().ISSUER);
  const r = await orNotFound(addRedirectUri(id, uri, await actor(user)));
  await setFlash(page, user.id, r.ok ? { code: r.added ? 'callback_added' : 'callback_present', arg: uri } : { code: 'callback_refused', arg: r.message });
  revalidatePath(applicationPath(id));
  revalidatePath(page);
  redirect(page);
}
