'use client';
// The client secret's cell: what is stored (`status`), and "Regenerate secret" through the one
// confirmation pattern (app/_components/confirm.tsx: `?confirm=regenerate` opens it). The new secret
// comes back in the action's state and is shown once, in place of the status (which would say it
// "cannot be shown"); nothing keeps it for a reload.
import Link from 'next/link';
import { useActionState, type ReactNode } from 'react';
import { buttonClass } from '@/app/_components/ui';
import { ConfirmOpen, ConfirmPanel } from '@/app/_components/confirm';
import { Notice } from '@/app/_components/notice';
import type { RegenerateState } from '../_lib/state';
import { OneTimeSecret } from './one-time-secret';

/**
 * @param action the regenerate (or staff's reset) server action, its id bound
 * @param status what is stored now, in words (hidden while a new secret is shown)
 * @param open whether the confirmation is open (the page's `?confirm=regenerate`)
 * @param path the page's path (the confirmation opens on it; Cancel and Done go back to it)
 */
export function RegenerateSecret({
  action,
  appName,
  status,
  open,
  path,
}: {
  action: (state: RegenerateState, form: FormData) => Promise<RegenerateState>;
  appName: string;
  status: ReactNode;
  open: boolean;
  path: string;
}) {
  const [state, formAction] = useActionState(action, {} as RegenerateState);

  if (state.secret) {
    return (
      <div className="space-y-4 rounded-lg border border-amber-200 bg-amber-50 p-4">
        <Notice>Secret regenerated. The old one no longer works: give the new one to every client that uses it.</Notice>
        <OneTimeSecret secret={state.secret} />
        <Link href={path} scroll={false} className={buttonClass('secondary')}>
          Done
        </Link>
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {status}
      {open ? (
        <ConfirmPanel
          id="regenerate"
          level="h3"
          title={`Regenerate the secret of ${appName}?`}
          action={formAction}
          confirm={`Regenerate the secret of ${appName}`}
          pendingText="Regenerating…"
          cancelHref={path}
          error={state.message}
        >
          <p>The current secret stops working at once: every client using it must be given the new one.</p>
        </ConfirmPanel>
      ) : (
        <ConfirmOpen path={path} what="regenerate">
          Regenerate secret
        </ConfirmOpen>
      )}
    </div>
  );
}
