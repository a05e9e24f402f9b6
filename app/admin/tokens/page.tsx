// /admin/tokens/ — access tokens, refresh tokens and authorization codes, filtered by application,
// user and state; revoke the selected ones. Token values are never shown: only hashes are stored.
import Form from 'next/form';
import { PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { Notice } from '@/app/_components/notice';
import { CONFIRM_PARAM, isConfirming } from '@/lib/http/confirm-step';
import type { TokenKind } from '@/lib/admin/schema';
import { listTokens } from '@/lib/admin/service';
import { grantTypeLabel } from '@/lib/apps/schema';
import { filtersValid, listHref, parseTokenFilters, revokeTokensForm, TOKEN_KINDS, TOKEN_KIND_LABELS, TOKEN_STATES, type SearchParams } from '@/lib/admin/schema';
import { orNotFound, staffActor } from '../_lib/actor';
import { Badge, Empty, Table, td } from '../_components/table';
import { FILTER_NAMES_NOTHING, FILTER_REFUSED, FilterSelect, FilterText } from '../_components/filter-field';
import { Pager } from '../_components/pager';
import { Time } from '../_components/time';
import { revokeTokensAction } from '../actions';

export const metadata = { title: 'Tokens and grants' };

const STATE_TONE = { active: 'green', expired: 'slate', revoked: 'red', used: 'amber' } as const;
const STATE_LABEL = { active: 'Active', expired: 'Expired', revoked: 'Revoked', used: 'Used' } as const;

/** What revoking `n` rows of `kind` is called, on the button that does it. */
function revokeWords(kind: TokenKind, n: number): string {
  const many = n === 1 ? '' : 's';
  return kind === 'code' ? `Void ${n} selected code${many}` : `Revoke ${n} selected ${kind} token${many}`;
}

export default async function AdminTokens({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const f = parseTokenFilters(sp);
  const filters = { kind: f.kind, app: f.app, user: f.user, state: f.state };
  const actor = await staffActor(listHref('/admin/tokens/', { ...filters, after: f.after }));
  const valid = filtersValid(f);
  const page = valid ? await orNotFound(listTokens(actor, f)) : { rows: [], next: null };
  const back = new URLSearchParams(Object.entries({ ...filters, after: f.after }).filter((e): e is [string, string] => !!e[1])).toString();
  const isCode = f.kind === 'code';
  const list = listHref('/admin/tokens/', { ...filters, after: f.after });
  // Revoking is two steps (the one confirmation pattern): the selection opens its confirmation here.
  const confirming = isConfirming(sp, 'revoke');
  const selected = confirming ? revokeTokensForm.safeParse({ kind: f.kind, ids: ([] as string[]).concat(sp.ids ?? []) }) : null;
  const chosen = new Set(selected?.success ? selected.data.ids : []);
  return (
    <div>
      <PageTitle sub="Token values are never shown: only their SHA-256 is stored. Revoking a refresh token also revokes the access tokens issued with it.">
        Tokens and grants
      </PageTitle>
      <FlashNotice path="/admin/tokens/" userId={actor.id} />
      {selected?.success ? (
        <div className="mb-4">
          <ConfirmPanel
            id="revoke"
            title={`${revokeWords(f.kind, chosen.size)}?`}
            action={revokeTokensAction}
            hidden={{ kind: f.kind, ids: [...chosen].map(String), back }}
            confirm={revokeWords(f.kind, chosen.size)}
            pendingText="Revoking…"
            cancelHref={list}
          >
            <p>
              {isCode ? 'Voided codes can no longer be exchanged for tokens.' : 'Revoked tokens stop working at once; a revoked refresh token also revokes the access tokens issued with it.'}{' '}
              Rows: {[...chosen].map((id) => `#${id}`).join(', ')}. This cannot be undone.
            </p>
          </ConfirmPanel>
        </div>
      ) : selected ? (
        <Notice kind="error">Select at least one row to revoke.</Notice>
      ) : null}
      <form method="get" action="/admin/tokens/" className="mb-4 grid items-end gap-3 sm:grid-cols-[repeat(4,minmax(0,1fr))_auto]" role="search">
        <FilterSelect id="kind" label="Kind" defaultValue={f.kind} options={TOKEN_KINDS.map((k) => [k, TOKEN_KIND_LABELS[k]])} />
        <FilterText
          id="app"
          label="Application"
          defaultValue={f.typed.app ?? f.app}
          error={f.errors.app ?? (page.unknown === 'application' ? FILTER_NAMES_NOTHING.application : undefined)}
          placeholder="Client ID or number"
        />
        <FilterText
          id="user"
          label="User"
          defaultValue={f.typed.user ?? f.user}
          error={f.errors.user ?? (page.unknown === 'user' ? FILTER_NAMES_NOTHING.user : undefined)}
          placeholder="Username"
        />
        <FilterSelect id="state" label="State" defaultValue={f.state ?? ''} options={[['', 'Any'], ...TOKEN_STATES.map((s): [string, string] => [s, STATE_LABEL[s]])]} />
        <SubmitButton variant="secondary">Filter</SubmitButton>
      </form>
      <Form action="/admin/tokens/" prefetch={false} scroll={false}>
        <input type="hidden" name={CONFIRM_PARAM} value="revoke" />
        {Object.entries({ ...filters, after: f.after }).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
        <Table label={TOKEN_KIND_LABELS[f.kind]} head={['Select', 'Application', 'User', 'Scope', isCode ? 'Flow' : 'Grant type', 'Created', 'Expires', 'State']}>
          {page.rows.length === 0 ? <Empty cols={8}>{valid && !page.unknown ? 'Nothing matches these filters.' : FILTER_REFUSED}</Empty> : null}
          {page.rows.map((t) => (
            <tr key={t.id} data-testid="token-row">
              <td className={td}>
                <label className="flex items-center gap-2 whitespace-nowrap font-mono text-xs text-slate-600">
                  <input
                    type="checkbox"
                    name="ids"
                    value={t.id}
                    defaultChecked={chosen.has(t.id)}
                    className="size-4 rounded border-slate-300"
                    disabled={t.state !== 'active'}
                  />
                  #{t.id}
                </label>
              </td>
              <td className={td}>{t.applicationName}</td>
              <td className={td}>{t.username ?? <span className="text-slate-500">(the application itself)</span>}</td>
              <td className={`${td} font-mono text-xs`}>{t.scope}</td>
              <td className={`${td} text-xs`}>{t.grantType ? grantTypeLabel(t.grantType) : <span className="text-slate-500">—</span>}</td>
              <td className={td}>
                <Time date={t.createdAt} />
              </td>
              <td className={td}>
                <Time date={t.expiresAt} empty="never" />
              </td>
              <td className={td}>
                <Badge tone={STATE_TONE[t.state]}>{STATE_LABEL[t.state]}</Badge>
              </td>
            </tr>
          ))}
        </Table>
        {page.rows.some((t) => t.state === 'active') ? (
          <div className="mt-4">
            <SubmitButton variant="danger">{isCode ? 'Void selected codes' : 'Revoke selected'}</SubmitButton>
          </div>
        ) : null}
      </Form>
      <Pager path="/admin/tokens/" params={filters} next={page.next} isFirst={!f.after} />
    </div>
  );
}
