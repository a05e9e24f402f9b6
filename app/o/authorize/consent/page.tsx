// The consent page of a pending request (/o/authorize/?pending=<id>). In production the node:http
// door answers every other outcome of GET /o/authorize/ itself and hands only "consent needed" to
// this page; a client-router fetch (RSC) of any authorize URL lands here too, so every outcome is handled.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { authorize } from '@/lib/oauth/endpoints/authorize';
import { currentUser } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { clientIp } from '@/lib/http/client-ip';
import { Card } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { ScopeList } from '@/app/_components/scope-list';
import { decideAction } from './actions';

export const metadata = { title: 'Authorize', referrer: 'no-referrer' as const };

export default async function AuthorizePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const h = await headers();
  const user = await currentUser();
  // Rebuild the query string, duplicates included (the endpoint rejects them).
  const url = new URL('/o/authorize/', env().ISSUER);
  for (const [k, v] of Object.entries(sp)) for (const one of Array.isArray(v) ? v : [v ?? '']) url.searchParams.append(k, one);
  const outcome = await authorize({
    url,
    session: user ? { userId: user.id, authTime: user.authTime, sidHash: user.sidHash } : null,
    ip: clientIp(h),
  });
  if (outcome.kind === 'redirect') redirect(outcome.location);
  if (outcome.kind === 'error_page') {
    return (
      <div className="mx-auto max-w-xl">
        <Card>
          <h1 className="mb-3 text-xl font-semibold text-red-700">{outcome.title}</h1>
          <p data-testid="error-message" className="text-slate-700">
            {outcome.message}
          </p>
          {outcome.hint ? (
            <p className="mt-3 rounded-md bg-slate-100 px-4 py-3 text-sm text-slate-700">
              <strong>How to fix it:</strong> {outcome.hint}
            </p>
          ) : null}
        </Card>
      </div>
    );
  }
  const { app, owner, scopes, pendingId } = outcome;
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
          You are signed in as <strong>{outcome.user.username}</strong>.
        </p>
        <p className="mt-4 text-sm font-medium text-slate-800">The application asks to:</p>
        <ScopeList scopes={scopes} />
        <form action={decideAction} className="mt-6 flex flex-wrap gap-3">
          <input type="hidden" name="pending" value={pendingId} />
          <SubmitButton name="decision" value="allow" pendingText="Authorizing…">
            Authorize
          </SubmitButton>
          <SubmitButton name="decision" value="deny" variant="secondary" pendingText="Cancelling…">
            Cancel
          </SubmitButton>
        </form>
        <p className="mt-4 text-xs text-slate-500">You can revoke this access at any time under Authorized apps.</p>
      </Card>
    </div>
  );
}
