// /o/authorized_tokens/ — every application the signed-in user has authorized, with Revoke.
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { listMyAuthorizedApps } from '@/lib/admin/authorized';
import { describeScope } from '@/lib/oauth/scope';
import { Alert, Card, PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { Time as LocalTime } from '@/app/admin/_components/time';
import { revokeAuthorizedAppAction } from './actions';

export const metadata = { title: 'Authorized applications' };

export default async function AuthorizedTokensPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const user = await requireUser('/o/authorized_tokens/');
  const sp = await searchParams;
  const apps = await listMyAuthorizedApps(user);
  return (
    <div>
      <PageTitle sub="Applications that can act on your account. Revoking one signs it out: its access and refresh tokens stop working at once.">
        Authorized applications
      </PageTitle>
      {typeof sp.revoked === 'string' ? (
        <div className="mb-4">
          <Alert kind="success" testId="revoked-notice">
            Access revoked. The application can no longer use your account until you authorize it again.
          </Alert>
        </div>
      ) : null}
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
                  <form action={revokeAuthorizedAppAction}>
                    <input type="hidden" name="application_id" value={a.applicationId} />
                    <SubmitButton variant="danger" pendingText="Revoking…" aria-label={`Revoke ${a.name}`}>
                      Revoke
                    </SubmitButton>
                  </form>
                </div>
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
