// /admin/applications/ — every registered client, whoever owns it.
import Link from 'next/link';
import { PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { listApplications } from '@/lib/admin/service';
import { CLIENT_TYPE_LABELS, grantTypeLabel } from '@/lib/apps/schema';
import { filtersValid, listHref, parseAppFilters, type SearchParams } from '@/lib/admin/schema';
import { orNotFound, staffActor } from '../_lib/actor';
import { AppStatus, Badge, Empty, SelfRegistered, Table, td } from '../_components/table';
import { FILTER_REFUSED, FilterText } from '../_components/filter-field';
import { Pager } from '../_components/pager';
import { FlashNotice } from '@/app/_components/flash-notice';
import { Time } from '../_components/time';

export const metadata = { title: 'Applications' };

export default async function AdminApplications({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const f = parseAppFilters(sp);
  const actor = await staffActor(listHref('/admin/applications/', { q: f.q, after: f.after }));
  const valid = filtersValid(f);
  const page = valid ? await orNotFound(listApplications(actor, f)) : { rows: [], next: null };
  return (
    <div>
      <PageTitle sub="Applications of every owner, and self-registered clients. Open one to edit, suspend or delete it.">Applications</PageTitle>
      <FlashNotice path="/admin/applications/" userId={actor.id} />
      <form method="get" action="/admin/applications/" className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <div className="w-80">
          <FilterText id="q" label="Search applications" defaultValue={f.typed.q ?? f.q} error={f.errors.q} placeholder="Name, client ID or owner's username" />
        </div>
        <SubmitButton variant="secondary">Search</SubmitButton>
      </form>
      <Table label="Applications" head={['Name', 'Client ID', 'Owner', 'Type', 'Grant types', 'Status', 'Created']}>
        {page.rows.length === 0 ? <Empty cols={7}>{valid ? 'No application matches.' : FILTER_REFUSED}</Empty> : null}
        {page.rows.map((a) => (
          <tr key={a.id} data-testid="app-row">
            <td className={`${td} font-medium`}>
              <Link href={`/admin/applications/${a.id}/`} className="text-indigo-700 hover:underline">
                {a.name}
              </Link>
            </td>
            <td className={`${td} font-mono text-xs`}>{a.clientId}</td>
            <td className={td}>
              {a.ownerUsername ?? <span className="text-slate-500">none</span>} <SelfRegistered method={a.registrationMethod} />
            </td>
            <td className={td}>
              <Badge tone={a.clientType === 'confidential' ? 'indigo' : 'slate'}>{CLIENT_TYPE_LABELS[a.clientType]}</Badge>
            </td>
            <td className={`${td} text-xs`}>{a.grantTypes.map(grantTypeLabel).join(', ')}</td>
            <td className={td}>
              <AppStatus suspended={a.suspended} byStaff={a.suspendedAt !== null} />
            </td>
            <td className={td}>
              <Time date={a.createdAt} />
            </td>
          </tr>
        ))}
      </Table>
      <Pager path="/admin/applications/" params={{ q: f.q }} next={page.next} isFirst={!f.after} />
    </div>
  );
}
