// The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2), as a pipeline of small
// named checks. Until client_id and redirect_uri are verified, every error is an HTML error page
// (never a redirect, even with prompt=none: DOT #1719); afterwards errors go back to the client
// with state and iss (RFC 9207).
import { invalidRequest, OAuthError, unsupportedResponseType, loginRequired, consentRequired, accessDenied, logUnexpected, quoteValue } from '../errors';
import { matchRedirectUri } from '../redirect-uri';
import { isValidCodeChallenge, type PkceMethod } from '../pkce';
import { randomToken, sha256b64url } from '../random';
import { resolveRequestedScope, formatScope } from '../scopes';
import { parseScope } from '../scope';
import { getClient } from '../../db/queries/clients';
import { findUserAndMaybeIssueCode, insertCode, saveConsent, type NewCode } from '../../db/queries/tokens';
import { findUserById } from '../../db/queries/users';
import { audit } from '../../db/queries/audit';
import type { Application, User } from '../../db/schema';
import { env } from '../../env';
import { hasNul } from '../../fields';
import { verifyIdTokenHint } from '../oidc/id-token-hint';

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
  app: Application;
  owner: string | null;
  user: Pick<User, 'id' | 'username'>;
  scopes: string[];
  /** The original query string, carried through the consent form. */
  query: string;
}

export type AuthorizeOutcome = { kind: 'redirect'; location: string } | ErrorPage | ConsentNeeded;

export interface ValidRequest {
  app: Application;
  redirectUri: string;
  redirectUriSent: boolean;
  state?: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: PkceMethod;
  nonce?: string;
  prompt: Set<string>;
  maxAge?: number;
  loginHint?: string;
  idTokenHint?: string;
}

const errorPage = (title: string, message: string, hint?: string, status = 400): ErrorPage => ({ kind: 'error_page', status, title, message, hint });

function clientRedirect(v: Pick<ValidRequest, 'redirectUri' | 'state'>, params: Record<string, string | undefined>): { kind: 'redirect'; location: string } {
  const u = new URL(v.redirectUri);
  for (const [k, val] of Object.entries({ ...params, state: v.state, iss: env().ISSUER })) {
    if (val !== undefined) u.searchParams.append(k, val);
  }
  return { kind: 'redirect', location: u.toString() };
}

function errorRedirect(v: Pick<ValidRequest, 'redirectUri' | 'state'>, e: OAuthError) {
  return clientRedirect(v, { error: e.code, error_description: e.description });
}

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

async function checkClient(params: Map<string, string>, duplicates: string[]): Promise<Application | ErrorPage> {
  if (duplicates.includes('client_id')) return errorPage('Invalid request', 'The client_id parameter was sent more than once.');
  const clientId = params.get('client_id');
  if (!clientId) {
    return errorPage('Missing client_id', 'This authorization request does not say which application is asking.', 'The client must send its client_id, as shown on the application’s page.');
  }
  const app = clientId.length <= 200 && !hasNul(clientId) ? await getClient(clientId) : null;
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
  return app;
}

function checkRedirectUri(app: Application, params: Map<string, string>, duplicates: string[]): { uri: string; sent: boolean } | ErrorPage {
  if (duplicates.includes('redirect_uri')) return errorPage('Invalid request', 'The redirect_uri parameter was sent more than once.');
  const requested = params.get('redirect_uri');
  const fix = `Add the exact callback URL to the Redirect uris of “${app.name}” at /o/applications/, or send one that is registered.`;
  if (requested === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered.
    if (app.redirectUris.length === 1) return { uri: app.redirectUris[0], sent: false };
    return errorPage(
      'Missing redirect_uri',
      app.redirectUris.length === 0 ? 'This application has no registered redirect URI.' : 'This application has several redirect URIs, so the request must say which one to use.',
      fix,
    );
  }
  const matched = matchRedirectUri(app.redirectUris, requested);
  if (!matched) {
    return errorPage('Invalid callback URL', `The redirect_uri “${requested.slice(0, 300)}” is not registered for this application.`, fix);
  }
  // For loopback redirects any port matches (RFC 8252 §7.3): send the code to the requested one.
  return { uri: requested, sent: true };
}

function checkParams(app: Application, params: Map<string, string>, duplicates: string[], base: Pick<ValidRequest, 'redirectUri' | 'state'>): ValidRequest {
  if (duplicates.length) throw invalidRequest(`The parameter ${quoteValue(duplicates[0])} was sent more than once.`);
  // Values reach the database (nonce, scope): PostgreSQL text cannot hold NUL.
  for (const [k, v] of params) if (hasNul(v)) throw invalidRequest(`The parameter ${quoteValue(k)} contains a NUL character.`);
  const responseType = params.get('response_type');
  if (!responseType) throw invalidRequest('The response_type parameter is missing (use response_type=code).');
  if (responseType !== 'code') throw unsupportedResponseType(`Only response_type=code is supported; ${quoteValue(responseType)} is not.`);
  if (!app.grantTypes.includes('authorization_code')) {
    throw unsupportedResponseType("This application may not use the authorization code flow. Enable 'Authorization code' in its settings.");
  }
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

  const prompt = new Set(parseScope(params.get('prompt')));
  for (const p of prompt) if (!['none', 'login', 'consent', 'select_account'].includes(p)) throw invalidRequest(`Unknown prompt value ${quoteValue(p, 20)}.`);
  if (prompt.has('none') && prompt.size > 1) throw invalidRequest('prompt=none cannot be combined with other values.');
  let maxAge: number | undefined;
  if (params.has('max_age')) {
    const m = params.get('max_age')!;
    if (!/^\d{1,9}$/.test(m)) throw invalidRequest('max_age must be a whole number of seconds.');
    maxAge = Number(m);
  }
  return {
    app,
    ...base,
    redirectUriSent: true,
    scopes,
    codeChallenge: challenge,
    codeChallengeMethod: challenge ? (method as PkceMethod) : undefined,
    nonce: params.get('nonce'),
    prompt,
    maxAge,
    loginHint: params.get('login_hint'),
    idTokenHint: params.get('id_token_hint'),
  };
}

/** Where to send the user to (re-)authenticate; prompt=login and max_age are satisfied by that login. */
function loginRedirect(url: URL, v: ValidRequest): { kind: 'redirect'; location: string } {
  const back = new URLSearchParams(url.search);
  const prompt = [...v.prompt].filter((p) => p !== 'login');
  if (prompt.length) back.set('prompt', prompt.join(' '));
  else back.delete('prompt');
  back.delete('max_age');
  const next = `${url.pathname}?${back.toString()}`;
  const q = new URLSearchParams({ next });
  if (v.loginHint) q.set('login_hint', v.loginHint);
  return { kind: 'redirect', location: `/accounts/login/?${q.toString()}` };
}

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

async function issueCode(v: ValidRequest, user: Pick<User, 'id'>, authTime: number) {
  const code = randomToken();
  await insertCode(codeRow(v, user.id, authTime, code));
  return clientRedirect(v, { code });
}

export interface AuthorizeInput {
  url: URL;
  session: SessionInfo | null;
  ip: string;
  /** Set by the consent form's POST. */
  decision?: 'allow' | 'deny';
}

/** Validates the request and decides: redirect (code, error or login), error page, or consent. */
export async function authorize({ url, session, ip, decision }: AuthorizeInput): Promise<AuthorizeOutcome> {
  const { params, duplicates } = parseQuery(url.searchParams);
  const app = await checkClient(params, duplicates);
  if ('kind' in app) return app;
  const redirect = checkRedirectUri(app, params, duplicates);
  if ('kind' in redirect) return redirect;
  const base = { redirectUri: redirect.uri, state: duplicates.includes('state') ? undefined : params.get('state') };

  let v: ValidRequest;
  try {
    v = { ...checkParams(app, params, duplicates, base), redirectUriSent: redirect.sent };
  } catch (err) {
    if (err instanceof OAuthError) return errorRedirect(base, err);
    return errorRedirect(base, logUnexpected(err));
  }

  try {
    return await decide(v, url, session, ip, decision);
  } catch (err) {
    if (err instanceof OAuthError) return errorRedirect(v, err);
    return errorRedirect(v, logUnexpected(err));
  }
}

async function decide(v: ValidRequest, url: URL, session: SessionInfo | null, ip: string, decision?: 'allow' | 'deny'): Promise<AuthorizeOutcome> {
  const none = v.prompt.has('none');
  // OIDC Core §3.1.2.1 id_token_hint: an ID token we issued (expired is fine) naming the user the
  // client expects; "If the End-User identified by the ID Token is logged in or is logged in by the
  // request, then the Authorization Server returns a positive response; otherwise, it SHOULD return an error".
  const hint = v.idTokenHint === undefined ? null : await verifyIdTokenHint(v.idTokenHint);
  if (v.idTokenHint !== undefined && !hint) throw invalidRequest('id_token_hint is not a valid ID token issued by this server.');
  if (!session || (hint && hint.sub !== session.userId)) {
    if (none) throw loginRequired(session ? 'The logged-in user is not the one named by id_token_hint.' : 'The user is not logged in.');
    return loginRedirect(url, v);
  }
  const now = Math.floor(Date.now() / 1000);
  const tooOld = v.maxAge !== undefined && now - session.authTime > v.maxAge;
  // Also for the consent form's POST: a decision cannot stand in for the re-authentication the
  // request asked for (after the login, the request comes back without prompt=login and max_age).
  if (v.prompt.has('login') || tooOld) {
    if (none) throw loginRequired('The login is older than max_age allows.');
    return loginRedirect(url, v);
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
    return loginRedirect(url, v);
  }
  if (autoCode && found.issued) return clientRedirect(v, { code: autoCode });

  if (decision === 'deny') {
    audit('consent.denied', { actorUserId: user.id, applicationId: v.app.id, ip });
    throw accessDenied('The user denied the request.');
  }
  if (decision === 'allow') {
    await saveConsent(user.id, v.app.id, v.scopes);
    audit('consent.granted', { actorUserId: user.id, applicationId: v.app.id, ip, detail: { scope: formatScope(v.scopes) } });
    return issueCode(v, user, session.authTime);
  }
  if (none) throw consentRequired('The user has not approved these scopes for this application.');
  const owner = v.app.userId ? ((await findUserById(v.app.userId))?.username ?? null) : null;
  return { kind: 'consent', app: v.app, owner, user: { id: user.id, username: user.username }, scopes: v.scopes, query: url.search.replace(/^\?/, '') };
}
