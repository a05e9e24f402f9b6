import Link from 'next/link';
import { connection } from 'next/server';
import { Card, PageTitle } from '@/app/_components/ui';
import { FlashNotice } from '@/app/_components/flash-notice';
import { requireUser } from '@/lib/auth/session';
import { listApplications } from '@/lib/apps/service';
import { CLIENT_TYPE_LABELS, grantTypeLabel } from '@/lib/apps/schema';
import { pathFor } from '@/lib/oauth/paths';

export const metadata = { title: 'Applications' };

export default async function ApplicationsPage() {
  await connection();
  const user = await requireUser(pathFor('applications'));
  const list = await listApplications(user);
  return (
    <div>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <PageTitle sub="The OAuth clients you registered: each gets a client id and, if confidential, a secret.">Your applications</PageTitle>
        <Link
          href="/o/applications/register/"
          className="mb-6 inline-flex items-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
        >
          Register a new application
        </Link>
      </div>
      <FlashNotice path={pathFor('applications')} userId={user.id} />
      {list.length === 0 ? (
        <Card>
          <div className="py-6 text-center" data-testid="applications-empty">
            <p className="font-medium text-slate-900">No applications yet.</p>
            <p className="mt-1 text-sm text-slate-600">
              Register one to get a client id and secret, e.g. for Postman with the callback https://www.getpostman.com/oauth2/callback.
            </p>
          </div>
        </Card>
      ) : (
        <ul className="space-y-3" data-testid="applications-list">
          {list.map((a) => (
            <li key={a.id}>
              <Link
                href={`/o/applications/${a.id}/`}
                className="block rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="font-semibold text-slate-900">{a.name}</span>
                  <span
                    className={`rounded-full px-2 py-0.5 text-xs font-medium ${a.clientType === 'confidential' ? 'bg-indigo-50 text-indigo-800' : 'bg-slate-100 text-slate-700'}`}
                  >
                    {CLIENT_TYPE_LABELS[a.clientType]}
                  </span>
                </div>
                <p className="mt-1 break-all font-mono text-xs text-slate-600">
                  <span className="sr-only">Client id: </span>
                  {a.clientId}
                </p>
                <p className="mt-2 flex flex-wrap gap-1.5">
                  {a.grantTypes.map((g) => (
                    <span key={g} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">
                      {grantTypeLabel(g)}
                    </span>
                  ))}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
