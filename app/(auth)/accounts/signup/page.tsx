import Link from 'next/link';
import { connection } from 'next/server';
import { Card } from '@/app/_components/ui';
import { destination, DestinationNotice } from '../destination';
import { SignupForm } from './signup-form';

export const metadata = { title: 'Sign up' };

export default async function SignupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const d = await destination(await searchParams);
  return (
    <div className="mx-auto max-w-md">
      <Card title="Create an account" titleAs="h1">
        <DestinationNotice d={d} action="Create an account" />
        <SignupForm next={d.next} />
        <p className="mt-4 text-sm text-slate-600">
          Already registered?{' '}
          <Link className="font-medium text-indigo-700 hover:underline" href={`/accounts/login/?next=${encodeURIComponent(d.next)}`}>
            Log in
          </Link>
        </p>
      </Card>
    </div>
  );
}
