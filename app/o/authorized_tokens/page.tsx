// /o/authorized_tokens/ — every application the signed-in user has authorized, with Revoke (which
// opens its confirmation, naming the application, in the application's card).
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { listMyAuthorizedApps } from '@/lib/admin/authorized';
import { describeScope } from '@/lib/oauth/scope';
import { Card, PageTitle } from '@/app/_components/ui';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { isConfirming } from '@/lib/http/confirm-step';
import { Time as LocalTime } from '@/app/admin/_components/time';
import { revokeAuthorizedAppAction } from './actions';

export const metadata = { title: 'Authorized applications' };

const PAGE = '/o/authorized_tokens/';

export default async function AuthorizedTokensPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const user = await requireUser(PAGE);
  const sp = await searchParams;
  const apps = await listMyAuthorizedApps(user);
  const revoking = isConfirming(sp, 'revoke') ? apps.find((a) => String(a.applicationId) === sp.app) : undefined;
  return (
    <div>
      <PageTitle sub="Applications that can act on your account. Revoking one signs it out: its access and refresh tokens stop working at once.">
        Authorized applications
      </PageTitle>
      <FlashNotice path={PAGE} userId={user.id} />
      {apps.length === 0 ? (
        <Card>
          <p className="text-slate-600" data-testid="no-authorized-apps">
            You have not authorized any application.
          </p>
        </Card>
      ) : (
        <ul className="space-y-4" aria-label="Authorized applications">
          {apps.map((a) => (
            <li key={a.applicationId} data-testid="authorized-app" data-app-id={a.applicationId}>
              <Card>
                <div className="flex flex-wrap items-start justify-between gap-4">
                  <div className="min-w-0">
                    <h2 className="text-lg font-semibold text-slate-900" data-testid="authorized-app-name">
                      {a.name}
                    </h2>
                    {a.ownerUsername ? <p className="text-sm text-slate-500">Registered by {a.ownerUsername}</p> : null}
                  </div>
                  {revoking === a ? null : (
                    <ConfirmOpen path={PAGE} what="revoke" params={{ app: String(a.applicationId) }} variant="danger" label={`Revoke ${a.name}`}>
                      Revoke
                    </ConfirmOpen>
                  )}
                </div>
                {revoking === a ? (
                  <div className="mt-4">
                    <ConfirmPanel
                      id="revoke"
                      title={`Revoke access for ${a.name}?`}
                      action={revokeAuthorizedAppAction}
                      hidden={{ application_id: String(a.applicationId) }}
                      confirm={`Revoke access for ${a.name}`}
                      pendingText="Revoking…"
                      cancelHref={PAGE}
                    >
                      <p>Its access and refresh tokens stop working at once. To use your account again it must ask you, and you must authorize it again.</p>
                    </ConfirmPanel>
                  </div>
                ) : null}
                <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[9rem_1fr]">
                  <dt className="text-slate-500">Permissions</dt>
                  <dd>
                    {a.scopes.length ? (
                      <ul className="flex flex-wrap gap-2">
                        {a.scopes.map((s) => (
                          <li key={s} title={describeScope(s)} className="rounded bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700">
                            {s}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="text-slate-500">none</span>
                    )}
                  </dd>
                  <dt className="text-slate-500">Granted</dt>
                  <dd data-testid="granted-at">
                    <LocalTime date={a.grantedAt} />
                  </dd>
                  <dt className="text-slate-500">Last used</dt>
                  <dd data-testid="last-used-at">
                    <LocalTime date={a.lastUsedAt} empty="Not used yet" />
                  </dd>
                  <dt className="text-slate-500">Expires</dt>
                  <dd data-testid="expires-at">
                    {a.neverExpires ? 'Never (until revoked)' : a.expiresAt ? <LocalTime date={a.expiresAt} /> : 'No active token'}
                  </dd>
                </dl>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
