import Link from 'next/link';
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { defaultFormValues } from '@/lib/apps/schema';
import { randomClientId } from '@/lib/oauth/random';
import { scopeCatalogue } from '../_lib/scopes';
import { formAudience } from '../_lib/audience';
import { RegisterApplicationForm } from '../_components/application-form';
import { createApplicationAction } from '../actions';

export const metadata = { title: 'Register an application' };

export default async function RegisterApplicationPage() {
  await connection();
  const user = await requireUser('/o/applications/register/');
  return (
    <div className="mx-auto max-w-3xl">
      <nav className="mb-4 text-sm" aria-label="Breadcrumb">
        <Link href="/o/applications/" className="text-indigo-700 hover:underline">
          Applications
        </Link>
      </nav>
      <RegisterApplicationForm action={createApplicationAction} initial={defaultFormValues(randomClientId(), user.name)} audience={formAudience(user)} resources={await scopeCatalogue()} />
    </div>
  );
}
