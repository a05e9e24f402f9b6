// /admin/users/ — search, activate/deactivate (which revokes tokens), make staff.
import { PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { isConfirming } from '@/lib/http/confirm-step';
import Link from 'next/link';
import { listUsers, type OwnedApp } from '@/lib/admin/service';
import { filtersValid, listHref, parseUserFilters, type SearchParams } from '@/lib/admin/schema';
import { orNotFound, staffActor } from '../_lib/actor';
import { Badge, Empty, Table, td } from '../_components/table';
import { FILTER_REFUSED, FilterText } from '../_components/filter-field';
import { Pager } from '../_components/pager';
import { Time } from '../_components/time';
import { setUserActiveAction, setUserStaffAction } from '../actions';

export const metadata = { title: 'Users' };

const SHOWN_APPS = 5;

/** The applications a user owns, each marked suspended while the user is inactive. */
function OwnedApps({ apps, owner }: { apps: OwnedApp[]; owner: string }) {
  if (apps.length === 0) return <span className="text-slate-500">none</span>;
  return (
    <ul className="space-y-1">
      {apps.slice(0, SHOWN_APPS).map((a) => (
        <li key={a.id} className="flex flex-wrap items-center gap-1">
          <Link href={`/admin/applications/${a.id}/`} className="text-indigo-700 hover:underline">
            {a.name}
          </Link>
          {a.suspended ? <Badge tone="red">Suspended</Badge> : null}
        </li>
      ))}
      {apps.length > SHOWN_APPS ? (
        <li>
          <Link href={listHref('/admin/applications/', { q: owner })} className="text-xs text-indigo-700 hover:underline">
            and {apps.length - SHOWN_APPS} more
          </Link>
        </li>
      ) : null}
    </ul>
  );
}

export default async function AdminUsers({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const f = parseUserFilters(sp);
  const actor = await staffActor(listHref('/admin/users/', { q: f.q, after: f.after }));
  const valid = filtersValid(f);
  const page = valid ? await orNotFound(listUsers(actor, f)) : { rows: [], next: null };
  const back = new URLSearchParams(Object.entries({ q: f.q, after: f.after }).filter((e): e is [string, string] => !!e[1])).toString();
  // The confirmation of a deactivation names a user of this page (a stale or crafted id opens nothing).
  const deactivating = isConfirming(sp, 'deactivate') ? page.rows.find((u) => u.id === sp.user && u.isActive && u.id !== actor.id) : undefined;
  return (
    <div>
      <PageTitle sub="Deactivating a user ends their sessions, revokes every token they hold and suspends the applications they own.">Users</PageTitle>
      <FlashNotice path="/admin/users/" userId={actor.id} />
      {deactivating ? (
        <div className="mb-4">
          <ConfirmPanel
            id="deactivate"
            title={`Deactivate ${deactivating.username}?`}
            action={setUserActiveAction}
            hidden={{ user_id: deactivating.id, value: 'false', back }}
            confirm={`Deactivate ${deactivating.username}`}
            pendingText="Deactivating…"
            cancelHref={listHref('/admin/users/', { q: f.q, after: f.after })}
          >
            <p>
              Every session of theirs ends at once, every token they hold is revoked, and the applications they own are suspended until they are
              activated again (their sessions and tokens stay ended).
            </p>
          </ConfirmPanel>
        </div>
      ) : null}
      <form method="get" action="/admin/users/" className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <div className="w-72">
          <FilterText id="q" label="Search users" defaultValue={f.typed.q ?? f.q} error={f.errors.q} placeholder="Username or email" />
        </div>
        <SubmitButton variant="secondary">Search</SubmitButton>
      </form>
      <Table label="Users" head={['Username', 'Email', 'Joined', 'Last login', 'Status', 'Applications', 'Actions']}>
        {page.rows.length === 0 ? <Empty cols={7}>{valid ? 'No user matches.' : FILTER_REFUSED}</Empty> : null}
        {page.rows.map((u) => (
          <tr key={u.id} data-testid="user-row">
            <td className={`${td} font-medium`}>
              {u.username}
              {u.id === actor.id ? <span className="ml-1 text-xs text-slate-500">(you)</span> : null}
            </td>
            <td className={td}>{u.email}</td>
            <td className={td}>
              <Time date={u.createdAt} />
            </td>
            <td className={td}>
              <Time date={u.lastLoginAt} empty="never" />
            </td>
            <td className={`${td} space-x-1`}>
              {u.isActive ? <Badge tone="green">Active</Badge> : <Badge tone="red">Inactive</Badge>}
              {u.isStaff ? <Badge tone="indigo">Staff</Badge> : null}
            </td>
            <td className={td} data-testid="user-apps">
              <OwnedApps apps={u.applications} owner={u.username} />
            </td>
            <td className={td}>
              <div className="flex flex-wrap gap-2">
                {/* Every row has these buttons: their accessible names say which user they act on. */}
                {deactivating?.id === u.id ? null : u.isActive ? (
                  // Deactivating is destructive (sessions and tokens end for good): it opens its confirmation.
                  <ConfirmOpen
                    path="/admin/users/"
                    what="deactivate"
                    params={{ user: u.id, q: f.q, after: f.after }}
                    variant="danger"
                    label={`Deactivate ${u.username}`}
                    {...(u.id === actor.id ? { disabled: true, title: 'You cannot deactivate yourself' } : {})}
                  >
                    Deactivate
                  </ConfirmOpen>
                ) : (
                  <form action={setUserActiveAction}>
                    <input type="hidden" name="user_id" value={u.id} />
                    <input type="hidden" name="value" value="true" />
                    <input type="hidden" name="back" value={back} />
                    <SubmitButton variant="secondary" aria-label={`Activate ${u.username}`} pendingText="Activating…">
                      Activate
                    </SubmitButton>
                  </form>
                )}
                <form action={setUserStaffAction}>
                  <input type="hidden" name="user_id" value={u.id} />
                  <input type="hidden" name="value" value={u.isStaff ? 'false' : 'true'} />
                  <input type="hidden" name="back" value={back} />
                  <SubmitButton
                    variant="secondary"
                    aria-label={`${u.isStaff ? 'Remove staff' : 'Make staff'}: ${u.username}`}
                    pendingText="Saving…"
                    {...(u.id === actor.id && u.isStaff ? { disabled: true, title: 'You cannot remove your own staff status' } : {})}>
                    {u.isStaff ? 'Remove staff' : 'Make staff'}
                  </SubmitButton>
                </form>
              </div>
            </td>
          </tr>
        ))}
      </Table>
      <Pager path="/admin/users/" params={{ q: f.q }} next={page.next} isFirst={!f.after} />
    </div>
  );
}
