import Link from 'next/link';
import { Card } from '@/app/_components/ui';
import { safeNextPath } from '@/lib/http/safe-next';
import { SignupForm } from './signup-form';

export const metadata = { title: 'Sign up' };

export default async function SignupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const next = safeNextPath(Array.isArray(sp.next) ? sp.next[0] : sp.next);
  return (
    <div className="mx-auto max-w-md">
      <Card title="Create an account">
        <SignupForm next={next} />
        <p className="mt-4 text-sm text-slate-600">
          Already registered?{' '}
          <Link className="font-medium text-indigo-700 hover:underline" href={`/accounts/login/?next=${encodeURIComponent(next)}`}>
            Log in
          </Link>
        </p>
      </Card>
    </div>
  );
}
