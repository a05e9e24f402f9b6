// The staff area. A signed-in non-staff user gets, on every /admin/ address, a page that says what
// the staff area is and how to become staff (StaffOnly), not a bare 404. Every page and action
// still checks again (requireStaff: anonymous visitors go to the login page and come back to that
// very page; a non-staff caller of an action gets the 404).
import Link from 'next/link';
import { currentUser } from '@/lib/auth/session';
import { PageTitle } from '@/app/_components/ui';
import { FirstAdminOffer } from '@/app/_components/first-admin-offer';

export const metadata = { title: { default: 'Admin', template: '%s · Admin · OAuth Provider' }, referrer: 'no-referrer' as const };

const SECTIONS: Array<[string, string]> = [
  ['/admin/users/', 'Users'],
  ['/admin/applications/', 'Applications'],
  ['/admin/tokens/', 'Tokens and grants'],
  ['/admin/audit/', 'Audit log'],
];

/** For a signed-in user who is not staff: what the staff area is, and how to become staff. */
function StaffOnly({ name }: { name: string }) {
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

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  // The pages below are not rendered at all then: only what this layout returns is.
  if (user && !user.isStaff) return <StaffOnly name={user.name} />;
  return (
    <div>
      <nav aria-label="Admin" className="mb-6 flex flex-wrap items-center gap-2 border-b border-slate-200 pb-3 text-sm">
        <Link href="/admin/" className="mr-2 font-semibold text-slate-900">
          Admin
        </Link>
        {SECTIONS.map(([href, label]) => (
          <Link key={href} href={href} className="rounded-md px-3 py-1.5 text-slate-700 hover:bg-slate-100 hover:text-indigo-700">
            {label}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}
