import Link from 'next/link';
import { Card, PageTitle } from '@/app/_components/ui';
import { staffActor } from './_lib/actor';
import { FlashNotice } from '@/app/_components/flash-notice';
import { parseUsagePeriod } from '@/lib/usage';
import { UsageOverview } from './_components/usage-overview';

export const metadata = { title: 'Admin' };

const CARDS: Array<[string, string, string]> = [
  ['/admin/users/', 'Users', 'Search accounts, activate or deactivate them (which revokes their tokens), and grant staff status.'],
  ['/admin/applications/', 'Applications', 'Every registered client, whoever owns it: edit, reset the secret, delete.'],
  ['/admin/resources/', 'Resources', 'The APIs tokens are issued for (RFC 8707), with their scopes, token format and lifetime.'],
  ['/admin/tokens/', 'Tokens and grants', 'Access tokens, refresh tokens and authorization codes, by application, user and state. Revoke the ones you select.'],
  ['/admin/audit/', 'Audit log', 'Logins, consents, token issuance, revocations, secret resets, refresh-token reuse and admin actions.'],
];

export default async function AdminHome({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await staffActor('/admin/');
  return (
    <div>
      <PageTitle sub={`Signed in as ${me.name} (staff).`}>Administration</PageTitle>
      <FlashNotice path="/admin/" userId={me.id} />
      <div className="grid gap-4 sm:grid-cols-2">
        {CARDS.map(([href, title, text]) => (
          <Card key={href}>
            <h2 className="text-lg font-semibold">
              <Link href={href} className="text-indigo-700 hover:underline">
                {title}
              </Link>
            </h2>
            <p className="mt-1 text-sm text-slate-600">{text}</p>
          </Card>
        ))}
      </div>
      <div className="mt-6">
        <UsageOverview actor={me} days={parseUsagePeriod((await searchParams).days)} />
      </div>
    </div>
  );
}
