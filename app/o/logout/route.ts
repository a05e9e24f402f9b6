// The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0 §2: GET and POST). When an
// id_token_hint signed by us names the logged-in user, it ends their session at once and returns to
// the application; otherwise the page (./confirm) asks first, says the visitor is signed out (with a
// link back to the application), or explains what is wrong.
import { NextResponse } from 'next/server';
import { currentUser, endCurrentSession } from '@/lib/auth/session';
import { evaluateLogout, postLogoutRedirect } from '@/lib/oauth/oidc/logout';
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
  // RFC 9110 §9.2.1: HEAD is safe; a prefetcher or link checker ends no session.
  if (outcome.kind !== 'logout' || request.method === 'HEAD') return to(page);
  const ended = await endCurrentSession();
  return to(postLogoutRedirect(outcome, ended) ?? page);
}

export const GET = handle;
export const POST = handle;
export const HEAD = handle;
