'use server';
// The staff area's server actions: thin. Staff check (404 otherwise), zod, one service call, then
// back to the list with its notice (setFlash, app/_lib/flash.ts). Next.js checks the Origin of
// server actions (CSRF-safe). The destructive ones are reached through their confirmation
// (app/_components/confirm.tsx) on the page.
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { applicationFlagForm, applicationIdForm, revokeTokensForm, userFlagForm } from '@/lib/admin/schema';
import { deleteApplicationAsAdmin, resetApplicationSecret, revokeTokens, setApplicationSuspended, setUserActive, setUserStaff } from '@/lib/admin/service';
import { parseApplicationId } from '@/lib/apps/schema';
import type { RegenerateState } from '@/app/o/applications/_lib/state';
import { setFlash } from '@/app/_lib/flash';
import type { NoticeCode } from '@/app/_lib/notices';
import { CONFIRM_PARAM } from '@/lib/http/confirm-step';
import { orNotFound, staffActor } from './_lib/actor';
import { formArg, formText, previousSeq } from '@/app/_lib/action-args';

/** Only back to the list it came from (its own query string, without a confirmation), never elsewhere. */
function back(form: FormData, path: string): string {
  const raw = formText(form, 'back');
  if (raw.length > 2000) return path;
  const q = new URLSearchParams(raw);
  for (const k of [CONFIRM_PARAM, 'user', 'ids']) q.delete(k);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Leaves the notice for the list at `path` and goes back to it. */
async function done(form: FormData, path: string, actorId: string, notice: { code: NoticeCode; arg?: string; n?: number }): Promise<never> {
  await setFlash(path, actorId, notice);
  revalidatePath(path);
  redirect(back(form, path));
}

export async function setUserActiveAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const actor = await staffActor('/admin/users/');
  const parsed = userFlagForm.safeParse({ user_id: form.get('user_id'), value: form.get('value') });
  if (!parsed.success) notFound();
  const r = await orNotFound(setUserActive(actor, parsed.data.user_id, parsed.data.value));
  await done(form, '/admin/users/', actor.id, r.ok ? { code: parsed.data.value ? 'activated' : 'deactivated', arg: r.username } : { code: 'self_deactivate' });
}

export async function setUserStaffAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const actor = await staffActor('/admin/users/');
  const parsed = userFlagForm.safeParse({ user_id: form.get('user_id'), value: form.get('value') });
  if (!parsed.success) notFound();
  const r = await orNotFound(setUserStaff(actor, parsed.data.user_id, parsed.data.value));
  await done(form, '/admin/users/', actor.id, r.ok ? { code: parsed.data.value ? 'made_staff' : 'staff_removed', arg: r.username } : { code: 'self_demote' });
}

export async function revokeTokensAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const actor = await staffActor('/admin/tokens/');
  const parsed = revokeTokensForm.safeParse({ kind: form.get('kind'), ids: form.getAll('ids') });
  if (!parsed.success) await done(form, '/admin/tokens/', actor.id, { code: 'none_selected' });
  const { kind, ids } = parsed.data!;
  const r = await orNotFound(revokeTokens(actor, kind, ids));
  await done(form, '/admin/tokens/', actor.id, { code: 'tokens_revoked', n: r.count });
}

/** For the reused RegenerateSecret component: (state, form) with the id bound. */
export async function resetSecretAction(rawId: unknown, prev: unknown): Promise<RegenerateState> {
  const id = parseApplicationId(rawId);
  if (id === null) notFound();
  const actor = await staffActor(`/admin/applications/${id}/`);
  const seq = previousSeq(prev) + 1;
  const r = await orNotFound(resetApplicationSecret(actor, id));
  if (!r.ok) return { seq, message: r.message };
  return { seq, secret: r.plainSecret };
}

export async function deleteApplicationAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = applicationIdForm.safeParse({ id: form.get('id') });
  if (!parsed.success) notFound();
  const actor = await staffActor(`/admin/applications/${parsed.data.id}/`);
  const { name } = await orNotFound(deleteApplicationAsAdmin(actor, parsed.data.id));
  await done(form, '/admin/applications/', actor.id, { code: 'app_deleted', arg: name });
}

/** Suspends (value true, after its confirmation) or unsuspends an application; back to its page with the notice. */
export async function setApplicationSuspendedAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = applicationFlagForm.safeParse({ id: form.get('id'), value: form.get('value') });
  if (!parsed.success) notFound();
  const page = `/admin/applications/${parsed.data.id}/`;
  const actor = await staffActor(page);
  const { name } = await orNotFound(setApplicationSuspended(actor, parsed.data.id, parsed.data.value));
  await setFlash(page, actor.id, { code: parsed.data.value ? 'app_suspended' : 'app_unsuspended', arg: name });
  revalidatePath(page);
  redirect(page);
}
