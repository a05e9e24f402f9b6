// /admin/applications/<id>/ — one application of any owner: its settings (never its secret),
// reset the secret (shown once, in the action's answer), suspend (confirmed) or unsuspend, delete. Editing uses the owner's form at
// /o/applications/<id>/update/, which lets staff edit any application.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Card, PageTitle } from '@/app/_components/ui';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { RegenerateSecret } from '@/app/o/applications/_components/regenerate-secret';
import { isConfirming } from '@/lib/http/confirm-step';
import { getApplicationForAdmin } from '@/lib/admin/service';
import { ALGORITHM_LABELS, CLIENT_TYPE_LABELS, grantTypeLabel, parseApplicationId } from '@/lib/apps/schema';
import type { SearchParams } from '@/lib/admin/schema';
import { orNotFound, staffActor } from '../../_lib/actor';
import { AppStatus, SelfRegistered } from '../../_components/table';
import { SubmitButton } from '@/app/_components/submit-button';
import { Time } from '../../_components/time';
import { deleteApplicationAction, resetSecretAction, setApplicationSuspendedAction } from '../../actions';

export const metadata = { title: 'Application' };

const list = (xs: string[]) =>
  xs.length ? (
    <ul className="space-y-0.5 font-mono text-xs">
      {xs.map((x) => (
        <li key={x} className="break-all">
          {x}
        </li>
      ))}
    </ul>
  ) : (
    <span className="text-slate-500">none</span>
  );

export default async function AdminApplication({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id: rawId } = await params;
  const sp = await searchParams;
  const actor = await staffActor(`/admin/applications/${encodeURIComponent(rawId)}/`);
  const id = parseApplicationId(rawId);
  if (id === null) notFound();
  const app = await orNotFound(getApplicationForAdmin(actor, id));
  const page = `/admin/applications/${app.id}/`;
  return (
    <div className="space-y-6">
      <PageTitle sub={<Link href="/admin/applications/" className="text-indigo-700 hover:underline">← All applications</Link>}>
        <span data-testid="admin-app-name">{app.name}</span>
      </PageTitle>
      <FlashNotice path={page} userId={actor.id} />
      <Card title="Settings">
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="text-slate-500">Client ID</dt>
          <dd className="break-all font-mono text-xs" data-testid="admin-client-id">{app.clientId}</dd>
          <dt className="text-slate-500">Owner</dt>
          <dd>
            {app.ownerUsername ?? <span className="text-slate-500">none</span>} <SelfRegistered method={app.registrationMethod} />
          </dd>
          <dt className="text-slate-500">Status</dt>
          <dd data-testid="admin-app-status" className="space-y-1">
            <AppStatus suspended={app.suspended} byStaff={app.suspendedAt !== null} />
            {app.suspendedAt ? (
              <p className="text-xs text-slate-600">
                Suspended by staff since <Time date={app.suspendedAt} />: it cannot authenticate or ask for access, and the tokens issued to it are refused.
              </p>
            ) : app.suspended ? (
              <p className="text-xs text-slate-600">
                Its owner is deactivated: it cannot authenticate, and the tokens issued to it are refused. Activating the owner restores it.
              </p>
            ) : null}
          </dd>
          <dt className="text-slate-500">Client type</dt>
          <dd>{CLIENT_TYPE_LABELS[app.clientType]}</dd>
          <dt className="text-slate-500">Client secret</dt>
          <dd>{app.clientType === 'public' ? 'None (public client)' : app.secretHashed ? 'Set (stored hashed; never shown again)' : 'Set (stored unhashed for HS256; not shown)'}</dd>
          <dt className="text-slate-500">Grant types</dt>
          <dd>{app.grantTypes.map(grantTypeLabel).join(', ')}</dd>
          <dt className="text-slate-500">Redirect URIs</dt>
          <dd>{list(app.redirectUris)}</dd>
          <dt className="text-slate-500">Allowed origins</dt>
          <dd>{list(app.allowedOrigins)}</dd>
          <dt className="text-slate-500">Post-logout redirect URIs</dt>
          <dd>{list(app.postLogoutRedirectUris)}</dd>
          <dt className="text-slate-500">Algorithm</dt>
          <dd>{ALGORITHM_LABELS[app.algorithm]}</dd>
          <dt className="text-slate-500">Skip authorization</dt>
          <dd>{app.skipAuthorization ? 'Yes' : 'No'}</dd>
          <dt className="text-slate-500">Created / updated</dt>
          <dd>
            <Time date={app.createdAt} /> / <Time date={app.updatedAt} />
          </dd>
        </dl>
        <div className="mt-5 flex flex-wrap gap-3 text-sm">
          <Link href={`/o/applications/${app.id}/update/`} className="rounded-md bg-white px-4 py-2 font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            Edit application
          </Link>
          <Link href={`/admin/tokens/?app=${app.id}`} className="rounded-md bg-white px-4 py-2 font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            View its tokens
          </Link>
          <Link href={`/admin/audit/?app=${app.id}`} className="rounded-md bg-white px-4 py-2 font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            View its audit events
          </Link>
        </div>
      </Card>

      {app.clientType === 'confidential' ? (
        <Card title="Reset the client secret">
          <p className="mb-4 text-sm text-slate-600">
            Generates a new secret and shows it once. The current one stops working at once; give the new one to the application&apos;s owner.
          </p>
          <RegenerateSecret
            key={String(isConfirming(sp, 'regenerate'))}
            action={resetSecretAction.bind(null, app.id)}
            appName={app.name}
            path={page}
            open={isConfirming(sp, 'regenerate')}
            status={null}
          />
        </Card>
      ) : null}

      <Card title={app.suspendedAt ? 'Unsuspend the application' : 'Suspend the application'}>
        {app.suspendedAt ? (
          <form action={setApplicationSuspendedAction}>
            <p className="mb-4 text-sm text-slate-600">It can authenticate and ask for access again, and its unexpired tokens work again.</p>
            <input type="hidden" name="id" value={String(app.id)} />
            <input type="hidden" name="value" value="false" />
            <SubmitButton variant="secondary" pendingText="Unsuspending…">
              Unsuspend {app.name}
            </SubmitButton>
          </form>
        ) : (
          <>
            <p className="mb-4 text-sm text-slate-600">
              A suspended application cannot authenticate or ask for access, and its tokens are refused until it is unsuspended. Nothing is deleted.
            </p>
            {isConfirming(sp, 'suspend') ? (
              <ConfirmPanel
                id="suspend"
                level="h3"
                title={`Suspend ${app.name}?`}
                action={setApplicationSuspendedAction}
                hidden={{ id: String(app.id), value: 'true' }}
                confirm={`Suspend ${app.name}`}
                pendingText="Suspending…"
                cancelHref={page}
              >
                <p>Its users are refused at once; its tokens stop working until staff unsuspend it.</p>
              </ConfirmPanel>
            ) : (
              <ConfirmOpen path={page} what="suspend" variant="danger">
                Suspend application
              </ConfirmOpen>
            )}
          </>
        )}
      </Card>

      <Card title="Delete the application">
        <p className="mb-4 text-sm text-slate-600">Deleting it revokes every token, code and consent it holds. This cannot be undone.</p>
        {isConfirming(sp, 'delete') ? (
          <ConfirmPanel
            id="delete"
            level="h3"
            title={`Delete ${app.name}?`}
            action={deleteApplicationAction}
            hidden={{ id: String(app.id) }}
            confirm={`Delete ${app.name}`}
            pendingText="Deleting…"
            cancelHref={page}
          >
            <p>
              Owned by {app.ownerUsername ?? 'nobody'}. Every token, code and consent it holds is deleted with it, and its owner is not asked.
            </p>
          </ConfirmPanel>
        ) : (
          <ConfirmOpen path={page} what="delete" variant="danger">
            Delete application
          </ConfirmOpen>
        )}
      </Card>
    </div>
  );
}
