// The staff area. Every page and action checks staff (requireStaff: anonymous visitors go to the
// login page and come back to that very page; anyone else gets a 404). For a signed-in non-staff
// user that 404 is ./not-found.tsx: a page in the site's layout that says what the staff area is and
// how to become staff, not a bare "not found"; the staff's navigation is not shown to them.
import { NavLink } from '@/app/_components/nav-link';
import { currentUser } from '@/lib/auth/session';

export const metadata = { title: { default: 'Admin', template: '%s · Admin · OAuth Provider' }, referrer: 'no-referrer' as const };

const SECTIONS: Array<[string, string]> = [
  ['/admin/users/', 'Users'],
  ['/admin/applications/', 'Applications'],
  ['/admin/resources/', 'Resources'],
  ['/admin/tokens/', 'Tokens and grants'],
  ['/admin/audit/', 'Audit log'],
];

/** The section being shown (aria-current="page", set by NavLink) is highlighted. */
const CURRENT = 'rounded-md py-1.5 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800 aria-[current=page]:ring-1 aria-[current=page]:ring-indigo-200';

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  // Each page's requireStaff answers them with ./not-found.tsx (a notFound() thrown here would
  // skip it: a layout's own boundary is its parent's).
  if (user && !user.isStaff) return <>{children}</>;
  return (
    <div>
      <nav aria-label="Admin" className="mb-6 flex flex-wrap items-center gap-2 border-b border-slate-200 pb-3 text-sm">
        <NavLink href="/admin/" exact className={`mr-2 px-2 font-semibold text-slate-900 ${CURRENT}`}>
          Admin
        </NavLink>
        {SECTIONS.map(([href, label]) => (
          <NavLink key={href} href={href} className={`px-3 text-slate-700 hover:bg-slate-100 hover:text-indigo-700 ${CURRENT}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      {children}
    </div>
  );
}
