'use server';
// The staff area's server actions: thin. Staff check (404 otherwise), zod, one service call, then
// back to the list with a notice code. Next.js checks the Origin of server actions (CSRF-safe).
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { applicationIdForm, revokeTokensForm, userFlagForm } from '@/lib/admin/schema';
import { deleteApplicationAsAdmin, resetApplicationSecret, revokeTokens, setUserActive, setUserStaff } from '@/lib/admin/service';
import { parseApplicationId } from '@/lib/apps/schema';
import type { RegenerateState } from '@/app/o/applications/_lib/state';
import { orNotFound, staffActor } from './_lib/actor';
import { formArg, formText, previousSeq } from '@/app/_lib/action-args';

/** Only back to the list it came from (its own query string), never elsewhere. */
function back(form: FormData, path: string): string {
  const raw = formText(form, 'back');
  if (raw.length > 2000) return path;
  const q = new URLSearchParams(raw);
  q.delete('notice');
  q.delete('n');
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

function withNotice(url: string, notice: string, n?: number): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('notice', notice);
  if (n !== undefined) u.searchParams.set('n', String(n));
  return u.pathname + u.search;
}

export async function setUserActiveAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const actor = await staffActor('/admin/users/');
  const parsed = userFlagForm.safeParse({ user_id: form.get('user_id'), value: form.get('value') });
  if (!parsed.success) notFound();
  const r = await orNotFound(setUserActive(actor, parsed.data.user_id, parsed.data.value));
  revalidatePath('/admin/users/');
  redirect(withNotice(back(form, '/admin/users/'), r.ok ? (parsed.data.value ? 'activated' : 'deactivated') : 'self_deactivate'));
}

export async function setUserStaffAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const actor = await staffActor('/admin/users/');
  const parsed = userFlagForm.safeParse({ user_id: form.get('user_id'), value: form.get('value') });
  if (!parsed.success) notFound();
  const r = await orNotFound(setUserStaff(actor, parsed.data.user_id, parsed.data.value));
  revalidatePath('/admin/users/');
  redirect(withNotice(back(form, '/admin/users/'), r.ok ? (parsed.data.value ? 'made_staff' : 'staff_removed') : 'self_demote'));
}

export async function revokeTokensAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const actor = await staffActor('/admin/tokens/');
  const parsed = revokeTokensForm.safeParse({ kind: form.get('kind'), ids: form.getAll('ids') });
  const to = back(form, '/admin/tokens/');
  if (!parsed.success) redirect(withNotice(to, 'none_selected'));
  const r = await orNotFound(revokeTokens(actor, parsed.data.kind, parsed.data.ids));
  revalidatePath('/admin/tokens/');
  redirect(withNotice(to, 'revoked', r.count));
}

/** For the reused RegenerateSecret component: (state, form) with the id bound. */
export async function resetSecretAction(rawId: unknown, prev: unknown): Promise<RegenerateState> {
  const id = parseApplicationId(rawId);
  if (id === null) notFound();
  const actor = await staffActor(`/admin/applications/${id}/`);
  const seq = previousSeq(prev) + 1;
  const r = await orNotFound(resetApplicationSecret(actor, id));
  if (!r.ok) return { seq, message: r.message };
  return { seq, secret: r.plainSecret, secretHashed: r.application.secretHashed };
}

export async function deleteApplicationAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = applicationIdForm.safeParse({ id: form.get('id') });
  if (!parsed.success) notFound();
  const actor = await staffActor(`/admin/applications/${parsed.data.id}/`);
  if (form.get('confirm') !== 'yes') redirect(`/admin/applications/${parsed.data.id}/?notice=confirm_delete`);
  await orNotFound(deleteApplicationAsAdmin(actor, parsed.data.id));
  revalidatePath('/admin/applications/');
  redirect('/admin/applications/?notice=deleted');
}
