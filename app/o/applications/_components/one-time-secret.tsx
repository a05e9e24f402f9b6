// The plain client secret, shown once: right after creation or regeneration, from the server
// action's returned state. Nothing stores it for a later render, so a reload shows it no more.
import { CopyButton } from './copy-button';

const readOnlyClass =
  'block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200';

/** The client id, read-only, with its copy button (after registering, public or confidential). */
export function ClientIdField({ clientId }: { clientId: string }) {
  return (
    <div>
      <label htmlFor="created-client-id" className="mb-1 block text-sm font-medium text-slate-700">
        Client id
      </label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <input id="created-client-id" readOnly value={clientId} className={readOnlyClass} spellCheck={false} />
        <CopyButton text={clientId} label="Copy client id" className="shrink-0" />
      </div>
    </div>
  );
}

/** The new secret (and the client id, after registering), with copy buttons and the one warning that matters. */
export function OneTimeSecret({ clientId, secret }: { clientId?: string; secret: string }) {
  return (
    <div className="space-y-4" data-testid="one-time-secret">
      {clientId ? <ClientIdField clientId={clientId} /> : null}
      <div>
        <label htmlFor="created-client-secret" className="mb-1 block text-sm font-medium text-slate-700">
          Client secret
        </label>
        <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
          <textarea
            id="created-client-secret"
            readOnly
            value={secret}
            rows={3}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="created-client-secret-hint"
            className={`${readOnlyClass} resize-none break-all`}
          />
          <CopyButton text={secret} label="Copy client secret" className="shrink-0" />
        </div>
        <p id="created-client-secret-hint" className="mt-2 text-sm font-medium text-amber-800">
          This is the only time the secret is shown. Copy it now.
        </p>
      </div>
    </div>
  );
}
