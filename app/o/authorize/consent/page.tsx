// The consent page of a pending authorization request (/o/authorize/consent/?pending=<id>). The
// authorization endpoint validated the request, stored it and bound it to this session before
// sending the browser here; the page only reads it (consentPage: one statement) and shows the form.
// Anything else (an expired or spent request, another or no session, an application changed
// meanwhile) goes back to the endpoint's continuation URL (pendingPath), which answers it under
// either door with the right status: the error page, the login, or this page again.
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { consentPage } from '@/lib/oauth/endpoints/authorize';
import { pendingPath } from '@/lib/oauth/pending-request';
import { currentUser } from '@/lib/auth/session';
import { Card } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { ScopeChoice } from './scope-choice';
import { decideAction } from './actions';
import { isSelfRegistered, selfRegisteredHost } from '@/lib/oauth/client-metadata';
import { CONSENT_DENY_LABEL } from '@/lib/oauth/decision-labels';
import { UnverifiedClient } from '@/app/_components/unverified-client';

export const metadata = { title: 'Authorize', referrer: 'no-referrer' as const };

export default async function ConsentPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { pending } = await searchParams;
  const pendingId = typeof pending === 'string' ? pending : '';
  const user = await currentUser();
  const page = await consentPage(pendingId, user);
  if (!page || !user) redirect(pendingPath(pendingId));
  const { app, owner, groups } = page;
  // Self-registered clients (a metadata document, RFC 7591) were vetted by nobody: say where the code goes.
  const hosts = selfRegisteredHost(app, page.redirectUri);
  return (
    <div className="mx-auto max-w-lg">
      <Card>
        <h1 className="text-xl font-semibold text-slate-900">
          Authorize <span data-testid="app-name">{app.name}</span>?
        </h1>
        <p className="mt-1 text-sm text-slate-600">
          {owner ? (
            <>
              Registered by <strong>{owner}</strong>.{' '}
            </>
          ) : null}
          You are signed in as <strong>{user.name}</strong>.
        </p>
        {hosts ? <UnverifiedClient hosts={hosts} /> : null}
        <form action={decideAction} className="mt-4">
          <p className="text-sm font-medium text-slate-800">The application asks to (uncheck what you do not want to allow):</p>
          <ScopeChoice groups={groups} />
          <input type="hidden" name="pending" value={page.pendingId} />
          <div className="mt-6 flex flex-wrap gap-3">
            <SubmitButton name="decision" value="allow" pendingText="Authorizing…">
              Authorize
            </SubmitButton>
            <SubmitButton name="decision" value="deny" variant="secondary" pendingText="Cancelling…">
              {CONSENT_DENY_LABEL}
            </SubmitButton>
          </div>
        </form>
        <p className="mt-4 text-sm text-slate-600" data-testid="consent-remembered">
          {isSelfRegistered(app)
            ? `If you authorize, ${app.name} gets this access; it will ask you again next time.`
            : `If you authorize, your choice is remembered: ${app.name} will not ask you again for the permissions you allow.`}{' '}
          You can revoke this access at any time under{' '}
          <Link className="font-medium text-indigo-700 underline hover:text-indigo-800" href="/o/authorized_tokens/">
            Authorized apps
          </Link>
          .
        </p>
      </Card>
    </div>
  );
}
