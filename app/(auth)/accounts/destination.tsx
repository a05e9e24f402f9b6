// Where the login and sign-up pages send the user afterwards (`next`), and what they say about it:
// the application a pending authorization request is for, an expired request, or a `next` that is
// not followed, and why. Nothing is dropped without a word.
import { Alert } from '@/app/_components/ui';
import { env } from '@/lib/env';
import { checkNext, describeNextRefusal, type NextRefusal } from '@/lib/http/safe-next';
import { pendingSignIn, type PendingSignIn } from '@/lib/oauth/pending-request';

export interface Destination {
  /** The checked, percent-encoded same-site path (lib/http/safe-next.ts). */
  next: string;
  refused: NextRefusal | null;
  pending: PendingSignIn;
}

/** Reads `next` (or next-auth's `callbackUrl`) from a page's search params. */
export async function destination(sp: Record<string, string | string[] | undefined>): Promise<Destination> {
  const raw = sp.next ?? sp.callbackUrl;
  const { path, refused } = checkNext(Array.isArray(raw) ? raw[0] : raw, env().ISSUER);
  return { next: path, refused, pending: await pendingSignIn(path) };
}

/** The lines above the form: "… to continue to <app>", or why the user will land elsewhere. */
export function DestinationNotice({ d, action }: { d: Destination; action: 'Sign in' | 'Create an account' }) {
  return (
    <>
      {d.pending?.kind === 'live' ? (
        <p className="mb-4 text-sm text-slate-700" data-testid="continue-to">
          {action} to continue to <strong data-testid="continue-to-app">{d.pending.appName}</strong>.
        </p>
      ) : null}
      {d.pending?.kind === 'expired' ? (
        <div className="mb-4">
          <Alert kind="info" testId="request-expired">
            The application’s sign-in request has expired (requests are kept for {env().limits.pendingRequestTtlSeconds / 60} minutes) or was completed already. You
            can still log in here; to continue to the application, go back to it and start again.
          </Alert>
        </div>
      ) : null}
      {d.refused ? (
        <div className="mb-4">
          <Alert kind="info" testId="next-refused">
            {describeNextRefusal(d.refused)}
          </Alert>
        </div>
      ) : null}
    </>
  );
}
