import Link from 'next/link';
import { connection } from 'next/server';
import { Card } from '@/app/_components/ui';
import { currentUser } from '@/lib/auth/session';
import { destination, DestinationNotice } from '../destination';
import { LoginForm } from './login-form';

export const metadata = { title: 'Log in' };

/** A login_hint (OIDC Core §3.1.2.1) that fits the username field pre-fills it. */
const usernameHint = (hint: string | undefined) => (hint && hint.length <= 150 ? hint : undefined);

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const d = await destination(await searchParams);
  const user = await currentUser();
  return (
    <div className="mx-auto max-w-md">
      <Card title="Log in" titleAs="h1">
        <DestinationNotice d={d} action="Sign in" />
        {user ? (
          <p className="mb-4 text-sm text-slate-600">
            You are signed in as <strong>{user.name}</strong>. Log in again to continue, or as another user.
          </p>
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
