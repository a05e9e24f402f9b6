import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';
import { BrandMark } from './_components/brand';
import { NavLink } from './_components/nav-link';
import { currentUser } from '@/lib/auth/session';
import { logoutAction } from './(auth)/accounts/actions';

export const metadata: Metadata = {
  title: { default: 'OAuth Provider', template: '%s · OAuth Provider' },
  description: 'An OAuth 2.0 and OpenID Connect authorization server.',
};

/** The header's sections for a signed-in user; `staff`: shown to staff only. */
const SECTIONS: Array<{ href: string; label: string; staff?: boolean }> = [
  { href: '/o/applications/', label: 'Applications' },
  { href: '/o/authorized_tokens/', label: 'Authorized apps' },
  { href: '/accounts/sessions/', label: 'Sessions' },
  { href: '/admin/', label: 'Admin', staff: true },
];

/** The current section is marked for the eye too, not only for screen readers (aria-current). */
const NAV_LINK =
  'rounded-sm py-1 text-slate-700 hover:text-indigo-700 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 aria-[current=page]:underline aria-[current=page]:underline-offset-4 aria-[current=page]:decoration-2';

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen">
        {/* One row on a wide screen (name, sections, account); on a phone two: the name and the
            account, then the sections (order-last, full width; 13 px so that a staff member's four
            fit a 390 px row in a wide font). */}
        <header className="border-b border-slate-200 bg-white">
          <nav className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3" aria-label="Main">
            <Link href="/" className="flex shrink-0 items-center gap-2 font-semibold text-slate-900">
              <BrandMark />
            </Link>
            {user ? (
              <>
                <div className="order-last flex w-full flex-wrap items-center gap-x-3 gap-y-1 text-[13px] sm:order-none sm:w-auto sm:gap-x-4 sm:text-sm">
                  {SECTIONS.filter((s) => !s.staff || user.isStaff).map((s) => (
                    <NavLink key={s.href} href={s.href} className={NAV_LINK}>
                      {s.label}
                    </NavLink>
                  ))}
                </div>
                {/* basis-0: the account takes what the row has left and a long name is cut (…), where
                    a wrapping flex row would move the whole block to a third row of its own. */}
                <div className="flex min-w-0 flex-1 basis-0 items-center justify-end gap-3 text-sm">
                  <span className="flex min-w-0 items-baseline gap-1 text-slate-600" data-testid="whoami" title={user.name}>
                    <span className="sr-only shrink-0 sm:not-sr-only">{'Signed in as '}</span>
                    <strong className="block min-w-0 truncate text-slate-800">{user.name}</strong>
                  </span>
                  <form action={logoutAction} className="shrink-0">
                    <button type="submit" className="rounded-md px-2 py-1 text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
                      Log out
                    </button>
                  </form>
                </div>
              </>
            ) : (
              <div className="ml-auto flex items-center gap-4 text-sm">
                <NavLink className={NAV_LINK} href="/accounts/login/">
                  Log in
                </NavLink>
                <Link className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700" href="/accounts/signup/">
                  Sign up
                </Link>
              </div>
            )}
          </nav>
        </header>
        <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
      </body>
    </html>
  );
}
