// /admin/resources/ — the resources (APIs, RFC 8707) this server issues tokens for: the built-in
// /api first. Open one to edit or remove it; register another.
import Link from 'next/link';
import { PageTitle, buttonClass } from '@/app/_components/ui';
import { FlashNotice } from '@/app/_components/flash-notice';
import { listResourcesFor } from '@/lib/resources/service';
import { TOKEN_FORMAT_LABELS } from '@/lib/resources/schema';
import { orNotFound, staffActor } from '../_lib/actor';
import { Badge, Empty, Table, td } from '../_components/table';

export const metadata = { title: 'Resources' };

export default async function AdminResources() {
  const actor = await staffActor('/admin/resources/');
  const rows = await orNotFound(listResourcesFor(actor));
  return (
    <div>
      <PageTitle sub="The APIs this server issues access tokens for (RFC 8707 resource indicators), and the scopes each defines.">Resources</PageTitle>
      <FlashNotice path="/admin/resources/" userId={actor.id} />
      <div className="mb-4">
        <Link href="/admin/resources/new/" className={buttonClass('primary')}>
          Register a resource
        </Link>
      </div>
      <Table label="Resources" head={['Name', 'Identifier', 'Scopes', 'Token format', 'Lifetime', 'Built in']}>
        {rows.length === 0 ? <Empty cols={6}>No resources yet.</Empty> : null}
        {rows.map((r) => (
          <tr key={r.id} data-testid="resource-row">
            <td className={`${td} font-medium`}>
              <Link href={`/admin/resources/${r.id}/`} className="text-indigo-700 hover:underline">
                {r.name}
              </Link>
            </td>
            <td className={`${td} break-all font-mono text-xs`}>{r.identifier}</td>
            <td className={td} title={r.scopes.map((s) => s.name).join(' ')}>
              {r.scopes.length}
            </td>
            <td className={td}>{TOKEN_FORMAT_LABELS[r.accessTokenFormat]}</td>
            <td className={td}>{r.accessTokenLifetimeSeconds === null ? <span className="text-slate-500">default</span> : `${r.accessTokenLifetimeSeconds} s`}</td>
            <td className={td}>{r.builtIn ? <Badge tone="indigo">Built in</Badge> : 'No'}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
