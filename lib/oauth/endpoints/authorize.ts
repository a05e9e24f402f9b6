// The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2), as a pipeline of small
// named checks. Until client_id and redirect_uri are verified, every error is an HTML error page
// (never a redirect, even with prompt=none: DOT #1719); afterwards errors go back to the client
// with state and iss (RFC 9207).
// A request that can be answered at once (a code, or an error) is answered without storing
// anything. One that needs the user to log in or consent is validated once and kept as a pending
// request (lib/oauth/pending-request.ts); login and consent carry only `?pending=<id>`, and the
// request is spent when the client gets its answer.
import { invalidRequest, OAuthError, unsupportedResponseType, loginRequired, consentRequired, accessDenied, logUnexpected, quoteValue } from '../errors';
import { matchRedirectUri } from '../redirect-uri';
import { isValidCodeChallenge, type PkceMethod } from '../pkce';
import { randomToken, sha256b64url } from '../random';
import { resolveRequestedScope, formatScope } from '../scope';
import { parseScope } from '../scope';
import { getClient, type Client } from '../../db/queries/clients';
import { findUserAndMaybeIssueCode, insertCode, saveConsent, type NewCode } from '../../db/queries/tokens';
import { findUserById } from '../../db/queries/users';
import { audit } from '../../db/queries/audit';
import type { User } from '../../db/schema';
import { env } from '../../env';
import { hasNul } from '../../fields';
import { refuseNul } from '../http';
import { verifyIdTokenHint } from '../oidc/id-token-hint';
import {
  AUTHORIZE_MAX_REQUEST_BYTES,
  AUTHORIZE_MAX_STATE_CHARS,
  PENDING_REQUEST_TTL_SECONDS,
  consumePending,
  findPending,
  markPendingLogin,
  pendingIdOf,
  pendingPath,
  storePending,
  type PendingRequest,
  type StoredRequest,
} from '../pending-request';

export interface SessionInfo {
  userId: string;
  /** Seconds since the epoch when the user last entered their password. */
  authTime: number;
  /** Names the server-side session, which must still be live (lib/db/queries/sessions.ts). */
  sidHash: string;
}

export interface ErrorPage {
  kind: 'error_page';
  status: number;
  title: string;
  message: string;
  hint?: string;
}

export interface ConsentNeeded {
  kind: 'consent';
  app: Client;
  owner: string | null;
  user: Pick<User, 'id' | 'username'>;
  scopes: string[];
  /** The pending request the consent form decides (lib/oauth/pending-request.ts). */
  pendingId: string;
}

export type AuthorizeOutcome = { kind: 'redirect'; location: string } | ErrorPage | ConsentNeeded;

/**
 * What a step decided: an outcome, or an answer for the client (a code or an error at its redirect
 * URI). `effect` is what the answer commits (remembering consent, storing the code, the audit
 * event): run only by the caller that spends the pending request, so of two racing decisions the
 * one that loses leaves nothing behind.
 */
type ClientAnswer = { kind: 'client'; location: string; effect?: () => Promise<void> };
type Step = AuthorizeOutcome | ClientAnswer;

/** A validated request: the stored form (lib/oauth/pending-request.ts) with its application. */
export type ValidRequest = Omit<StoredRequest, 'prompt'> & { app: Client; prompt: Set<string> };

const errorPage = (title: string, message: string, hint?: string, status = 400): ErrorPage => ({ kind: 'error_page', status, title, message, hint });

/** An unknown, spent or expired pending request: a page, never a redirect (its client is not known). */
const expiredPage = () =>
  errorPage(
    'This sign-in request has expired',
    `The authorization request this page belongs to is no longer open: it was completed already, or it was started more than ${PENDING_REQUEST_TTL_SECONDS / 60} minutes ago, or the link is incomplete.`,
    'Go back to the application you came from and sign in from there again.',
  );

function clientRedirect(v: Pick<ValidRequest, 'redirectUri' | 'state'>, params: Record<string, string | undefined>): ClientAnswer {
  const u = new URL(v.redirectUri);
  for (const [k, val] of Object.entries({ ...params, state: v.state, iss: env().ISSUER })) {
    if (val !== undefined) u.searchParams.append(k, val);
  }
  return { kind: 'client', location: u.toString() };
}

function errorRedirect(v: Pick<ValidRequest, 'redirectUri' | 'state'>, err: unknown) {
  const e = err instanceof OAuthError ? err : logUnexpected(err);
  return clientRedirect(v, { error: e.code, error_description: e.description });
}

/** A step's outcome as the caller sees it: an answer for the client is a redirect like any other. */
const asOutcome = (s: Step): AuthorizeOutcome => (s.kind === 'client' ? { kind: 'redirect', location: s.location } : s);

// --- the checks, in order ----------------------------------------------------------------------

function parseQuery(search: URLSearchParams): { params: Map<string, string>; duplicates: string[] } {
  const params = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [k, v] of search) {
    if (params.has(k)) duplicates.push(k);
    else if (v !== '') params.set(k, v);
  }
  return { params, duplicates };
}

/** The error page for an application that cannot ask for access (unknown or suspended), or null. */
function clientProblem(app: Client | null): ErrorPage | null {
  if (!app) {
    return errorPage(
      'Invalid client',
      'No application is registered with this client_id.',
      'Check the Client ID in your client (e.g. Postman) against the one shown at /o/applications/.',
    );
  }
  if (app.suspended) {
    return errorPage(
      'Application suspended',
      `This application (“${app.name}”) is suspended: its owner’s account has been deactivated, so it cannot ask for access.`,
      'Contact the application’s developer, or the administrators of this server.',
      403,
    );
  }
  return null;
}

async function checkClient(params: Map<string, string>, duplicates: string[]): Promise<Client | ErrorPage> {
  if (duplicates.includes('client_id')) return errorPage('Invalid request', 'The client_id parameter was sent more than once.');
  const clientId = params.get('client_id');
  if (!clientId) {
    return errorPage('Missing client_id', 'This authorization request does not say which application is asking.', 'The client must send its client_id, as shown on the application’s page.');
  }
  const app = clientId.length <= 200 && !hasNul(clientId) ? await getClient(clientId) : null;
  return clientProblem(app) ?? app!;
}

const redirectUriFix = (app: Client) => `Add the exact callback URL to the Redirect uris of “${app.name}” at /o/applications/, or send one that is registered.`;

const unregisteredRedirectUri = (app: Client, uri: string) =>
  errorPage('Invalid callback URL', `The redirect_uri “${uri.slice(0, 300)}” is not registered for this application.`, redirectUriFix(app));

function checkRedirectUri(app: Client, params: Map<string, string>, duplicates: string[]): { uri: string; sent: boolean } | ErrorPage {
  if (duplicates.includes('redirect_uri')) return errorPage('Invalid request', 'The redirect_uri parameter was sent more than once.');
  const requested = params.get('redirect_uri');
  if (requested === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered.
    if (app.redirectUris.length === 1) return { uri: app.redirectUris[0], sent: false };
    return errorPage(
      'Missing redirect_uri',
      app.redirectUris.length === 0 ? 'This application has no registered redirect URI.' : 'This application has several redirect URIs, so the request must say which one to use.',
      redirectUriFix(app),
    );
  }
  // For loopback redirects any port matches (RFC 8252 §7.3): send the code to the requested one.
  return matchRedirectUri(app.redirectUris, requested) ? { uri: requested, sent: true } : unregisteredRedirectUri(app, requested);
}

/**
 * The documented size limits (README "Limits"): `state` at most AUTHORIZE_MAX_STATE_CHARS
 * characters, the form-encoded parameters at most AUTHORIZE_MAX_REQUEST_BYTES bytes.
 * @param encoded the request's parameters form-encoded (the query string, without "?")
 * @throws OAuthError invalid_request naming the limit
 */
function checkSize(encoded: string, state: string | undefined): void {
  if (state !== undefined && state.length > AUTHORIZE_MAX_STATE_CHARS) {
    throw invalidRequest(`state is ${state.length} characters long; this server takes at most ${AUTHORIZE_MAX_STATE_CHARS}, so it is not sent back either.`);
  }
  const bytes = Buffer.byteLength(encoded);
  if (bytes > AUTHORIZE_MAX_REQUEST_BYTES) {
    throw invalidRequest(`The authorization request is ${bytes} bytes long (its parameters form-encoded); this server takes at most ${AUTHORIZE_MAX_REQUEST_BYTES}.`);
  }
}

/** The checks after the redirect URI is verified; their errors go to it (RFC 6749 §4.1.2.1). */
function checkParams(app: Client, params: Map<string, string>, duplicates: string[]): Omit<StoredRequest, 'redirectUri' | 'redirectUriSent' | 'state' | 'hintSub'> {
  if (duplicates.length) throw invalidRequest(`The parameter ${quoteValue(duplicates[0])} was sent more than once.`);
  // Values reach the database (nonce, scope): PostgreSQL text cannot hold NUL.
  for (const [k, v] of params) refuseNul(k, v);
  const responseType = params.get('response_type');
  if (!responseType) throw invalidRequest('The response_type parameter is missing (use response_type=code).');
  if (responseType !== 'code') throw unsupportedResponseType(`Only response_type=code is supported; ${quoteValue(responseType)} is not.`);
  checkCodeFlowAllowed(app);
  const scopes = resolveRequestedScope(params.get('scope'));

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
    codeChallenge: challenge,
    codeChallengeMethod: challenge ? (method as PkceMethod) : undefined,
    nonce: params.get('nonce'),
    prompt: [...new Set(prompt)] as StoredRequest['prompt'],
    maxAge,
    loginHint: params.get('login_hint'),
  };
}

function checkCodeFlowAllowed(app: Client): void {
  if (!app.grantTypes.includes('authorization_code')) {
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
const loginRedirect = (pendingId: string) => ({ kind: 'redirect' as const, location: `/accounts/login/?next=${encodeURIComponent(pendingPath(pendingId))}` });

function codeRow(v: ValidRequest, userId: string, authTime: number, code: string): NewCode {
  return {
    codeHash: sha256b64url(code),
    applicationId: v.app.id,
    userId,
    redirectUri: v.redirectUri,
    redirectUriSent: v.redirectUriSent,
    scope: formatScope(v.scopes),
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
 * `?pending=<id>` names, and decides: a redirect (to the client with a code or an error, or to the
 * login page or the consent page with the pending id), an error page, or the consent page itself
 * (only for a pending request).
 */
export async function authorize({ url, session, ip }: AuthorizeInput): Promise<AuthorizeOutcome> {
  const pendingId = pendingIdOf(url.searchParams);
  if (pendingId !== null) return resume(pendingId, session, ip);
  const { params, duplicates } = parseQuery(url.searchParams);
  const app = await checkClient(params, duplicates);
  if ('kind' in app) return app;
  const redirect = checkRedirectUri(app, params, duplicates);
  if ('kind' in redirect) return redirect;
  const state = duplicates.includes('state') ? undefined : params.get('state');
  // The state goes back with every answer, errors included, when it is within the limit.
  const base = { redirectUri: redirect.uri, state: state !== undefined && state.length <= AUTHORIZE_MAX_STATE_CHARS ? state : undefined };

  let v: ValidRequest;
  try {
    checkSize(url.search.replace(/^\?/, ''), state);
    v = fromStored(app, { ...base, redirectUriSent: redirect.sent, ...checkParams(app, params, duplicates), hintSub: await hintSubject(params) });
  } catch (err) {
    return asOutcome(errorRedirect(base, err));
  }
  try {
    const step = await decide(v, session, ip, null);
    if (step.kind === 'client') await step.effect?.(); // no pending request to spend: commit at once
    return asOutcome(step);
  } catch (err) {
    return asOutcome(errorRedirect(v, err));
  }
}

export interface ConsentDecision {
  /** The pending request id the consent form carried. */
  pendingId: unknown;
  session: SessionInfo | null;
  ip: string;
  decision: 'allow' | 'deny';
}

/**
 * The consent form's decision on a pending request. It counts only from the session the consent
 * page was shown to (otherwise the page is shown again, to the session now logged in).
 */
export function decideConsent({ pendingId, session, ip, decision }: ConsentDecision): Promise<AuthorizeOutcome> {
  return resume(pendingId, session, ip, decision);
}

/**
 * Continues a pending request. An answer for the client spends it first: of two concurrent
 * completions one gets through, the other gets the expired page.
 */
async function resume(id: unknown, session: SessionInfo | null, ip: string, decision?: 'allow' | 'deny'): Promise<AuthorizeOutcome> {
  // A look (GET) binds the request to the session looking; a decision must come from that session.
  const pending = await findPending(id, decision === undefined ? session?.sidHash : undefined);
  if (!pending) return expiredPage();
  // The application may have changed meanwhile: it must still be there, active, and own the redirect URI.
  const app = await getClient(pending.row.clientId);
  const problem = clientProblem(app);
  if (problem) return problem;
  if (!matchRedirectUri(app!.redirectUris, pending.request.redirectUri)) return unregisteredRedirectUri(app!, pending.request.redirectUri);
  const v = fromStored(app!, pending.request);
  let step: Step;
  try {
    checkCodeFlowAllowed(v.app);
    step = await decide(v, session, ip, pending, decision);
  } catch (err) {
    step = errorRedirect(v, err);
  }
  if (step.kind !== 'client') return step;
  if (!(await consumePending(pending))) return expiredPage();
  try {
    await step.effect?.();
  } catch (err) {
    return asOutcome(errorRedirect(v, err));
  }
  return asOutcome(step);
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
    return loginRedirect(pending.id);
  }
  return loginRedirect(await storePending(v.app.id, toStored(v), { sessionSidHash: session?.sidHash ?? null, loginAfter, clientIp: ip }));
}

async function decide(v: ValidRequest, session: SessionInfo | null, ip: string, pending: PendingRequest | null, decision?: 'allow' | 'deny'): Promise<Step> {
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
  const autoCode = decision === undefined && !v.prompt.has('consent') ? randomToken() : null;
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
  if (autoCode && found.issued) return clientRedirect(v, { code: autoCode });

  if (decision !== undefined && pending) {
    // The consent page was shown to another session (the user switched accounts meanwhile): show
    // it again, to whoever is logged in now.
    if (pending.row.sessionSidHash !== session.sidHash) return { kind: 'redirect', location: pendingPath(pending.id) };
    // The decision's effects wait for the request to be spent (resume): a Cancel that wins a race
    // with Authorize must not leave the consent remembered.
    if (decision === 'deny') {
      return { ...errorRedirect(v, accessDenied('The user denied the request.')), effect: async () => audit('consent.denied', { actorUserId: user.id, applicationId: v.app.id, ip }) };
    }
    const code = randomToken();
    return {
      ...clientRedirect(v, { code }),
      effect: async () => {
        await saveConsent(user.id, v.app.id, v.scopes);
        await insertCode(codeRow(v, user.id, session.authTime, code));
        audit('consent.granted', { actorUserId: user.id, applicationId: v.app.id, ip, detail: { scope: formatScope(v.scopes) } });
      },
    };
  }
  if (none) throw consentRequired('The user has not approved these scopes for this application.');
  // A new request that needs consent is stored, and the consent page is its pending URL.
  if (!pending) return { kind: 'redirect', location: pendingPath(await storePending(v.app.id, toStored(v), { sessionSidHash: session.sidHash, loginAfter: null, clientIp: ip })) };
  const owner = v.app.userId ? ((await findUserById(v.app.userId))?.username ?? null) : null;
  return { kind: 'consent', app: v.app, owner, user: { id: user.id, username: user.username }, scopes: v.scopes, pendingId: pending.id };
}
