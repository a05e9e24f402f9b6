// The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0 §2: GET and POST). When the
// id_token_hint names the logged-in user, it logs out at once and returns to the application;
// otherwise the confirmation page (./confirm) asks first, or explains what is wrong.
import { NextResponse } from 'next/server';
import { signOut } from '@/lib/auth';
import { currentUser } from '@/lib/auth/session';
import { evaluateLogout } from '@/lib/oauth/oidc/logout';
import { payloadTooLarge, readBoundedText } from '@/lib/http/body';
import { toResponse } from '@/lib/server/next-door';
import { env } from '@/lib/env';

export const dynamic = 'force-dynamic';

const to = (location: string) => NextResponse.redirect(new URL(location, env().ISSUER), 303);

async function handle(request: Request): Promise<Response> {
  let params = new URL(request.url).searchParams;
  if (request.method === 'POST') {
    const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const body = type === 'application/x-www-form-urlencoded' ? await readBoundedText(request, env().MAX_BODY_BYTES) : '';
    if (body === null) return toResponse(payloadTooLarge('html', env().MAX_BODY_BYTES));
    params = new URLSearchParams(body);
  }
  const user = await currentUser();
  const outcome = await evaluateLogout(params, user?.id ?? null);
  const page = `/o/logout/confirm/?${params.toString()}`;
  switch (outcome.kind) {
    case 'logout':
      await signOut({ redirect: false });
      return to(outcome.redirectTo ?? page);
    case 'logged_out':
      return to(outcome.automatic && outcome.redirectTo ? outcome.redirectTo : page);
    default:
      return to(page);
  }
}

export const GET = handle;
export const POST = handle;
