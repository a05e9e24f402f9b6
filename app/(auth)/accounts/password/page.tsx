// /accounts/password/ — change the password; every other session of the user ends with it.
import Link from 'next/link';
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { Card } from '@/app/_components/ui';
import { PasswordForm } from './password-form';

export const metadata = { title: 'Change password' };

export default async function PasswordPage() {
  await connection();
  await requireUser('/accounts/password/');
  return (
    <div className="mx-auto max-w-md">
      <Card title="Change password" titleAs="h1">
        <p className="mb-4 text-sm text-slate-600">Changing your password signs out every other browser where you are logged in.</p>
        <PasswordForm />
        <p className="mt-4 text-sm text-slate-600">
          <Link className="font-medium text-indigo-700 hover:underline" href="/accounts/sessions/">
            See your sessions
          </Link>
        </p>
      </Card>
    </div>
  );
}
