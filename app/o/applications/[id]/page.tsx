import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert, Card, PageTitle } from '@/app/_components/ui';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { env } from '@/lib/env';
import { ALGORITHM_LABELS, CLIENT_TYPE_LABELS, SCOPE_POLICY_LABELS, GRANT_AUTHORIZATION_CODE, canonicalSpellingOf, checkRedirectUri, grantTypeLabel } from '@/lib/apps/schema';
import { ADD_CALLBACK, OFFER_INVALID, addCallbackSigValid, applicationPath, retryHref } from '@/lib/apps/add-callback';
import { isConfirming } from '@/lib/http/confirm-step';
import { playgroundPath } from '@/lib/apps/playground';
import type { ApplicationView } from '@/lib/apps/service';
import type { SessionUser } from '@/lib/auth/session';
import { FIELDS } from '../_lib/fields';
import { connectContext } from '../_lib/connect';
import { loadApplication } from '../_lib/load';
import { scopeCatalogue } from '../_lib/scopes';
import type { ScopeCatalogue } from '../_components/application-fields';
import { addCallbackAction, deleteApplicationAction, regenerateSecretAction } from '../actions';
import { ConnectPanel } from '../_components/connect-panel';
import { CopyButton } from '../_components/copy-button';
import { RegenerateSecret } from '../_components/regenerate-secret';
import { UsageSection } from '../_components/usage-section';
import { parseUsagePeriod } from '@/lib/usage';

export const metadata = { title: 'Application' };

type SearchParams = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);

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

/**
 * "Add this callback to the application", opened from the authorization error page
 * (lib/apps/add-callback.ts): only by the offer's signed link, for the signed-in user it was made
 * for, this application and this URI, before it expires; any other link (crafted, altered, someone
 * else's, stale) gets a neutral notice and nothing to confirm. The URI is checked by the form's rule
 * before the button is offered (the action checks the signature and the rule again).
 */
function AddCallback({ app, user, sp }: { app: ApplicationView; user: SessionUser; sp: SearchParams }) {
  const uri = one(sp.uri) ?? '';
  const retry = one(sp.retry) ?? '';
  const sig = one(sp.sig) ?? '';
  if (!addCallbackSigValid(sig, { appId: app.id, userId: user.id, uri }, env().AUTH_SECRET)) {
    return (
      <Alert kind="info" testId="add-callback-invalid">
        {OFFER_INVALID}
      </Alert>
    );
  }
  const page = applicationPath(app.id);
  const registered = app.redirectUris.includes(uri);
  const again = registered ? retryHref(retry, app) : null;
  const error =
    app.userId !== user.id
      ? 'Only the owner of the application can add a callback from an authorization error. Edit the application to change its redirect URIs.'
      : uri === ''
        ? 'No callback URL was given.'
        : registered
          ? 'This callback is registered already.'
          : checkRedirectUri(uri);
  return (
    <ConfirmPanel
      id="add-callback"
      tone="primary"
      title={`Add this callback to ${app.name}?`}
      action={addCallbackAction.bind(null, app.id)}
      hidden={{ uri, retry, sig }}
      confirm={`Add this callback to ${app.name}`}
      pendingText="Adding…"
      cancelHref={page}
      error={error}
    >
      <p>
        The callback (redirect URI) an authorization request named, which {app.name} has not registered:{' '}
        <code className="break-all font-mono text-xs" data-testid="callback-uri">
          {uri}
        </code>
      </p>
      <p>Authorization codes for your users are sent to the registered callbacks: add it only if your application really receives its answers there.</p>
      {again ? (
        <a href={again} className="inline-block font-medium text-indigo-700 hover:underline">
          Retry the authorization request
        </a>
      ) : null}
    </ConfirmPanel>
  );
}

/** "Allowed scopes" as stored: all (null), or the allowed ones grouped by the resource that defines them. */
function AllowedScopes({ allowed, resources }: { allowed: string[] | null; resources: ScopeCatalogue }) {
  if (allowed === null) return <span data-testid="allowed-scopes">All scopes, including future ones</span>;
  const groups = resources.map((r) => ({ r, scopes: r.scopes.filter((s) => allowed.includes(s.name)) })).filter((g) => g.scopes.length > 0);
  if (groups.length === 0) return <span data-testid="allowed-scopes">None (OpenID Connect scopes only)</span>;
  return (
    <ul data-testid="allowed-scopes" className="space-y-1">
      {groups.map(({ r, scopes }) => (
        <li key={r.identifier}>
          <span className="font-medium">{r.name}</span>:{' '}
          {scopes.map((s, i) => (
            <span key={s.name} title={s.description}>
              {i > 0 ? ', ' : ''}
              <code className="text-xs">{s.name}</code> ({s.description})
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

export default async function ApplicationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const { user, app } = await loadApplication(id);
  const connect = await connectContext(app);
  const sp = await searchParams;
  const page = applicationPath(app.id);
  const retry = retryHref(sp.retry, app);
  const retryLink = retry ? (
    <>
      {' '}
      <a href={retry} className="font-medium underline">
        Retry the authorization request
      </a>
    </>
  ) : null;
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
    [FIELDS.allowedScopes.label, <AllowedScopes key="s" allowed={app.allowedScopes} resources={await scopeCatalogue()} />],
    [FIELDS.scopePolicy.label, SCOPE_POLICY_LABELS[app.scopePolicy]],
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
        <div className="flex flex-wrap gap-3">
          <Link href={playgroundPath(app.id)} className={`${linkClass} bg-indigo-600 text-white hover:bg-indigo-700`}>
            Try it
          </Link>
          <Link href={`${page}update/`} className={`${linkClass} bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50`}>
            Edit
          </Link>
          {isConfirming(sp, 'delete') ? null : (
            <ConfirmOpen path={page} what="delete" variant="danger">
              Delete
            </ConfirmOpen>
          )}
        </div>
      </div>
      <FlashNotice path={page} userId={user.id} more={{ callback_added: retryLink, callback_present: retryLink }} />
      {isConfirming(sp, ADD_CALLBACK) ? <AddCallback app={app} user={user} sp={sp} /> : null}
      {isConfirming(sp, 'delete') ? (
        <ConfirmPanel
          id="delete"
          title={`Delete ${app.name}?`}
          action={deleteApplicationAction.bind(null, app.id)}
          confirm={`Delete ${app.name}`}
          pendingText="Deleting…"
          cancelHref={page}
        >
          <p>
            Client id <code className="break-all font-mono text-xs">{app.clientId}</code>. Its access tokens, refresh tokens, pending authorization
            codes, device codes and consents are deleted with it: every user of it is signed out of it at once. This cannot be undone.
          </p>
        </ConfirmPanel>
      ) : null}

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
              ) : (
                <RegenerateSecret
                  // Closing the confirmation (Cancel, Done) starts afresh: the shown secret is gone.
                  key={String(isConfirming(sp, 'regenerate'))}
                  action={regenerateSecretAction.bind(null, app.id)}
                  appName={app.name}
                  path={page}
                  open={isConfirming(sp, 'regenerate')}
                  status={
                    !app.hasSecret ? (
                      <p>No secret is set. Regenerate one.</p>
                    ) : app.secretHashed ? (
                      <p>The client secret is hashed and cannot be shown. Regenerate it if it was lost.</p>
                    ) : (
                      <p>The client secret is stored unhashed (for HS256) but is not shown after creation. Regenerate it if it was lost.</p>
                    )
                  }
                />
              )}
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
        <p className="mb-6 text-sm text-slate-700">
          Rather see each request run?{' '}
          <Link href={playgroundPath(app.id)} className="font-medium text-indigo-700 underline">
            Try it from this server’s playground
          </Link>
          : every step of your grants sent from the page, with the answers explained.
        </p>
        <ConnectPanel
          app={connect.app}
          issuer={env().ISSUER}
          server={connect.server}
          codeLifetimeSeconds={env().AUTHORIZATION_CODE_EXPIRE_SECONDS}
        />
      </Card>

      <UsageSection app={app} days={parseUsagePeriod(sp.days)} />
    </div>
  );
}
