// The one notice pattern: what the last action did, in one line above the page's content.
// role="status" (aria-live polite) for outcomes, role="alert" for refusals (Alert, ./ui.tsx).
// After a redirect the words come from the flash cookie the action left (./flash-notice.tsx);
// an action that stays on its page (a regenerated secret) shows a Notice directly.
import type { ReactNode } from 'react';
import { Alert, type AlertKind } from './ui';

/** One notice (data-testid="notice"). */
export function Notice({ kind = 'success', children }: { kind?: AlertKind; children: ReactNode }) {
  return (
    <div className="mb-4">
      <Alert kind={kind} testId="notice">
        {children}
      </Alert>
    </div>
  );
}
