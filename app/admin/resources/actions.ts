'use server';
// The staff's resource actions: thin. Staff check (404 otherwise), one service call (which runs
// the shared zod schema, lib/resources/schema.ts), then the list with its notice, or the form
// with its errors. Deleting is reached through its confirmation on the resource's page.
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { createResource, deleteResource, updateResource } from '@/lib/resources/service';
import { resourceFormValues } from '@/lib/resources/schema';
import { resourceIdForm } from '@/lib/admin/schema';
import { parseRowId } from '@/lib/fields';
import { setFlash } from '@/app/_lib/flash';
import { formArg, previousSeq } from '@/app/_lib/action-args';
import { orNotFound, staffActor } from '../_lib/actor';
import type { ResourceFormState } from './_components/resource-form';

const LIST = '/admin/resources/';

export async function createResourceAction(prev: unknown, rawForm: unknown): Promise<ResourceFormState> {
  const form = formArg(rawForm);
  const actor = await staffActor(`${LIST}new/`);
  const values = resourceFormValues(form);
  const r = await orNotFound(createResource(actor, values));
  if (!r.ok) return { seq: previousSeq(prev) + 1, errors: r.errors, values };
  await setFlash(LIST, actor.id, { code: 'resource_created', arg: r.resource.name });
  revalidatePath(LIST);
  redirect(LIST);
}

export async function updateResourceAction(rawId: unknown, prev: unknown, rawForm: unknown): Promise<ResourceFormState> {
  const id = parseRowId(rawId);
  if (id === null) notFound();
  const form = formArg(rawForm);
  const actor = await staffActor(`${LIST}${id}/`);
  const values = resourceFormValues(form);
  const r = await orNotFound(updateResource(actor, id, values));
  if (!r.ok) return { seq: previousSeq(prev) + 1, errors: r.errors, values };
  await setFlash(LIST, actor.id, { code: 'resource_saved', arg: r.resource.name });
  revalidatePath(LIST);
  redirect(LIST);
}

export async function deleteResourceAction(rawForm: unknown): Promise<void> {
  const form = formArg(rawForm);
  const parsed = resourceIdForm.safeParse({ id: form.get('id') });
  if (!parsed.success) notFound();
  const actor = await staffActor(`${LIST}${parsed.data.id}/`);
  const r = await orNotFound(deleteResource(actor, { id: parsed.data.id }));
  const page = r.ok ? LIST : `${LIST}${parsed.data.id}/`;
  await setFlash(page, actor.id, r.ok ? { code: 'resource_deleted', arg: r.resource.name } : { code: 'resource_built_in' });
  revalidatePath(LIST);
  redirect(page);
}
