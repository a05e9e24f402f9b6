// /admin/audit/ — the security events the server writes, newest first, filterable.
import { PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { listAuditEvents } from '@/lib/admin/service';
import { AUDIT_TYPES, filtersValid, listHref, parseAuditFilters, type SearchParams } from '@/lib/admin/schema';
import { orNotFound, staffActor } from '../_lib/actor';
import { Badge, Empty, Table, td } from '../_components/table';
import { FILTER_NAMES_NOTHING, FILTER_REFUSED, FilterSelect, FilterText } from '../_components/filter-field';
import { Pager } from '../_components/pager';
import { Time } from '../_components/time';

export const metadata = { title: 'Audit log' };

const tone = (type: string) =>
  type.endsWith('failure') || type.endsWith('failed') || type.includes('reuse') || type.includes('replayed')
    ? 'red'
    : type.startsWith('admin') || type.includes('secret')
      ? 'amber'
      : type.includes('revoked') || type.includes('denied') || type.includes('deleted')
        ? 'slate'
        : 'green';

function detailText(d: Record<string, unknown> | null): string {
  if (!d) return '';
  return Object.entries(d)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
    .slice(0, 300);
}

export default async function AdminAudit({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const f = parseAuditFilters(sp);
  const filters = { type: f.type, actor: f.actor, app: f.app, ip: f.ip };
  const actor = await staffActor(listHref('/admin/audit/', { ...filters, after: f.after }));
  const valid = filtersValid(f);
  const page = valid ? await orNotFound(listAuditEvents(actor, f)) : { rows: [], next: null };
  return (
    <div>
      <PageTitle sub="Security events written by the server. Times are UTC.">Audit log</PageTitle>
      <form method="get" action="/admin/audit/" className="mb-4 grid items-end gap-3 sm:grid-cols-[repeat(4,minmax(0,1fr))_auto]" role="search">
        <FilterSelect id="type" label="Event" defaultValue={f.type ?? ''} options={[['', 'All events'], ...AUDIT_TYPES.map((t): [string, string] => [t, t])]} />
        <FilterText id="actor" label="Actor" defaultValue={f.typed.actor ?? f.actor} error={f.errors.actor} placeholder="Username" />
        <FilterText
          id="app"
          label="Application"
          defaultValue={f.typed.app ?? f.app}
          error={f.errors.app ?? (page.unknown ? FILTER_NAMES_NOTHING.application : undefined)}
          placeholder="Client ID or number"
        />
        <FilterText id="ip" label="IP address" defaultValue={f.typed.ip ?? f.ip} error={f.errors.ip} />
        <SubmitButton variant="secondary">Filter</SubmitButton>
      </form>
      <Table label="Audit events" head={['Time', 'Event', 'Actor', 'Application', 'IP', 'Details']}>
        {page.rows.length === 0 ? <Empty cols={6}>{valid && !page.unknown ? 'No event matches.' : FILTER_REFUSED}</Empty> : null}
        {page.rows.map((e) => (
          <tr key={e.id} data-testid="audit-row">
            <td className={td}>
              <Time date={e.at} />
            </td>
            <td className={td}>
              <Badge tone={tone(e.type)}>{e.type}</Badge>
            </td>
            <td className={td}>{e.actorUsername ?? e.actorLabel ?? <span className="text-slate-500">—</span>}</td>
            <td className={td}>{e.applicationName ?? (e.applicationId ? `#${e.applicationId} (deleted)` : <span className="text-slate-500">—</span>)}</td>
            <td className={`${td} font-mono text-xs`}>{e.ip ?? ''}</td>
            <td className={`${td} max-w-xs break-all font-mono text-xs text-slate-600`}>{detailText(e.detail)}</td>
          </tr>
        ))}
      </Table>
      <Pager path="/admin/audit/" params={filters} next={page.next} isFirst={!f.after} />
    </div>
  );
}
