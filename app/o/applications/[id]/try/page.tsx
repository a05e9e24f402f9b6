import Link from 'next/link';
import { Alert, PageTitle } from '@/app/_components/ui';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { env } from '@/lib/env';
import { applicationPath } from '@/lib/apps/add-callback';
import { ADD_PLAYGROUND_CALLBACK, playgroundCallbackUrl, playgroundPath } from '@/lib/apps/playground';
import { GRANT_AUTHORIZATION_CODE } from '@/lib/apps/schema';
import { isConfirming } from '@/lib/http/confirm-step';
import { connectContext } from '../../_lib/connect';
import { loadApplication } from '../../_lib/load';
import { addPlaygroundCallbackAction } from '../../actions';
import { Playground } from '../../_components/playground';

export const metadata = { title: 'Try it' };

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * "Try it": the application's requests run from the page (app/o/applications/_components/
 * playground.tsx), for its owner and staff. The authorization code flow needs the playground's
 * callback among the redirect URIs: the owner is offered to add it, with the confirmation pattern.
 */
export default async function TryApplicationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id } = await params;
  const { user, app } = await loadApplication(id, 'try/');
  const connect = await connectContext(app);
  const sp = await searchParams;
  const page = playgroundPath(app.id);
  const issuer = env().ISSUER;
  const callbackUrl = playgroundCallbackUrl(issuer);
  const callbackRegistered = app.redirectUris.includes(callbackUrl);
  const usesCode = app.grantTypes.includes(GRANT_AUTHORIZATION_CODE);
  const owner = app.userId === user.id;

  return (
    <div className="space-y-6">
      <nav className="text-sm" aria-label="Breadcrumb">
        <Link href="/o/applications/" className="text-indigo-700 hover:underline">
          Applications
        </Link>
        <span className="mx-2 text-slate-400" aria-hidden>
          /
        </span>
        <Link href={applicationPath(app.id)} className="text-indigo-700 hover:underline">
          {app.name}
        </Link>
      </nav>
      <PageTitle sub="Run each step of this application’s flows from this page: the exact request, the answer, and what it means.">
        Try it: <span data-testid="application-name">{app.name}</span>
      </PageTitle>
      <FlashNotice path={page} userId={user.id} />

      {usesCode && !callbackRegistered ? (
        isConfirming(sp, ADD_PLAYGROUND_CALLBACK) ? (
          <ConfirmPanel
            id="add-playground-callback"
            tone="primary"
            title={`Add the playground’s callback to ${app.name}?`}
            action={addPlaygroundCallbackAction.bind(null, app.id)}
            confirm="Add the playground’s callback"
            pendingText="Adding…"
            cancelHref={page}
            error={owner ? undefined : 'Only the owner of the application can add the playground’s callback. Edit the application to change its redirect URIs.'}
          >
            <p>
              Adds <code className="break-all font-mono text-xs">{callbackUrl}</code> to the redirect URIs. Authorization codes for this application
              can then be sent to this server’s playground page, which hands them only to a playground tab of the same browser that started the
              sign-in. Remove it (Edit) when you no longer use the playground.
            </p>
          </ConfirmPanel>
        ) : (
          <section aria-labelledby="callback-offer-title" className="space-y-3 rounded-xl border border-indigo-200 bg-indigo-50 p-4 sm:p-6" data-testid="callback-offer">
            <h2 id="callback-offer-title" className="text-lg font-semibold text-slate-900">
              The playground’s callback is not registered
            </h2>
            <p className="text-sm text-slate-800">
              The authorization code step returns to <code className="break-all font-mono text-xs">{callbackUrl}</code>, which is not one of this
              application’s redirect URIs yet (they are matched exactly).
            </p>
            <ConfirmOpen path={page} what={ADD_PLAYGROUND_CALLBACK}>
              Add the playground’s callback…
            </ConfirmOpen>
          </section>
        )
      ) : null}
      {usesCode && callbackRegistered ? (
        <Alert kind="info" testId="callback-registered">
          The playground’s callback <code className="break-all font-mono text-xs">{callbackUrl}</code> is one of the redirect URIs.
        </Alert>
      ) : null}

      <Playground
        app={connect.app}
        issuer={issuer}
        server={connect.server}
        callbackUrl={callbackUrl}
        callbackRegistered={callbackRegistered}
      />
    </div>
  );
}
