import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';
import { BrandMark } from './_components/brand';
import { currentUser } from '@/lib/auth/session';
import { logoutAction } from './(auth)/accounts/actions';

export const metadata: Metadata = {
  title: { default: 'OAuth Provider', template: '%s · OAuth Provider' },
  description: 'An OAuth 2.0 and OpenID Connect authorization server.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
            <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
              <BrandMark />
            </Link>
            <nav className="flex flex-wrap items-center gap-4 text-sm" aria-label="Main">
              {user ? (
                <>
                  <Link className="text-slate-700 hover:text-indigo-700" href="/o/applications/">
                    Applications
                  </Link>
                  <Link className="text-slate-700 hover:text-indigo-700" href="/o/authorized_tokens/">
                    Authorized apps
                  </Link>
                  <Link className="text-slate-700 hover:text-indigo-700" href="/accounts/sessions/">
                    Sessions
                  </Link>
                  {user.isStaff ? (
                    <Link className="text-slate-700 hover:text-indigo-700" href="/admin/">
                      Admin
                    </Link>
                  ) : null}
                  <span className="min-w-0 text-slate-500 [overflow-wrap:anywhere]" data-testid="whoami">
                    Signed in as <strong className="text-slate-800">{user.name}</strong>
                  </span>
                  <form action={logoutAction}>
                    <button type="submit" className="rounded-md px-2 py-1 text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
                      Log out
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <Link className="text-slate-700 hover:text-indigo-700" href="/accounts/login/">
                    Log in
                  </Link>
                  <Link className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700" href="/accounts/signup/">
                    Sign up
                  </Link>
                </>
              )}
            </nav>
          </div>
        </header>
        <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
      </body>
    </html>
  );
}
