// The one-line result of the last action, from the ?notice= code it redirected with (codes only:
// a crafted link cannot put arbitrary text on an admin page).
import { Alert } from '@/app/_components/ui';
import { ownEntry } from '@/lib/fields';

const MESSAGES: Record<string, [kind: 'success' | 'error' | 'info', text: (n: number) => string]> = {
  first_admin: ['success', () => 'Your admin account is created and you are signed in. The setup page is now closed; add more staff under Users.'],
  activated: ['success', () => 'User activated; the applications they own work again.'],
  deactivated: ['success', () => 'User deactivated: their tokens are revoked, every session of theirs has ended and the applications they own are suspended.'],
  made_staff: ['success', () => 'User is now staff.'],
  staff_removed: ['success', () => 'User is no longer staff.'],
  self_deactivate: ['error', () => 'You cannot deactivate your own account.'],
  self_demote: ['error', () => 'You cannot remove your own staff status.'],
  revoked: ['success', (n) => (n === 0 ? 'Nothing to revoke: the selected rows were already revoked or used.' : `Revoked ${n} ${n === 1 ? 'row' : 'rows'}.`)],
  none_selected: ['error', () => 'Select at least one row to revoke.'],
  deleted: ['success', () => 'Application deleted, with all its tokens.'],
  confirm_delete: ['error', () => 'Tick the confirmation box to delete the application.'],
};

export function Notice({ code, n }: { code?: string | string[]; n?: string | string[] }) {
  const entry = ownEntry(MESSAGES, code);
  if (!entry) return null;
  const count = typeof n === 'string' && /^\d{1,6}$/.test(n) ? Number(n) : 0;
  return (
    <div className="mb-4">
      <Alert kind={entry[0]} testId="admin-notice">
        {entry[1](count)}
      </Alert>
    </div>
  );
}
