import Link from 'next/link';
import { connection } from 'next/server';
import { Alert, Card } from '@/app/_components/ui';
import { FirstAdminOffer } from '@/app/_components/first-admin-offer';
import { currentUser, endedSessionReason } from '@/lib/auth/session';
import { destination, DestinationNotice } from '../destination';
import { LoginForm } from './login-form';

export const metadata = { title: 'Log in' };

/** A login_hint (OIDC Core §3.1.2.1) that fits the username field pre-fills it. */
const usernameHint = (hint: string | undefined) => (hint && hint.length <= 150 ? hint : undefined);

type EndReason = NonNullable<Awaited<ReturnType<typeof endedSessionReason>>>;

/** Why a browser whose session ended elsewhere must log in again (OWASP Session Management). */
const ENDED: Record<EndReason, string> = {
  signed_out: 'You were signed out: this session was ended from another browser where you are logged in. Log in again to continue.',
  password_changed: 'You were signed out because your password was changed in another browser. Log in with the new password.',
  deactivated: 'You were signed out because an administrator deactivated your account.',
  expired: 'Your session expired. Log in again to continue.',
  logout: 'This session was logged out. Log in again to continue.',
  replaced: 'This session was replaced by a newer login. Log in again to continue.',
  ended: 'Your session has ended. Log in again to continue.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const d = await destination(await searchParams);
  const user = await currentUser();
  const ended = user ? null : await endedSessionReason();
  return (
    <div className="mx-auto max-w-md">
      <FirstAdminOffer />
      <Card title="Log in" titleAs="h1">
        <DestinationNotice d={d} action="Sign in" />
        {user ? (
          <p className="mb-4 text-sm text-slate-600">
            You are signed in as <strong>{user.name}</strong>. Log in again to continue, or as another user.
          </p>
        ) : null}
        {ended ? (
          <div className="mb-4">
            <Alert kind="info" testId="session-ended">
              {ENDED[ended]}
            </Alert>
          </div>
        ) : null}
        <LoginForm next={d.next} username={d.pending?.kind === 'live' ? usernameHint(d.pending.loginHint) : undefined} />
        <p className="mt-4 text-sm text-slate-600">
          No account?{' '}
          <Link className="font-medium text-indigo-700 hover:underline" href={`/accounts/signup/?next=${encodeURIComponent(d.next)}`}>
            Sign up
          </Link>
        </p>
      </Card>
    </div>
  );
}
