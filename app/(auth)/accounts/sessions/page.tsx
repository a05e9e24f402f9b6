// /accounts/sessions/ — where the signed-in user is logged in, with "Sign out" for each session and
// for all the others at once (OWASP Session Management: the user can see and end their sessions).
import Link from 'next/link';
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { listMySessions, type SessionView } from '@/lib/auth/sessions';
import { Card, PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { FlashNotice } from '@/app/_components/flash-notice';
import { formatUtc, Time } from '@/app/admin/_components/time';
import { isConfirming } from '@/lib/http/confirm-step';
import { logoutAction } from '../actions';
import { endOtherSessionsAction, endSessionAction } from './actions';

export const metadata = { title: 'Sessions' };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Which session a row is, in words: "Firefox on Windows, 203.0.113.7, logged in 2026-11-30 03:50 UTC". */
const sessionLabel = (s: SessionView) => `${s.browser}, ${s.ip || 'unknown address'}, logged in ${formatUtc(s.createdAt)}`;

const PAGE = '/accounts/sessions/';

export default async function SessionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const user = await requireUser('/accounts/sessions/');
  const sp = await searchParams;
  const sessions = await listMySessions(user);
  const others = sessions.filter((s) => !s.current).length;
  // Each sign-out opens its confirmation here first (the one confirmation pattern).
  const ending = isConfirming(sp, 'sign-out') ? sessions.find((s) => !s.current && String(s.id) === sp.session) : undefined;
  return (
    <div>
      <PageTitle sub="Everywhere you are logged in, this browser first. Signing a session out ends it at once: that browser must log in again.">Sessions</PageTitle>
      <FlashNotice path={PAGE} userId={user.id} />
      <ul className="space-y-3" aria-label="Sessions">
        {sessions.map((s) => (
          <li key={s.id} data-testid="session" data-current={s.current ? 'true' : 'false'} aria-current={s.current ? 'true' : undefined}>
            <Card className={s.current ? 'ring-2 ring-emerald-300' : ''}>
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div className="min-w-0">
                  <h2 className="flex flex-wrap items-center gap-2 font-semibold text-slate-900">
                    {s.browser}
                    {s.current ? (
                      <span className="whitespace-nowrap rounded bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800" data-testid="this-browser">
                        This browser
                      </span>
                    ) : null}
                  </h2>
                  <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[7rem_1fr]">
                    <dt className="text-slate-500">IP address</dt>
                    {/* An IPv6 address is one long word: let it break rather than widen the page. */}
                    <dd className="break-all font-mono">{s.ip || '—'}</dd>
                    <dt className="text-slate-500">Logged in</dt>
                    <dd>
                      <Time date={s.createdAt} />
                    </dd>
                    <dt className="text-slate-500">Last seen</dt>
                    <dd>
                      <Time date={s.lastSeenAt} />
                    </dd>
                  </dl>
                </div>
                {s.current ? (
                  <form action={logoutAction}>
                    <SubmitButton variant="secondary" pendingText="Logging out…">
                      Log out of this browser
                    </SubmitButton>
                  </form>
                ) : ending?.id === s.id ? null : (
                  // Several rows have a "Sign out": its accessible name says which session it ends.
                  <ConfirmOpen path={PAGE} what="sign-out" params={{ session: String(s.id) }} variant="danger" label={`Sign out ${sessionLabel(s)}`}>
                    Sign out
                  </ConfirmOpen>
                )}
              </div>
              {ending?.id === s.id ? (
                <div className="mt-4">
                  <ConfirmPanel
                    id="sign-out"
                    title={`Sign out ${s.browser}?`}
                    action={endSessionAction}
                    hidden={{ session_id: String(s.id) }}
                    confirm={`Sign out ${s.browser}`}
                    pendingText="Signing out…"
                    cancelHref={PAGE}
                  >
                    <p>{sessionLabel(s)}. That browser must log in again.</p>
                  </ConfirmPanel>
                </div>
              ) : null}
            </Card>
          </li>
        ))}
      </ul>
      {others > 0 && isConfirming(sp, 'sign-out-others') ? (
        <div className="mt-6">
          <ConfirmPanel
            id="sign-out-others"
            title={`Sign out ${plural(others, 'other session')}?`}
            action={endOtherSessionsAction}
            confirm={`Sign out ${plural(others, 'other session')}`}
            pendingText="Signing out…"
            cancelHref={PAGE}
          >
            <p>Every browser but this one must log in again.</p>
          </ConfirmPanel>
        </div>
      ) : null}
      <div className="mt-6 flex flex-wrap items-center gap-4">
        {others > 0 && !isConfirming(sp, 'sign-out-others') ? (
          <ConfirmOpen path={PAGE} what="sign-out-others" variant="danger">
            Sign out all other sessions
          </ConfirmOpen>
        ) : null}
        <p className="text-sm text-slate-500">
          <Link className="font-medium text-indigo-700 hover:underline" href="/accounts/password/">
            Change your password
          </Link>{' '}
          (this also signs out every other session)
        </p>
      </div>
    </div>
  );
}
