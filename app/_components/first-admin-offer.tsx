// On a fresh installation (no staff user yet), the pages a newcomer opens first (home, login, the
// staff area) offer the one-time setup page (lib/auth/first-admin.ts). Renders nothing otherwise.
import Link from 'next/link';
import { Alert } from './ui';
import { SETUP_PATH, setupNeeded } from '@/lib/auth/first-admin';

export async function FirstAdminOffer() {
  if (!(await setupNeeded())) return null;
  return (
    <div className="mb-4">
      <Alert kind="info" testId="first-admin-offer">
        <strong>No administrator yet.</strong> Create the first admin account on the{' '}
        <Link href={SETUP_PATH} className="font-medium underline">
          setup page
        </Link>
        , with the setup token the server printed in its console when it started.
      </Alert>
    </div>
  );
}
