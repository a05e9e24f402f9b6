// RP-initiated logout: asks the user to confirm (when the request does not prove it comes from the
// application the user is signed in to), says what is wrong with a bad request, or confirms that the
// user is logged out, with a link (named) back to the application. It never links to a post-logout
// URI that is not registered.
import Link from 'next/link';
import { connection } from 'next/server';
import { Card } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { currentUser } from '@/lib/auth/session';
import { evaluateLogout } from '@/lib/oauth/oidc/logout';
import { confirmLogoutAction } from './actions';

export const metadata = { title: 'Log out', referrer: 'no-referrer' as const };

export default async function LogoutConfirmPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const sp = await searchParams;
  // Rebuilt with duplicates, which the logout request rejects.
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) for (const one of Array.isArray(v) ? v : [v ?? '']) params.append(k, one);
  const user = await currentUser();
  const outcome = await evaluateLogout(params, user?.id ?? null);

  if (outcome.kind === 'error') {
    return (
      <div className="mx-auto max-w-xl">
        <Card>
          <h1 className="mb-3 text-xl font-semibold text-red-700">{outcome.title}</h1>
          <p data-testid="logout-error" className="text-slate-700">
            {outcome.message}
          </p>
          <p className="mt-4 text-sm text-slate-600">
            You have not been logged out.{' '}
            {user ? (
              <Link className="font-medium text-indigo-700 hover:underline" href="/accounts/logout/">
                Log out of this server
              </Link>
            ) : null}
          </p>
        </Card>
      </div>
    );
  }

  if (outcome.kind === 'logged_out' || !user) {
    // Never an automatic redirect here: the way back to the application is a link, named.
    return (
      <div className="mx-auto max-w-md">
        <Card title="You are logged out" titleAs="h1">
          <p data-testid="logged-out" className="text-slate-600">
            You are not signed in to this server.
          </p>
          {outcome.redirectTo ? (
            <a data-testid="return-to-app" className="mt-4 inline-flex font-medium text-indigo-700 hover:underline" href={outcome.redirectTo}>
              Return to {outcome.appName}
            </a>
          ) : null}
        </Card>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-md">
      <Card title="Log out?" titleAs="h1">
        <form action={confirmLogoutAction} className="space-y-4">
          <input type="hidden" name="query" value={params.toString()} />
          <p className="text-slate-600" data-testid="logout-question">
            {outcome.appName ? (
              <>
                <strong className="text-slate-900">{outcome.appName}</strong> asks to end your session on this server.
              </>
            ) : (
              <>An application asks to end your session on this server.</>
            )}{' '}
            You are signed in as <strong className="text-slate-900">{user.name}</strong>.
          </p>
          <div className="flex flex-wrap gap-3">
            <SubmitButton pendingText="Logging out…">Yes, log out</SubmitButton>
            <Link
              href="/"
              className="inline-flex items-center justify-center rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50"
            >
              Stay logged in
            </Link>
          </div>
        </form>
      </Card>
    </div>
  );
}
