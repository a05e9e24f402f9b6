// /admin/resources/<id>/ — edit one resource, or remove it (the confirmation says what happens to
// the tokens already issued for it). The built-in resource keeps its identifier and cannot be removed.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Card, PageTitle } from '@/app/_components/ui';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { isConfirming } from '@/lib/http/confirm-step';
import { parseRowId } from '@/lib/fields';
import { getResourceFor } from '@/lib/resources/service';
import type { SearchParams } from '@/lib/admin/schema';
import { orNotFound, staffActor } from '../../_lib/actor';
import { ResourceForm } from '../_components/resource-form';
import { deleteResourceAction, updateResourceAction } from '../actions';

export const metadata = { title: 'Resource' };

export default async function AdminResource({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const { id: rawId } = await params;
  const sp = await searchParams;
  const actor = await staffActor(`/admin/resources/${encodeURIComponent(rawId)}/`);
  const id = parseRowId(rawId);
  if (id === null) notFound();
  const r = await orNotFound(getResourceFor(actor, id));
  const page = `/admin/resources/${r.id}/`;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageTitle sub={<Link href="/admin/resources/" className="text-indigo-700 hover:underline">← All resources</Link>}>
        <span data-testid="resource-name">Edit {r.name}</span>
      </PageTitle>
      <FlashNotice path={page} userId={actor.id} />
      <Card>
        <ResourceForm
          action={updateResourceAction.bind(null, r.id)}
          initial={{
            identifier: r.identifier,
            name: r.name,
            scopes: r.scopes,
            accessTokenFormat: r.accessTokenFormat,
            accessTokenLifetimeSeconds: r.accessTokenLifetimeSeconds === null ? '' : String(r.accessTokenLifetimeSeconds),
          }}
          builtIn={r.builtIn}
          submit="Save changes"
          cancelHref="/admin/resources/"
        />
      </Card>
      <Card title="Remove the resource">
        {r.builtIn ? (
          <p className="text-sm text-slate-600">The built-in resource is the issuer’s own /api: it cannot be removed.</p>
        ) : isConfirming(sp, 'delete') ? (
          <ConfirmPanel id="delete" level="h3" title={`Remove ${r.name}?`} action={deleteResourceAction} hidden={{ id: String(r.id) }} confirm={`Remove ${r.name}`} pendingText="Removing…" cancelHref={page}>
            <p>New authorization and token requests naming {r.identifier} will be refused (invalid_target).</p>
            <p data-testid="live-tokens">
              {r.liveTokens === 0
                ? 'No unexpired access token names it.'
                : `${r.liveTokens} unexpired access ${r.liveTokens === 1 ? 'token names' : 'tokens name'} it: they stay valid until they expire (revoke them under Tokens and grants if they must stop now). Refresh tokens for it are revoked.`}
            </p>
          </ConfirmPanel>
        ) : (
          <>
            <p className="mb-4 text-sm text-slate-600">Applications can no longer ask for it and its refresh tokens are revoked; access tokens already issued stay valid until they expire.</p>
            <ConfirmOpen path={page} what="delete" variant="danger">
              Remove resource
            </ConfirmOpen>
          </>
        )}
      </Card>
    </div>
  );
}
