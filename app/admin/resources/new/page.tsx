// /admin/resources/new/ — register a resource (an API): identifier, name, scopes, token format, lifetime.
import Link from 'next/link';
import { Card, PageTitle } from '@/app/_components/ui';
import { staffActor } from '../../_lib/actor';
import { ResourceForm } from '../_components/resource-form';
import { createResourceAction } from '../actions';

export const metadata = { title: 'Register a resource' };

export default async function NewResource() {
  await staffActor('/admin/resources/new/');
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageTitle sub={<Link href="/admin/resources/" className="text-indigo-700 hover:underline">← All resources</Link>}>Register a resource</PageTitle>
      <Card>
        <ResourceForm
          action={createResourceAction}
          initial={{ identifier: '', name: '', scopes: [], accessTokenFormat: 'opaque', accessTokenLifetimeSeconds: '' }}
          submit="Register resource"
          cancelHref="/admin/resources/"
        />
      </Card>
    </div>
  );
}
