import Link from 'next/link';
import { connection } from 'next/server';
import { currentUser } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { Card } from './_components/ui';
import { FirstAdminOffer } from './_components/first-admin-offer';
import { urlFor } from '@/lib/oauth/paths';

export default async function Home() {
  await connection();
  const user = await currentUser();
  const issuer = env().ISSUER;
  return (
    <div className="space-y-8">
      <FirstAdminOffer />
      <div>
        <h1 className="text-3xl font-bold tracking-tight">An OAuth 2.0 and OpenID Connect authorization server</h1>
        <p className="mt-3 max-w-2xl text-lg text-slate-600">
          It issues access tokens to the client applications you register, for your APIs: authorization code with PKCE,
          refresh with rotation, client credentials, device flow, revocation, introspection and OpenID Connect.
        </p>
      </div>
      {user ? (
        <Card title={`Welcome, ${user.name}`}>
          <p className="mb-4 text-slate-600">Next step: register the client application that will ask your users for access.</p>
          <Link href="/o/applications/register/" className="inline-flex rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
            Register an application
          </Link>
          <Link href="/o/applications/" className="ml-3 inline-flex rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
            Your applications
          </Link>
        </Card>
      ) : (
        <Card title="Get started">
          <p className="mb-4 text-slate-600">Log in or create an account to register client applications.</p>
          <div className="flex gap-3">
            <Link href="/accounts/login/" className="inline-flex rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
              Log in
            </Link>
            <Link href="/accounts/signup/" className="inline-flex rounded-md px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50">
              Sign up
            </Link>
          </div>
        </Card>
      )}
      <Card title="Endpoints">
        <dl className="grid gap-2 font-mono text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="text-slate-500">Auth URL</dt>
          <dd>{urlFor('authorization', issuer)}</dd>
          <dt className="text-slate-500">Access Token URL</dt>
          <dd>{urlFor('token', issuer)}</dd>
          <dt className="text-slate-500">Revocation</dt>
          <dd>{urlFor('revocation', issuer)}</dd>
          <dt className="text-slate-500">Introspection</dt>
          <dd>{urlFor('introspection', issuer)}</dd>
          <dt className="text-slate-500">OpenID configuration</dt>
          <dd>{urlFor('openid_configuration', issuer)}</dd>
        </dl>
      </Card>
    </div>
  );
}
