// /o/device/ — the verification URI of the device flow (RFC 8628 §3.3). The signed-in user types
// the code their device shows, sees what the device asks for, and approves or denies it.
// A link with ?user_code= (verification_uri_complete) only pre-fills the field: the user still
// presses Continue, so a code sent by someone else is not bound without the user acting (§5.4).
import { connection } from 'next/server';
import { requireUser } from '@/lib/auth/session';
import { loadDeviceConsent } from '@/lib/oauth/device';
import { Alert, Card, PageTitle } from '@/app/_components/ui';
import { SubmitButton } from '@/app/_components/submit-button';
import { ScopeList } from '@/app/_components/scope-list';
import { UnverifiedClient } from '@/app/_components/unverified-client';
import { CodeForm } from './code-form';
import { decideDeviceAction } from './actions';
import { DEVICE_DENY_LABEL } from '@/lib/oauth/decision-labels';

export const metadata = { title: 'Connect a device', referrer: 'no-referrer' as const };

type SP = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v.slice(0, 64) : undefined);

export default async function DevicePage({ searchParams }: { searchParams: Promise<SP> }) {
  await connection();
  const sp = await searchParams;
  const userCode = one(sp.user_code);
  const user = await requireUser(userCode ? `/o/device/?user_code=${encodeURIComponent(userCode)}` : '/o/device/');

  const done = one(sp.done);
  if (done === 'approved' || done === 'denied') {
    return (
      <div className="mx-auto max-w-lg">
        <Card>
          <h1 className="text-xl font-semibold text-slate-900" data-testid="device-done">
            {done === 'approved' ? 'Device connected' : 'Request denied'}
          </h1>
          <p className="mt-2 text-slate-600">
            {done === 'approved'
              ? 'You can return to your device: it will continue in a few seconds.'
              : 'The device will not get access to your account.'}
          </p>
          {done === 'approved' ? (
            <p className="mt-4 text-sm text-slate-500">
              You can revoke this access at any time under <a className="text-indigo-700 underline" href="/o/authorized_tokens/">Authorized apps</a>.
            </p>
          ) : null}
        </Card>
      </div>
    );
  }

  if (one(sp.step) === 'consent' && userCode) {
    const consent = await loadDeviceConsent(user.id, userCode);
    if (consent) {
      return (
        <div className="mx-auto max-w-lg">
          <Card>
            <h1 className="text-xl font-semibold text-slate-900">
              Connect <span data-testid="app-name">{consent.appName}</span>?
            </h1>
            <p className="mt-1 text-sm text-slate-600">
              {consent.ownerUsername ? (
                <>
                  Registered by <strong data-testid="app-owner">{consent.ownerUsername}</strong>.{' '}
                </>
              ) : null}
              You are signed in as <strong>{user.name}</strong>. Code <code className="whitespace-nowrap font-mono">{consent.userCode}</code>.
            </p>
            {consent.unverified ? <UnverifiedClient hosts={consent.unverified} /> : null}
            <p className="mt-4 text-sm font-medium text-slate-800">The device asks to:</p>
            <ScopeList groups={consent.groups} />
            <p className="mt-4 text-sm text-slate-600">Only approve if you started this on a device you trust and it shows the same code.</p>
            <form action={decideDeviceAction} className="mt-6 flex flex-wrap gap-3">
              <input type="hidden" name="user_code" value={consent.userCode} />
              <SubmitButton name="decision" value="approve" pendingText="Approving…">
                Approve
              </SubmitButton>
              <SubmitButton name="decision" value="deny" variant="secondary" pendingText="Denying…">
                {DEVICE_DENY_LABEL}
              </SubmitButton>
            </form>
          </Card>
        </div>
      );
    }
    return (
      <DeviceEntry
        initialCode={userCode}
        notice="This code can no longer be used: it has expired, was already approved or denied, or was entered by another account. Start again on your device if needed."
      />
    );
  }

  return <DeviceEntry initialCode={userCode} />;
}

function DeviceEntry({ initialCode, notice }: { initialCode?: string; notice?: string }) {
  return (
    <div className="mx-auto max-w-lg">
      <PageTitle sub="Enter the code shown on your TV, console or command-line tool.">Connect a device</PageTitle>
      <Card>
        {notice ? (
          <div className="mb-4">
            <Alert testId="device-notice">{notice}</Alert>
          </div>
        ) : null}
        <CodeForm initialCode={initialCode} />
      </Card>
    </div>
  );
}
