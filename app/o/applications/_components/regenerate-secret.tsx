'use client';
// "Regenerate secret" with a confirmation step. The new secret comes back in the action's state
// and is rendered once; nothing keeps it for a reload.
import { useActionState, useState } from 'react';
import { Alert, Button } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import type { RegenerateState } from '../_lib/state';
import { OneTimeSecret } from './one-time-secret';

export function RegenerateSecret({ action }: { action: (state: RegenerateState, form: FormData) => Promise<RegenerateState> }) {
  const [state, formAction] = useActionState(action, {} as RegenerateState);
  const [confirming, setConfirming] = useState(false);
  // Each answer (seq) closes the confirmation again.
  const [answered, setAnswered] = useState(state.seq);
  if (answered !== state.seq) {
    setAnswered(state.seq);
    setConfirming(false);
  }

  return (
    <div className="space-y-4">
      {state.secret ? (
        <div className="rounded-lg border border-amber-200 bg-amber-50 p-4">
          <p className="mb-3 text-sm font-semibold text-amber-900" data-testid="secret-regenerated">
            New client secret generated. The old one no longer works.
          </p>
          <OneTimeSecret secret={state.secret} hashed={state.secretHashed ?? true} />
        </div>
      ) : null}
      {state.message ? <Alert testId="regenerate-error">{state.message}</Alert> : null}

      {confirming ? (
        <form action={formAction} className="space-y-3 rounded-lg border border-red-200 bg-red-50 p-4">
          <p className="text-sm text-red-900" id="regenerate-warning">
            The current secret stops working at once: every client using it must be given the new one.
          </p>
          <div className="flex flex-wrap gap-3">
            <SubmitButton variant="danger" pendingText="Regenerating…" aria-describedby="regenerate-warning">
              Regenerate secret
            </SubmitButton>
            <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button type="button" variant="secondary" aria-expanded={false} onClick={() => setConfirming(true)}>
          Regenerate secret
        </Button>
      )}
    </div>
  );
}
