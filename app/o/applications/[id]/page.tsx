import Link from 'next/link';
import type { ReactNode } from 'react';
import { Card, PageTitle } from '@/app/_components/ui';
import { env } from '@/lib/env';
import { ALGORITHM_LABELS, CLIENT_TYPE_LABELS, GRANT_AUTHORIZATION_CODE, canonicalSpellingOf, grantTypeLabel } from '@/lib/apps/schema';
import { INTROSPECTION_SCOPE } from '@/lib/oauth/endpoints/introspect';
import { FIELDS } from '../_lib/fields';
import { loadApplication } from '../_lib/load';
import { regenerateSecretAction } from '../actions';
import { ConnectPanel } from '../_components/connect-panel';
import { CopyButton } from '../_components/copy-button';
import { RegenerateSecret } from '../_components/regenerate-secret';

export const metadata = { title: 'Application' };

/**
 * The stored URIs. With `flagNonCanonical` (redirect URIs, matched exactly: RFC 9700 §4.1.3), one
 * stored before the forms required the canonical form gets a note naming the spelling to enter.
 */
function UriList({ uris, empty, flagNonCanonical = false }: { uris: string[]; empty: string; flagNonCanonical?: boolean }) {
  if (uris.length === 0) return <span className="text-slate-500">{empty}</span>;
  return (
    <ul className="space-y-1">
      {uris.map((u) => {
        const canonical = flagNonCanonical ? canonicalSpellingOf(u) : null;
        return (
          <li key={u} className="break-all">
            <span className="font-mono text-xs">{u}</span>
            {canonical ? (
              <p data-testid="non-canonical-uri" className="mt-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 ring-1 ring-amber-200">
                Not in canonical form: it matches only a client that sends exactly this spelling. Edit the application and enter{' '}
                <code className="font-mono">{canonical}</code> instead.
              </p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

const fmt = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { user, app } = await loadApplication(id);
  // The stored settings, under the form's labels.
  const settings: [string, ReactNode][] = [
    [FIELDS.clientType.label, CLIENT_TYPE_LABELS[app.clientType]],
    [
      FIELDS.grantTypes.label,
      <span key="g" className="flex flex-wrap gap-1.5">
        {app.grantTypes.map((g) => (
          <span key={g} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">
            {grantTypeLabel(g)}
          </span>
        ))}
      </span>,
    ],
    [FIELDS.redirectUris.label, <UriList key="r" uris={app.redirectUris} empty="None" flagNonCanonical />],
    [FIELDS.postLogoutRedirectUris.label, <UriList key="p" uris={app.postLogoutRedirectUris} empty="None" flagNonCanonical />],
    [FIELDS.allowedOrigins.label, <UriList key="o" uris={app.allowedOrigins} empty="None (no CORS)" />],
    [FIELDS.algorithm.label, ALGORITHM_LABELS[app.algorithm]],
    // A public client has no secret to hash: "Yes" would not be true of it.
    [FIELDS.hashClientSecret.label, app.clientType === 'public' ? 'No secret (public client)' : app.secretHashed ? 'Yes' : 'No'],
    [FIELDS.skipAuthorization.label, app.skipAuthorization ? 'Yes' : 'No'],
    [FIELDS.owner.label, app.ownerUsername ?? <span className="text-slate-500">None</span>],
    ['Created', fmt(app.createdAt)],
    ['Updated', `${fmt(app.updatedAt)} (version ${app.version})`],
  ];
  const linkClass = 'inline-flex items-center rounded-md px-4 py-2 text-sm font-semibold shadow-sm';

  return (
    <div className="space-y-6">
      <nav className="text-sm" aria-label="Breadcrumb">
        <Link href="/o/applications/" className="text-indigo-700 hover:underline">
          Applications
        </Link>
      </nav>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <PageTitle sub={user.isStaff && app.userId !== user.id ? `Owned by ${app.ownerUsername ?? 'nobody'}` : undefined}>
          <span data-testid="application-name">{app.name}</span>
        </PageTitle>
        <div className="flex gap-3">
          <Link href={`/o/applications/${app.id}/update/`} className={`${linkClass} bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50`}>
            Edit
          </Link>
          <Link href={`/o/applications/${app.id}/delete/`} className={`${linkClass} bg-white text-red-700 ring-1 ring-red-300 hover:bg-red-50`}>
            Delete
          </Link>
        </div>
      </div>

      <Card title="Credentials">
        <dl className="space-y-4 text-sm">
          <div>
            <dt className="mb-1 font-medium text-slate-700">{FIELDS.clientId.label}</dt>
            <dd className="flex flex-col gap-2 sm:flex-row sm:items-center">
              <code className="break-all rounded bg-slate-50 px-2 py-1 font-mono ring-1 ring-slate-200" data-testid="client-id">
                {app.clientId}
              </code>
              <CopyButton text={app.clientId} label="Copy client id" />
            </dd>
          </div>
          <div>
            <dt className="mb-1 font-medium text-slate-700">{FIELDS.clientSecret.label}</dt>
            <dd className="space-y-3 text-slate-700" data-testid="secret-status">
              {app.clientType === 'public' ? (
                <p>Public clients have no secret{app.grantTypes.includes(GRANT_AUTHORIZATION_CODE) ? ': they prove themselves with PKCE' : ''}.</p>
              ) : !app.hasSecret ? (
                <p>No secret is set. Regenerate one.</p>
              ) : app.secretHashed ? (
                <p>The client secret is hashed and cannot be shown. Regenerate it if it was lost.</p>
              ) : (
                <p>The client secret is stored unhashed (for HS256) but is not shown after creation. Regenerate it if it was lost.</p>
              )}
              {app.clientType === 'confidential' ? <RegenerateSecret action={regenerateSecretAction.bind(null, app.id)} /> : null}
            </dd>
          </div>
        </dl>
      </Card>

      <Card title="Settings">
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[14rem_1fr]">
          {settings.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="text-slate-900">{v}</dd>
            </div>
          ))}
        </dl>
      </Card>

      <Card title="Connect">
        <ConnectPanel
          app={{
            clientId: app.clientId,
            clientType: app.clientType,
            redirectUris: app.redirectUris,
            grantTypes: app.grantTypes,
            algorithm: app.algorithm,
            hasSecret: app.hasSecret,
            secretHashed: app.secretHashed,
          }}
          issuer={env().ISSUER}
          server={{ scopes: env().SCOPES, introspectionScope: INTROSPECTION_SCOPE }}
          codeLifetimeSeconds={env().AUTHORIZATION_CODE_EXPIRE_SECONDS}
        />
      </Card>
    </div>
  );
}
