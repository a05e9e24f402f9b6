// The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2), as a pipeline of small
// named checks. It answers with a Location, or throws an AuthorizationError (lib/oauth/errors.ts):
// until client_id and redirect_uri are verified every error is a page, never a redirect (even with
// prompt=none: DOT #1719); afterwards errors go back to the client with state and iss (RFC 9207).
// authorize-http.ts turns either into HTTP.
// A request that can be answered at once (a code, or an error) is answered without storing
// anything. One that needs the user to log in or consent is validated once and kept as a pending
// request (lib/oauth/pending-request.ts); login and consent carry only `?pending=<id>`. Continuing
// it (after login) reads the stored request and checks only what may have changed since: the
// session's user, and the application. The consent page only reads it (consentPage); the consent
// form's decision (decideConsent) spends it when the client gets its answer.
import {
  invalidRequest,
  unsupportedResponseType,
  loginRequired,
  consentRequired,
  accessDenied,
  quoteValue,
  OAuthError,
  AuthorizationError,
  authorizationResponseUri,
  type ClientRedirect,
  type PageLink,
} from '../errors';
import { matchRedirectUri } from '../redirect-uri';
import { isValidCodeChallenge, type PkceMethod } from '../pkce';
import { randomToken, sha256b64url } from '../random';
import { formatScope, parseScope } from '../scope';
import { REQUIRED_SCOPES, consentGroups, listResources, resolveResources, resolveScopes, resourcesWithScope, type ConsentGroup } from '../resources';
import { getClient, type Client } from '../../db/queries/clients';
import { isSelfRegistered, resolveClient } from '../client-metadata';
import { findUserAndMaybeIssueCode, insertCode, saveConsent, type NewCode } from '../../db/queries/tokens';
import { audit } from '../../db/queries/audit';
import { env } from '../../env';
import { hasNul } from '../../fields';
import { refuseNul } from '../http';
import { verifyIdTokenHint } from '../oidc/id-token-hint';
import {
  consentPath,
  consumePending,
  findPending,
  markPendingLogin,
  pendingIdOf,
  pendingPath,
  storePending,
  type PendingRequest,
  type StoredRequest,
} from '../pending-request';
import { loginPath, pathFor } from '../paths';
import { addCallbackHref, offerableCallback } from '../../apps/add-callback';

export interface SessionInfo {
  userId: string;
  /** Seconds since the epoch when the user last entered their password. */
  authTime: number;
  /** Names the server-side session, which must still be live (lib/db/queries/sessions.ts). */
  sidHash: string;
}

/** A validated request: the stored form (lib/oauth/pending-request.ts) with its application. */
export type ValidRequest = Omit<StoredRequest, 'prompt'> & { app: Client; prompt: Set<string> };

/**
 * What a step decided:
 * - `page`: a page of this site the browser goes to next (login, consent, the request again);
 *   nothing is spent.
 * - `client`: the answer for the client at its redirect URI, a Location with a code or an error to
 *   throw. `effect` is what it commits (remembering consent, storing the code, the audit event):
 *   run only by the caller that spends the pending request, so of two racing decisions the one
 *   that loses leaves nothing behind.
 */
type Step = { kind: 'page'; location: string } | { kind: 'client'; answer: string | AuthorizationError; effect?: () => Promise<void> };

const toPage = (location: string): Step => ({ kind: 'page', location });

/** A client step's answer: its Location, or its error thrown. */
function answerOf(step: Extract<Step, { kind: 'client' }>): string {
  if (typeof step.answer === 'string') return step.answer;
  throw step.answer;
}

/** An unknown, spent or expired pending request: a page, never a redirect (its client is not known). */
const expired = () =>
  AuthorizationError.page({
    title: 'This sign-in request has expired',
    message: `The authorization request this page belongs to is no longer open: it was completed already, or it was started more than ${env().limits.pendingRequestTtlSeconds / 60} minutes ago, or the link is incomplete.`,
    hint: 'Go back to the application you came from and sign in from there again.',
  });

/** Where this request's answers go (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2). */
const clientOf = (v: Pick<ValidRequest, 'redirectUri' | 'state'>): ClientRedirect => ({ redirectUri: v.redirectUri, state: v.state, iss: env().ISSUER });

/** RFC 6749 §4.1.2: the code, at the client's redirect URI. */
const codeAnswer = (v: ValidRequest, code: string) => authorizationResponseUri(clientOf(v), { code });

// --- the checks, in order ----------------------------------------------------------------------

function parseQuery(search: URLSearchParams): { params: Map<string, string>; duplicates: string[]; resources: string[] } {
  const params = new Map<string, string>();
  const duplicates: string[] = [];
  const resources: string[] = [];
  for (const [k, v] of search) {
    // RFC 8707 §2: "resource … may be used multiple times to indicate that the requested token is
    // intended to be used at multiple resources."
    if (k === 'resource') {
      if (v !== '') resources.push(v);
    } else if (params.has(k)) duplicates.push(k);
    else if (v !== '') params.set(k, v);
  }
  return { params, duplicates, resources };
}

/** The page of the signed-in user's applications, where every fix of a registration is made. */
const YOUR_APPLICATIONS: PageLink = { href: pathFor('applications'), label: 'Your applications' };

/**
 * Who is looking at an error page about a redirect URI, for the owner's offer to add it.
 * `userId`: the session's user, if any; `query`: the request's own parameters, to retry after adding
 * (absent when continuing a stored request).
 */
interface Looker {
  userId?: string;
  query?: string;
}

/**
 * The error page for an application that cannot ask for access (unknown or suspended), or for a
 * redirect URI it has not registered (any more); null when it may ask.
 * @param redirectUri the requested (or stored) redirect URI, when there is one to check
 * @param looker who is looking (the application's owner is offered to add the URI)
 */
function applicationProblem(app: Client | null, redirectUri?: string, looker: Looker = {}): AuthorizationError | null {
  if (!app) {
    return AuthorizationError.page(
      {
        title: 'Invalid client',
        message: 'No application is registered with this client_id.',
        hint: 'Check the Client ID in your client (e.g. Postman) against the one shown on the page of the application, under Your applications.',
        links: [YOUR_APPLICATIONS],
      },
      400,
      'invalid_client',
    );
  }
  if (app.suspended) {
    return AuthorizationError.page(
      {
        title: 'Application suspended',
        message: app.suspendedAt
          ? `This application (“${app.name}”) has been suspended by the administrators of this server, so it cannot ask for access.`
          : `This application (“${app.name}”) is suspended: its owner’s account has been deactivated, so it cannot ask for access.`,
        hint: 'Contact the application’s developer, or the administrators of this server.',
      },
      403,
      'unauthorized_client',
    );
  }
  if (redirectUri !== undefined && !matchRedirectUri(app.redirectUris, redirectUri)) return unregisteredRedirectUri(app, redirectUri, looker);
  return null;
}

/**
 * The application asking (RFC 6749 §4.1.1 client_id): registered and not suspended.
 * @throws AuthorizationError a page (duplicated, missing or unknown client_id, suspended application)
 */
async function checkClient(params: Map<string, string>, duplicates: string[], ip: string): Promise<Client> {
  if (duplicates.includes('client_id')) throw AuthorizationError.page({ title: 'Invalid request', message: 'The client_id parameter was sent more than once.' });
  const clientId = params.get('client_id');
  if (!clientId) {
    throw AuthorizationError.page({
      title: 'Missing client_id',
      message: 'This authorization request does not say which application is asking.',
      hint: 'The client must send its client_id, as shown on the application’s page.',
    });
  }
  let app: Client | null;
  try {
    app = clientId.length <= 255 && !hasNul(clientId) ? await resolveClient(clientId, ip) : null;
  } catch (err) {
    // A metadata document that cannot be fetched or validated: a page, never a redirect (the
    // redirect URI cannot be verified without the document).
    if (!(err instanceof OAuthError) || err.code !== 'invalid_client') throw err;
    throw AuthorizationError.page(
      { title: 'Invalid client', message: err.description ?? 'The client metadata document could not be used.', hint: 'The client’s developer must publish a valid client metadata document at its client_id URL.' },
      400,
      'invalid_client',
    );
  }
  const problem = applicationProblem(app);
  if (problem) throw problem;
  return app!;
}

const redirectUriFix = (app: Client) => `Add the exact callback URL to the Redirect uris of “${app.name}” on its page under Your applications, or send one that is registered.`;

/**
 * RFC 6749 §3.1.2.4: an unregistered redirect URI is shown, never followed. Its application's
 * owner, signed in, is offered to add it when it is a loopback URI or on a host the application
 * already uses (lib/apps/add-callback.ts offerableCallback): a link, signed for that owner and URI,
 * to a confirmation on the application's page, never an action here. Nobody else is: the
 * page does not say who owns it.
 */
function unregisteredRedirectUri(app: Client, uri: string, looker: Looker): AuthorizationError {
  // Only to the owner, and only for a loopback URI or a host the app already uses (offerableCallback).
  const owner = looker.userId !== undefined && app.userId === looker.userId && offerableCallback(uri, app.redirectUris) ? looker.userId : null;
  const offer: PageLink[] = owner
    ? [{ href: addCallbackHref({ appId: app.id, userId: owner, uri }, looker.query, env().AUTH_SECRET), label: 'Add this callback to the application' }]
    : [];
  return AuthorizationError.page({
    title: 'Invalid callback URL',
    message: `The redirect_uri “${uri.slice(0, 300)}” is not registered for this application.`,
    hint: redirectUriFix(app),
    links: [...offer, YOUR_APPLICATIONS],
  });
}

/**
 * The redirect URI the answers go to (RFC 6749 §3.1.2.3), exactly as registered (RFC 9700 §4.1.3).
 * @returns the URI, and whether the request sent it (the token request must then send it too)
 * @throws AuthorizationError a page (duplicated, missing when several are registered, unregistered)
 */
function checkRedirectUri(app: Client, params: Map<string, string>, duplicates: string[], looker: Looker): { uri: string; sent: boolean } {
  if (duplicates.includes('redirect_uri')) throw AuthorizationError.page({ title: 'Invalid request', message: 'The redirect_uri parameter was sent more than once.' });
  const requested = params.get('redirect_uri');
  if (requested === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered.
    if (app.redirectUris.length === 1) return { uri: app.redirectUris[0], sent: false };
    throw AuthorizationError.page({
      title: 'Missing redirect_uri',
      message: app.redirectUris.length === 0 ? 'This application has no registered redirect URI.' : 'This application has several redirect URIs, so the request must say which one to use.',
      hint: redirectUriFix(app),
      links: [YOUR_APPLICATIONS],
    });
  }
  // For loopback redirects any port matches (RFC 8252 §7.3): send the code to the requested one.
  if (!matchRedirectUri(app.redirectUris, requested)) throw unregisteredRedirectUri(app, requested, looker);
  return { uri: requested, sent: true };
}

/**
 * The documented size limits (README "Limits"; Settings.limits): `state` at most
 * authorizeMaxStateChars characters, the form-encoded parameters at most authorizeMaxRequestBytes bytes.
 * @param encoded the request's parameters form-encoded (the query string, without "?")
 * @throws OAuthError invalid_request naming the limit
 */
function checkSize(encoded: string, state: string | undefined): void {
  const { authorizeMaxStateChars, authorizeMaxRequestBytes } = env().limits;
  if (state !== undefined && state.length > authorizeMaxStateChars) {
    throw invalidRequest(`state is ${state.length} characters long; this server takes at most ${authorizeMaxStateChars}, so it is not sent back either.`);
  }
  const bytes = Buffer.byteLength(encoded);
  if (bytes > authorizeMaxRequestBytes) {
    throw invalidRequest(`The authorization request is ${bytes} bytes long (its parameters form-encoded); this server takes at most ${authorizeMaxRequestBytes}.`);
  }
}

/** The checks after the redirect URI is verified; their errors go to it (RFC 6749 §4.1.2.1). */
async function checkParams(
  app: Client,
  params: Map<string, string>,
  duplicates: string[],
  resourceParams: string[],
): Promise<Omit<StoredRequest, 'redirectUri' | 'redirectUriSent' | 'state' | 'hintSub'>> {
  if (duplicates.length) throw invalidRequest(`The parameter ${quoteValue(duplicates[0])} was sent more than once.`);
  // Values reach the database (nonce, scope): PostgreSQL text cannot hold NUL.
  for (const [k, v] of params) refuseNul(k, v);
  const responseType = params.get('response_type');
  if (!responseType) throw invalidRequest('The response_type parameter is missing (use response_type=code).');
  if (responseType !== 'code') throw unsupportedResponseType(`Only response_type=code is supported; ${quoteValue(responseType)} is not.`);
  checkCodeFlowAllowed(app);
  // RFC 8707 §2 (invalid_target) and the application's allowed scopes (invalid_scope), both errors
  // for the verified redirect URI.
  const resources = await resolveResources(resourceParams);
  const scopes = await resolveScopes(params.get('scope'), resources, app);

  // PKCE (RFC 7636 §4.3, RFC 9700 §2.1.1).
  const e = env();
  const challenge = params.get('code_challenge');
  const sentMethod = params.get('code_challenge_method');
  // RFC 7636 §4.3: code_challenge_method "Defaults to "plain" if not present in the request."
  const method = sentMethod ?? 'plain';
  if (challenge === undefined) {
    if (app.clientType === 'public' || e.PKCE_REQUIRED) {
      throw invalidRequest("code_challenge is required (PKCE). Use 'Authorization Code (With PKCE)' in your client, with code_challenge_method=S256.");
    }
    if (sentMethod !== undefined) throw invalidRequest('code_challenge_method was sent without a code_challenge.');
  } else {
    if (method !== 'S256' && method !== 'plain') throw invalidRequest(`code_challenge_method ${quoteValue(method, 20)} is not supported; use S256.`);
    if (method === 'plain' && !e.PKCE_ALLOW_PLAIN) {
      throw invalidRequest(
        sentMethod === undefined
          ? 'code_challenge_method=S256 is required (an omitted method means plain, RFC 7636 section 4.3, which this server does not allow).'
          : 'code_challenge_method=S256 is required (plain is not allowed).',
      );
    }
    if (!isValidCodeChallenge(challenge, method)) throw invalidRequest('code_challenge is malformed.');
  }

  const prompt = parseScope(params.get('prompt'));
  const known = ['none', 'login', 'consent', 'select_account'] as const;
  for (const p of prompt) if (!(known as readonly string[]).includes(p)) throw invalidRequest(`Unknown prompt value ${quoteValue(p, 20)}.`);
  if (prompt.includes('none') && prompt.length > 1) throw invalidRequest('prompt=none cannot be combined with other values.');
  let maxAge: number | undefined;
  if (params.has('max_age')) {
    const m = params.get('max_age')!;
    if (!/^\d{1,9}$/.test(m)) throw invalidRequest('max_age must be a whole number of seconds.');
    maxAge = Number(m);
  }
  return {
    scopes,
    resources: resources.map((r) => r.identifier),
    codeChallenge: challenge,
    codeChallengeMethod: challenge ? (method as PkceMethod) : undefined,
    nonce: params.get('nonce'),
    prompt: [...new Set(prompt)] as StoredRequest['prompt'],
    maxAge,
    loginHint: params.get('login_hint'),
  };
}

/** Whether the application may use the authorization code flow (its grant types, which may change). */
const codeFlowAllowed = (app: Client) => app.grantTypes.includes('authorization_code');

function checkCodeFlowAllowed(app: Client): void {
  if (!codeFlowAllowed(app)) {
    throw unsupportedResponseType("This application may not use the authorization code flow. Enable 'Authorization code' in its settings.");
  }
}

/**
 * OIDC Core §3.1.2.1 id_token_hint: an ID token we issued (expired is fine) naming the user the
 * client expects. Verified once; the request keeps only its `sub`.
 */
async function hintSubject(params: Map<string, string>): Promise<string | undefined> {
  const raw = params.get('id_token_hint');
  if (raw === undefined) return undefined;
  const hint = await verifyIdTokenHint(raw);
  if (!hint) throw invalidRequest('id_token_hint is not a valid ID token issued by this server.');
  return hint.sub;
}

const toStored = (v: ValidRequest): StoredRequest => {
  const { app: _app, prompt, ...rest } = v;
  return { ...rest, prompt: [...prompt] as StoredRequest['prompt'] };
};

const fromStored = (app: Client, s: StoredRequest): ValidRequest => ({ ...s, app, prompt: new Set(s.prompt) });

/** Where the user logs in before `pendingId` continues (the login page's `next`). */
const loginPage = (pendingId: string) => toPage(loginPath(pendingPath(pendingId)));

function codeRow(v: ValidRequest, userId: string, authTime: number, code: string): NewCode {
  return {
    codeHash: sha256b64url(code),
    applicationId: v.app.id,
    userId,
    redirectUri: v.redirectUri,
    redirectUriSent: v.redirectUriSent,
    scope: formatScope(v.scopes),
    resources: v.resources ?? [],
    codeChallenge: v.codeChallenge ?? null,
    codeChallengeMethod: v.codeChallengeMethod ?? null,
    nonce: v.nonce ?? null,
    authTime: new Date(authTime * 1000),
    expiresAt: new Date(Date.now() + env().AUTHORIZATION_CODE_EXPIRE_SECONDS * 1000),
  };
}

export interface AuthorizeInput {
  /** The request as a GET URL: a new request's parameters, or `?pending=<id>` of a stored one. */
  url: URL;
  session: SessionInfo | null;
  ip: string;
}

/**
 * GET (and POST) /o/authorize/: validates a new request, or continues the pending request its
 * `?pending=<id>` names (pendingPath), and decides where the browser goes: to the client with a
 * code (RFC 6749 §4.1.2), or to the login page or the consent page with the pending request's id.
 * @returns the Location: absolute for the client, a same-site path for our pages
 * @throws AuthorizationError a page before the client and redirect URI are verified, an error for
 *   the client (RFC 6749 §4.1.2.1, with state and iss) afterwards. An unexpected failure after
 *   verification is a logged server_error for the client; one before it (the database) propagates.
 */
export async function authorize({ url, session, ip }: AuthorizeInput): Promise<string> {
  const pendingId = pendingIdOf(url.searchParams);
  if (pendingId !== null) return resume(pendingId, session, ip);
  const { params, duplicates, resources } = parseQuery(url.searchParams);
  const app = await checkClient(params, duplicates, ip);
  const redirect = checkRedirectUri(app, params, duplicates, { userId: session?.userId, query: url.search });
  const state = duplicates.includes('state') ? undefined : params.get('state');
  // From here on errors go to the client, with the state when it is within the limit.
  const to = clientOf({ redirectUri: redirect.uri, state: state !== undefined && state.length <= env().limits.authorizeMaxStateChars ? state : undefined });
  try {
    checkSize(url.search.replace(/^\?/, ''), state);
    const v = fromStored(app, { redirectUri: to.redirectUri, state: to.state, redirectUriSent: redirect.sent, ...(await checkParams(app, params, duplicates, resources)), hintSub: await hintSubject(params) });
    const step = await decide(v, session, ip, null);
    if (step.kind === 'page') return step.location;
    await step.effect?.(); // no pending request to spend: commit at once
    return answerOf(step);
  } catch (err) {
    throw AuthorizationError.toClient(err, to);
  }
}

/**
 * What the consent page shows: the stored, validated request, its application and who registered it.
 * `user` is the session's user, whom the page names.
 */
export interface ConsentPage {
  pendingId: string;
  app: Client;
  /** The username of whoever registered the application, or null. */
  owner: string | null;
  scopes: string[];
  /** The pending request's redirect URI: where the code goes (the "not verified" warning names its host). */
  redirectUri: string;
  /** The requested scopes grouped for the page: each resource's, then OIDC's (ConsentGroup). */
  groups: ConsentGroup[];
}

/**
 * The consent page of a pending request (GET /o/authorize/consent/?pending=<id>): reads the stored,
 * validated request (one statement; the application from the client cache) and decides nothing.
 * Null when the page is not this session's to show: the request is unknown, spent or expired;
 * nobody is logged in, or not the session the request is bound to (the authorization endpoint bound
 * it after checking login, prompt and id_token_hint for that session); or the application changed
 * meanwhile (unknown, suspended, redirect URI or code flow removed). The page then sends the
 * browser to pendingPath, where the authorization endpoint answers each case with its status: the
 * error page, the login, or consent again for whoever is logged in now.
 * @param session the session's live, active user (currentUser), or null
 */
export async function consentPage(pendingId: unknown, session: Pick<SessionInfo, 'sidHash'> | null): Promise<ConsentPage | null> {
  if (!session) return null;
  const pending = await findPending(pendingId);
  if (!pending || pending.row.sessionSidHash !== session.sidHash) return null;
  const app = await getClient(pending.row.clientId);
  if (applicationProblem(app, pending.request.redirectUri) || !codeFlowAllowed(app!)) return null;
  const { scopes, resources } = pending.request;
  const all = await listResources();
  const ids = resources ?? all.filter((r) => r.builtIn).map((r) => r.identifier);
  return { pendingId: pending.id, app: app!, owner: pending.row.ownerUsername, scopes, redirectUri: pending.request.redirectUri, groups: consentGroups(scopes, ids, all) };
}

export interface ConsentDecision {
  /** The pending request id the consent form carried. */
  pendingId: unknown;
  session: SessionInfo | null;
  ip: string;
  decision: 'allow' | 'deny';
  /**
   * With 'allow': the scopes the user left checked. Only requested ones count, REQUIRED_SCOPES
   * that were requested are always granted; undefined: every requested scope.
   */
  granted?: readonly string[];
}

/**
 * The consent form's decision on a pending request. It counts only from the session the consent
 * page was shown to (otherwise the browser goes to pendingPath, which shows the page again to the
 * session now logged in), and not instead of a login the request still asks for. An answer for
 * the client spends the request first: of two concurrent decisions one gets through.
 * @returns the Location: the client's redirect URI with the code, or a same-site path (login, pendingPath)
 * @throws AuthorizationError for the client (access_denied when the user cancels, RFC 6749
 *   §4.1.2.1), or a page: the request expired or was spent (also by the other of two racing
 *   decisions), or the application may not ask any more
 */
export function decideConsent({ pendingId, session, ip, decision, granted }: ConsentDecision): Promise<string> {
  return resume(pendingId, session, ip, decision, granted);
}

/**
 * Continues a pending request: reads it (a look binds it to the session looking), checks what may
 * have changed since it was validated (the application; the session's user in decide) and decides.
 * An answer for the client spends it first: of two concurrent completions one gets through, the
 * other gets the expired page.
 */
async function resume(id: unknown, session: SessionInfo | null, ip: string, decision?: 'allow' | 'deny', granted?: readonly string[]): Promise<string> {
  // A look (GET) binds the request to the session looking; a decision must come from that session.
  const pending = await findPending(id, decision === undefined ? session?.sidHash : undefined);
  if (!pending) throw expired();
  // The application may have changed meanwhile: it must still be there, active, and own the redirect URI.
  const app = await getClient(pending.row.clientId);
  const problem = applicationProblem(app, pending.request.redirectUri, { userId: session?.userId });
  if (problem) throw problem;
  const v = fromStored(app!, pending.request);
  let step: Step;
  try {
    checkCodeFlowAllowed(v.app);
    step = await decide(v, session, ip, pending, decision, granted);
  } catch (err) {
    step = { kind: 'client', answer: AuthorizationError.toClient(err, clientOf(v)) };
  }
  if (step.kind === 'page') return step.location;
  if (!(await consumePending(pending))) throw expired();
  try {
    await step.effect?.();
  } catch (err) {
    throw AuthorizationError.toClient(err, clientOf(v));
  }
  return answerOf(step);
}

/**
 * Whether the user must log in (again) before this request goes on (OIDC Core §3.1.2.1):
 * prompt=login always asks, and max_age when the last login is older, until the request has sent
 * the user to log in; from then on (loginAfter) any login since satisfies both.
 */
function needsLogin(v: ValidRequest, session: SessionInfo, pending: PendingRequest | null): boolean {
  const loginAfter = pending?.row.loginAfter ?? null;
  if (loginAfter !== null) return session.authTime < loginAfter;
  const now = Math.floor(Date.now() / 1000);
  return v.prompt.has('login') || (v.maxAge !== undefined && now - session.authTime > v.maxAge);
}

/**
 * Sends the user to log in, with the request kept (stored now, or already) until they come back.
 * For prompt=login and max_age the time is recorded (loginAfter, on this server's clock like
 * auth_time), so that the login they are sent to satisfies them and an older one does not.
 */
async function toLogin(v: ValidRequest, session: SessionInfo | null, ip: string, pending: PendingRequest | null): Promise<Step> {
  const loginAfter = v.prompt.has('login') || v.maxAge !== undefined ? Math.floor(Date.now() / 1000) : null;
  if (pending) {
    if (loginAfter !== null && pending.row.loginAfter === null) await markPendingLogin(pending, loginAfter);
    return loginPage(pending.id);
  }
  return loginPage(await storePending(v.app.id, toStored(v), { sessionSidHash: session?.sidHash ?? null, loginAfter, clientIp: ip }));
}

/**
 * The decision for a validated request and the session's user: login, a code, consent (the page,
 * or the form's decision), or an error for the client.
 * @throws OAuthError for the client (login_required, consent_required: OIDC Core §3.1.2.6)
 */
async function decide(
  v: ValidRequest,
  session: SessionInfo | null,
  ip: string,
  pending: PendingRequest | null,
  decision?: 'allow' | 'deny',
  granted?: readonly string[],
): Promise<Step> {
  const none = v.prompt.has('none');
  // OIDC Core §3.1.2.1 id_token_hint: "If the End-User identified by the ID Token is logged in or is
  // logged in by the request, then the Authorization Server returns a positive response; otherwise,
  // it SHOULD return an error".
  if (!session || (v.hintSub !== undefined && v.hintSub !== session.userId)) {
    if (none) throw loginRequired(session ? 'The logged-in user is not the one named by id_token_hint.' : 'The user is not logged in.');
    return toLogin(v, session, ip, pending);
  }
  // Also for the consent form's POST: a decision cannot stand in for the re-authentication the
  // request asked for.
  if (needsLogin(v, session, pending)) {
    if (none) throw loginRequired('The login is older than max_age allows.');
    return toLogin(v, session, ip, pending);
  }

  // The common case, a returning user with remembered consent (or an app that skips consent),
  // costs one statement: the code is inserted only if the user is active and consent covers it.
  // A self-registered client (RFC 7591, a metadata document) is nobody's vetted application and
  // may change its redirect URIs and name at will: the user is asked every time.
  const askEveryTime = isSelfRegistered(v.app);
  const autoCode = decision === undefined && !v.prompt.has('consent') && !askEveryTime ? randomToken() : null;
  const found = await findUserAndMaybeIssueCode(
    session,
    v.app.id,
    autoCode ? { row: codeRow(v, session.userId, session.authTime, autoCode), scopes: v.scopes, skipConsent: v.app.skipAuthorization } : null,
  );
  const user = found?.user;
  if (!user || !user.isActive) {
    if (none) throw loginRequired('The user is not logged in.');
    return toLogin(v, null, ip, pending);
  }
  if (autoCode && found.issued) return { kind: 'client', answer: codeAnswer(v, autoCode) };

  if (decision !== undefined && pending) {
    // The consent page was shown to another session (the user switched accounts meanwhile): show
    // it again, to whoever is logged in now.
    if (pending.row.sessionSidHash !== session.sidHash) return toPage(pendingPath(pending.id));
    // The decision's effects wait for the request to be spent (resume): a Cancel that wins a race
    // with Authorize must not leave the consent remembered.
    if (decision === 'deny') {
      return {
        kind: 'client',
        answer: AuthorizationError.toClient(accessDenied('The user denied the request.'), clientOf(v)),
        effect: async () => audit('consent.denied', { actorUserId: user.id, applicationId: v.app.id, ip }),
      };
    }
    const code = randomToken();
    // The user may uncheck optional scopes: the consent remembers, and the code carries, only what
    // they granted (RFC 6749 §3.3; the token response's `scope` says so, §5.1).
    const kept = granted === undefined ? v.scopes : v.scopes.filter((s) => granted.includes(s) || REQUIRED_SCOPES.includes(s));
    // RFC 8707 §2 / §3: the audience is the resources with a granted scope.
    const g: ValidRequest = { ...v, scopes: kept, resources: v.resources && (await resourcesWithScope(v.resources, kept)) };
    return {
      kind: 'client',
      answer: codeAnswer(g, code),
      effect: async () => {
        await saveConsent(user.id, g.app.id, kept);
        await insertCode(codeRow(g, user.id, session.authTime, code));
        audit('consent.granted', { actorUserId: user.id, applicationId: g.app.id, ip, detail: { scope: formatScope(kept) } });
      },
    };
  }
  if (none) throw consentRequired('The user has not approved these scopes for this application.');
  // The consent page of the request: stored now when it is new (bound to this session), else as stored.
  if (!pending) return toPage(consentPath(await storePending(v.app.id, toStored(v), { sessionSidHash: session.sidHash, loginAfter: null, clientIp: ip })));
  return toPage(consentPath(pending.id));
}
