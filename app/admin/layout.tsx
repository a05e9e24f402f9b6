// The staff area. A signed-in non-staff user gets a 404 here already; every page and action checks
// again (requireStaff: anonymous visitors go to the login page and come back to that very page).
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { currentUser } from '@/lib/auth/session';

export const metadata = { title: { default: 'Admin', template: '%s · Admin · OAuth Provider' }, referrer: 'no-referrer' as const };

const SECTIONS: Array<[string, string]> = [
  ['/admin/users/', 'Users'],
  ['/admin/applications/', 'Applications'],
  ['/admin/tokens/', 'Tokens and grants'],
  ['/admin/audit/', 'Audit log'],
];

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (user && !user.isStaff) notFound();
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
