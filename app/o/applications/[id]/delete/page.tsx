import Link from 'next/link';
import { Card } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { loadApplication } from '../../_lib/load';
import { deleteApplicationAction } from '../../actions';

export const metadata = { title: 'Delete application' };

export default async function DeleteApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { app } = await loadApplication(id, 'delete/');
  return (
    <div className="mx-auto max-w-lg">
      <Card title="Delete application" titleAs="h1">
        <p className="text-slate-700">
          Delete <strong data-testid="application-name">{app.name}</strong> (<code className="break-all font-mono text-xs">{app.clientId}</code>)?
        </p>
        <p className="mt-2 text-sm text-slate-600">
          Its access tokens, refresh tokens, pending authorization codes, device codes and consents are deleted with it: every user
          of it is signed out of it at once. This cannot be undone.
        </p>
        <form action={deleteApplicationAction.bind(null, app.id)} className="mt-6 flex flex-wrap gap-3">
          <SubmitButton variant="danger" pendingText="Deleting…">
            Delete application
          </SubmitButton>
          <Link href={`/o/applications/${app.id}/`} className="rounded-md px-4 py-2 text-sm font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
            Cancel
          </Link>
        </form>
      </Card>
    </div>
  );
}
