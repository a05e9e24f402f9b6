// The one-time setup page of a fresh installation (lib/auth/first-admin.ts): while no staff user
// exists it creates the first admin with the setup token the server printed at its start; once
// one exists it is gone (the 404 page, in the site's layout).
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Card } from '@/app/_components/ui';
import { setupNeeded } from '@/lib/auth/first-admin';
import { SetupForm } from './setup-form';

export const metadata = { title: 'Create the first admin', referrer: 'no-referrer' as const };

export default async function SetupPage() {
  await connection();
  if (!(await setupNeeded())) notFound();
  return (
    <div className="mx-auto max-w-md">
      <Card title="Create the first admin" titleAs="h1">
        <p className="mb-4 text-sm text-slate-600">
          This installation has no administrator yet. The admin account you create here is staff: it can manage every user, application and
          token at <code>/admin/</code>. Only whoever runs the server can do this: it needs the setup token the server printed in its console
          when it started (<code>npm run dev</code> or <code>npm start</code>). This page closes once an admin exists.
        </p>
        <SetupForm />
      </Card>
    </div>
  );
}
