// RP-Initiated Logout 1.0 (the end_session_endpoint, /o/logout/): decides, without any framework,
// what to do with a logout request. The route and page in app/o/logout/ carry it out.
// It never redirects to a URI that is not one of the application's Post logout redirect uris, and
// redirects by itself only after ending the session of the user the hint names (postLogoutRedirect).
import { OAuthError } from '../errors';
import { parseParams } from '../http';
import { getClient } from '../../db/queries/clients';
import type { Application } from '../../db/schema';
import { verifyIdTokenHint } from './id-token-hint';

export interface LogoutError {
  kind: 'error';
  title: string;
  message: string;
}

/** What every non-error outcome carries. */
interface LogoutTarget {
  /** The application that sent the request (client_id or the hint's audience), by name. */
  appName: string | null;
  /** Its registered post_logout_redirect_uri, with state, when one was sent; null otherwise. */
  redirectTo: string | null;
  /** The user an id_token_hint signed with our own key names (users.id); null without such a hint. */
  namedUserId: string | null;
}

export type LogoutOutcome =
  | LogoutError
  /** Ask the user first (no hint of ours naming them). */
  | ({ kind: 'confirm' } & LogoutTarget)
  /** Log out now: a hint signed by us names the logged-in user. */
  | ({ kind: 'logout' } & LogoutTarget)
  /** Nobody is logged in: nothing to end. */
  | ({ kind: 'logged_out' } & LogoutTarget);

const fail = (title: string, message: string): LogoutError => ({ kind: 'error', title, message });

/**
 * `params`: the request's parameters (query for GET, form for POST). `currentUserId`: who is logged
 * in here, or null.
 */
export async function evaluateLogout(params: URLSearchParams, currentUserId: string | null): Promise<LogoutOutcome> {
  let p: Map<string, string>;
  try {
    p = parseParams(params);
  } catch (e) {
    return fail('Invalid logout request', e instanceof OAuthError && e.description ? e.description : 'The request is malformed.');
  }
  const hintRaw = p.get('id_token_hint');
  const clientIdParam = p.get('client_id');
  const uri = p.get('post_logout_redirect_uri');
  const state = p.get('state');

  // §2: "When an id_token_hint parameter is present, the OP MUST validate that it was the issuer of the ID Token."
  const hint = hintRaw !== undefined ? await verifyIdTokenHint(hintRaw) : null;
  if (hintRaw !== undefined && !hint) {
    return fail('Invalid logout request', 'The id_token_hint is not an ID token issued by this server.');
  }
  // §2: "If both client_id and id_token_hint are present, the OP MUST verify that the Client
  // Identifier matches the one used when issuing the ID Token."
  if (hint && clientIdParam !== undefined && !hint.aud.includes(clientIdParam)) {
    return fail('Invalid logout request', 'The client_id does not match the application the ID token was issued to.');
  }
  const clientId = clientIdParam ?? hint?.clientId ?? null;
  let app: Application | null = null;
  if (clientId !== null) {
    app = clientId.length <= 200 ? await getClient(clientId) : null;
    if (!app) return fail('Unknown application', 'No application is registered with this client_id.');
  }

  let redirectTo: string | null = null;
  if (uri !== undefined) {
    if (!app) {
      return fail(
        'Invalid logout request',
        'The request has a post_logout_redirect_uri but does not say which application sent it. The application must send its client_id or an id_token_hint.',
      );
    }
    // §3: "The value MUST have been previously registered with the OP" — compared exactly.
    if (!app.postLogoutRedirectUris.includes(uri)) {
      return fail(
        'Invalid post logout redirect URI',
        `The post_logout_redirect_uri “${uri.slice(0, 300)}” is not registered for “${app.name}”. Add it to the application’s Post logout redirect uris.`,
      );
    }
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      return fail('Invalid post logout redirect URI', 'The registered post_logout_redirect_uri is not a valid URL.');
    }
    // §2: state "… passed as a query parameter to the RP's post_logout_redirect_uri".
    if (state !== undefined) u.searchParams.append('state', state);
    redirectTo = u.toString();
  }

  const appName = app?.name ?? null;
  // Only a hint signed with our own key names a user: a client-signed (HS256) hint could be forged
  // by that client's owner for any user.
  const namedUserId = hint?.signedByUs ? hint.sub : null;
  const target = { appName, redirectTo, namedUserId };
  if (!currentUserId) return { kind: 'logged_out', ...target };
  // §2: without a hint naming the logged-in user, "the OP SHOULD ask the End-User whether to log out".
  if (namedUserId === currentUserId) return { kind: 'logout', ...target };
  return { kind: 'confirm', ...target };
}

/**
 * Where to send the browser once a logout request was carried out: to the application's registered
 * post_logout_redirect_uri only when THIS request ended a live session (`endedUserId`: whose, or
 * null when it ended none) of the very user a hint signed by us names. Otherwise null: the
 * signed-out page shows a named link instead. Anyone can register an application and get an ID
 * token for their own account, so a valid hint alone must not turn /o/logout/ into an automatic
 * redirect for every visitor (RFC 9700 §4.11.2 open redirectors; RP-Initiated Logout 1.0 §3).
 */
export function postLogoutRedirect(outcome: LogoutOutcome, endedUserId: string | null): string | null {
  if (outcome.kind === 'error' || !outcome.redirectTo || endedUserId === null) return null;
  return outcome.namedUserId === endedUserId ? outcome.redirectTo : null;
}
