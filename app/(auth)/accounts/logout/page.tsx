import Link from 'next/link';
import { connection } from 'next/server';
import { Alert, Card } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { currentUser } from '@/lib/auth/session';
import { readFlash } from '@/app/_lib/flash';
import { FlashNotice } from '@/app/_components/flash-notice';
import { logoutAction } from '../actions';

const PAGE = '/accounts/logout/';

export const metadata = { title: 'Log out' };

const linkClass = 'inline-flex items-center justify-center rounded-md px-4 py-2 text-sm font-semibold shadow-sm';

/**
 * /accounts/logout/ — asks a signed-in user to confirm (logging out changes state, so it is a POST:
 * a GET link cannot log anyone out by surprise). Signed out, it says so: "Log out" lands here with
 * its "Logged out" notice (the flash the action left, app/_lib/flash.ts); without it, the visitor
 * was not logged in. A signed-in visitor always gets the question, never a false "logged out".
 */
export default async function LogoutPage() {
  await connection();
  const user = await currentUser();
  if (!user) {
    const done = (await readFlash(PAGE, null))?.code === 'logged_out';
    return (
      <div className="mx-auto max-w-md">
        <Card title={done ? 'You are logged out' : 'You are not logged in'} titleAs="h1">
          {done ? (
            <>
              <FlashNotice path={PAGE} userId={null} />
              <p className="text-sm text-slate-600" data-testid="logged-out">
                Applications you authorized keep their access until you revoke it under{' '}
                <Link className="font-medium text-indigo-700 underline" href="/o/authorized_tokens/">
                  Authorized apps
                </Link>
                .
              </p>
            </>
          ) : (
            <Alert kind="info" testId="logged-out">
              This browser has no session on this server: there is nothing to log out of.
            </Alert>
          )}
          <div className="mt-4 flex flex-wrap gap-3">
            <Link href="/accounts/login/" className={`${linkClass} bg-indigo-600 text-white hover:bg-indigo-700`}>
              {done ? 'Log in again' : 'Log in'}
            </Link>
            <Link href="/" className={`${linkClass} bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50`}>
              Go to the home page
            </Link>
          </div>
        </Card>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-md">
      <Card title="Log out" titleAs="h1">
        <form action={logoutAction} className="space-y-4">
          <p className="text-slate-600">
            You are signed in as <strong className="text-slate-900 [overflow-wrap:anywhere]">{user.name}</strong>. End your session on this server?
          </p>
          <SubmitButton pendingText="Logging out…">Log out</SubmitButton>
        </form>
      </Card>
    </div>
  );
}
