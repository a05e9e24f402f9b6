// The old address of the delete confirmation: deleting now confirms on the application's own page
// (the one confirmation pattern, lib/http/confirm-step.ts). Links and bookmarks land there.
import { redirect } from 'next/navigation';
import { confirmHref } from '@/lib/http/confirm-step';
import { applicationPath } from '@/lib/apps/add-callback';
import { loadApplication } from '../../_lib/load';

export const metadata = { title: 'Delete application' };

export default async function DeleteApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { app } = await loadApplication(id, 'delete/');
  redirect(confirmHref(applicationPath(app.id), 'delete'));
}
