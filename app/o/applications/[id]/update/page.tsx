import Link from 'next/link';
import type { ApplicationFormValues } from '@/lib/apps/schema';
import { loadApplication } from '../../_lib/load';
import { formAudience } from '../../_lib/audience';
import { scopeCatalogue } from '../../_lib/scopes';
import { UpdateApplicationForm } from '../../_components/application-form';
import { updateApplicationAction } from '../../actions';

export const metadata = { title: 'Edit application' };

export default async function UpdateApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, app } = await loadApplication(id, 'update/');
  const initial: ApplicationFormValues = {
    name: app.name,
    clientId: app.clientId,
    clientType: app.clientType,
    grantTypes: app.grantTypes,
    redirectUris: app.redirectUris.join('\n'),
    postLogoutRedirectUris: app.postLogoutRedirectUris.join('\n'),
    allowedOrigins: app.allowedOrigins.join('\n'),
    algorithm: app.algorithm,
    hashClientSecret: app.secretHashed,
    skipAuthorization: app.skipAuthorization,
    // The current owner: shown read-only, or as the staff's editable username.
    owner: app.ownerUsername ?? '',
    clientSecret: '',
    allowedScopes: app.allowedScopes,
    scopePolicy: app.scopePolicy,
  };
  return (
    <div className="mx-auto max-w-3xl">
      <nav className="mb-4 text-sm" aria-label="Breadcrumb">
        <Link href="/o/applications/" className="text-indigo-700 hover:underline">
          Applications
        </Link>
        <span className="mx-2 text-slate-400" aria-hidden>
          /
        </span>
        <Link href={`/o/applications/${app.id}/`} className="text-indigo-700 hover:underline">
          {app.name}
        </Link>
      </nav>
      <UpdateApplicationForm
        action={updateApplicationAction.bind(null, app.id)}
        initial={initial}
        audience={formAudience(user)}
        resources={await scopeCatalogue()}
        appId={app.id}
        hasSecret={app.hasSecret}
      />
    </div>
  );
}
