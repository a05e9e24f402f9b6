import Link from 'next/link';
import { connection } from 'next/server';
import { Card } from '@/app/_components/ui';
import { currentUser } from '@/lib/auth/session';
import { safeNextPath } from '@/lib/http/safe-next';
import { LoginForm } from './login-form';

export const metadata = { title: 'Log in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const sp = await searchParams;
  const raw = sp.next ?? sp.callbackUrl;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  const user = await currentUser();
  return (
    <div className="mx-auto max-w-md">
      <Card title="Log in">
        {user ? (
          <p className="mb-4 text-sm text-slate-600">
            You are signed in as <strong>{user.name}</strong>. Log in again to continue, or as another user.
          </p>
        ) : null}
        <LoginForm next={next} />
        <p className="mt-4 text-sm text-slate-600">
          No account?{' '}
          <Link className="font-medium text-indigo-700 hover:underline" href={`/accounts/signup/?next=${encodeURIComponent(next)}`}>
            Sign up
          </Link>
        </p>
      </Card>
    </div>
  );
}
