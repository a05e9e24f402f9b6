// What the form turns into once the server saved the application: the outcome, the client id and
// the one-time secret (if one was generated), and where to go next. The secret exists only in this
// answer's state (one-time-secret.tsx), so a reload shows the form again, never the secret.
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert } from '@/app/_components/ui';
import { ClientIdField, OneTimeSecret } from './one-time-secret';
import type { SavedState } from './use-application-form';

const secondaryLink = 'inline-flex rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50';

/**
 * @param saved the action's saved application
 * @param children the outcome, in the success alert
 * @param registerAnother offer "Register another" (after registering)
 */
export function SavedApplication({ saved, children, registerAnother = false }: { saved: SavedState; children: ReactNode; registerAnother?: boolean }) {
  return (
    <div className="space-y-6" data-testid="application-saved">
      <Alert kind="success" testId="saved-message">
        {children}
      </Alert>
      {saved.clientSecret ? (
        <OneTimeSecret clientId={saved.clientId} secret={saved.clientSecret} />
      ) : (
        <div className="space-y-2">
          <ClientIdField clientId={saved.clientId} />
          <p className="text-sm text-slate-700">No client secret: a public client proves itself with PKCE.</p>
        </div>
      )}
      <div className="flex flex-wrap gap-3">
        <Link
          href={`/o/applications/${saved.id}/`}
          className="inline-flex rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
        >
          Open application
        </Link>
        <Link href="/o/applications/" className={secondaryLink}>
          All applications
        </Link>
        {registerAnother ? (
          // A full page load: a fresh form with a fresh client id.
          <a href="/o/applications/register/" className={secondaryLink}>
            Register another
          </a>
        ) : null}
      </div>
    </div>
  );
}
