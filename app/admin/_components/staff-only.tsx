// What a signed-in user who is not staff sees at /admin/ (app/admin/not-found.tsx): what the staff
// area is, and how to become staff.
import Link from 'next/link';
import { PageTitle } from '@/app/_components/ui';
import { FirstAdminOffer } from '@/app/_components/first-admin-offer';

/** For a signed-in user who is not staff: what the staff area is, and how to become staff. */
export function StaffOnly({ name }: { name: string }) {
  return (
    <div className="mx-auto max-w-2xl" data-testid="staff-only">
      <PageTitle sub={`You are signed in as ${name}, who is not staff.`}>The staff area is for administrators</PageTitle>
      <FirstAdminOffer />
      <div className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 text-slate-700 shadow-sm">
        <p>
          Staff manage this server at <code>/admin/</code>: every user (activate, deactivate, make staff), every registered application, the
          tokens and authorization codes issued, and the audit log.
        </p>
        <h2 className="text-lg font-semibold text-slate-900">How to become staff</h2>
        <ul className="list-disc space-y-2 pl-5">
          <li>
            Ask an administrator of this server to open <strong>Admin → Users</strong>, find your account and choose <strong>Make staff</strong>.
          </li>
          <li>
            If you run this server yourself: <code>npm run createsuperuser -- --username NAME --email EMAIL</code> in its directory creates a staff
            account, also while the server runs.
          </li>
        </ul>
        <p>
          You do not need staff status to register and manage your own client applications:{' '}
          <Link href="/o/applications/" className="font-medium text-indigo-700 hover:underline">
            Your applications
          </Link>
          .
        </p>
      </div>
    </div>
  );
}

