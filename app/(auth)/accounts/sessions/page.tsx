// /accounts/sessions/ — where the signed-in user is logged in, with "Sign out" for each session and
// for all the others at once (OWASP Session Management: the user can see and end their sessions).
import Link from 'next/link';
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { listMySessions, type SessionView } from '@/lib/auth/sessions';
import { Alert, Card, PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { formatUtc, Time } from '@/app/admin/_components/time';
import { logoutAction } from '../actions';
import { ownEntry } from '@/lib/fields';
import { endOtherSessionsAction, endSessionAction } from './actions';

export const metadata = { title: 'Sessions' };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Which session a row is, in words: "Firefox on Windows, 203.0.113.7, logged in 2026-11-30 03:50 UTC". */
const sessionLabel = (s: SessionView) => `${s.browser}, ${s.ip || 'unknown address'}, logged in ${formatUtc(s.createdAt)}`;

// Codes only: a crafted link cannot put arbitrary text on the page.
const NOTICES: Record<string, [kind: 'success' | 'info', text: (n: number) => string]> = {
  signed_out: ['success', () => 'Session signed out: that browser must log in again.'],
  not_live: ['info', () => 'That session had already ended. Nothing was changed.'],
  others_signed_out: ['success', (n) => (n === 0 ? 'There were no other sessions to sign out.' : `Signed out ${plural(n, 'other session')}. Only this browser is still signed in.`)],
};

export default async function SessionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  const user = await requireUser('/accounts/sessions/');
  const sp = await searchParams;
  const sessions = await listMySessions(user);
  const notice = ownEntry(NOTICES, sp.notice);
  const n = typeof sp.n === 'string' && /^\d{1,6}$/.test(sp.n) ? Number(sp.n) : 0;
  const others = sessions.filter((s) => !s.current).length;
  return (
    <div>
      <PageTitle sub="Everywhere you are logged in, this browser first. Signing a session out ends it at once: that browser must log in again.">Sessions</PageTitle>
      {notice ? (
        <div className="mb-4">
          <Alert kind={notice[0]} testId="sessions-notice">
            {notice[1](n)}
          </Alert>
        </div>
      ) : null}
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
                ) : (
                  <form action={endSessionAction}>
                    <input type="hidden" name="session_id" value={s.id} />
                    {/* Several rows have a "Sign out": its accessible name says which session it ends. */}
                    <SubmitButton variant="danger" pendingText="Signing out…" aria-label={`Sign out ${sessionLabel(s)}`}>
                      Sign out
                    </SubmitButton>
                  </form>
                )}
              </div>
            </Card>
          </li>
        ))}
      </ul>
      <div className="mt-6 flex flex-wrap items-center gap-4">
        {others > 0 ? (
          <form action={endOtherSessionsAction}>
            <SubmitButton variant="danger" pendingText="Signing out…">
              Sign out all other sessions
            </SubmitButton>
          </form>
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
