// The playground's "what went wrong" (app/o/applications/_components/playground.tsx): for every error
// this server can answer at each endpoint, what it means and the likely fix, matched to the actual
// answer (its `error` code, and its `error_description` where one code has several causes). It is
// the seed tutorial's "possible errors" list, for the answer in front of the user. Pure data and
// one function; lib/apps/error-explanations.test.ts checks the matching.
import type { EndpointName } from '../oauth/paths';
import { CONSENT_DENY_LABEL, DEVICE_DENY_LABEL } from '../oauth/decision-labels';

/** Where an answer came from: an endpoint, or the authorization response at the callback (RFC 6749 §4.1.2.1). */
export type ErrorPlace = EndpointName | 'callback';

/** One cause of an error: what it means and what to do about it. */
export interface ErrorExplanation {
  /** The RFC 6749 §5.2 (or RFC 6750 §3.1, RFC 8628 §3.5) error code. */
  error: string;
  /** Where this server answers it; empty = anywhere. */
  places: readonly ErrorPlace[];
  /** When one code has several causes: the error_description that names this one. */
  description?: RegExp;
  meaning: string;
  fix: string;
}

const TOKEN: ErrorPlace[] = ['token'];
const CLIENT_AUTH: ErrorPlace[] = ['token', 'introspection', 'revocation', 'device_authorization'];
const BEARER: ErrorPlace[] = ['userinfo', 'introspection'];

/** The catalogue, most specific first: explainError takes the first entry that matches. */
export const ERROR_EXPLANATIONS: readonly ErrorExplanation[] = [
  // --- Client authentication (RFC 6749 §2.3, §5.2) -------------------------------------------------
  {
    error: 'invalid_client',
    places: CLIENT_AUTH,
    description: /suspended/i,
    meaning: 'The application is suspended by the server’s staff: it cannot get or use tokens.',
    fix: 'Ask the staff of this server why, and to lift the suspension.',
  },
  {
    error: 'invalid_client',
    places: CLIENT_AUTH,
    description: /Basic credentials are malformed/i,
    meaning: 'The Authorization: Basic header could not be read as client_id:client_secret.',
    fix: 'Send base64(urlencode(client_id) + ":" + urlencode(client_secret)), or send client_id and client_secret in the body instead.',
  },
  {
    error: 'invalid_client',
    places: CLIENT_AUTH,
    meaning: 'Client authentication failed: the client id is unknown, or the client secret is wrong or missing.',
    fix: 'Check the client id, and use the secret shown when the application was registered or its secret last regenerated (the plain secret, never its hash). Lost it? Regenerate it on the application’s page.',
  },
  // --- The token endpoint's invalid_grant (RFC 6749 §5.2), by cause --------------------------------
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /authorization code has expired/i,
    meaning: 'The authorization code is older than its lifetime (a few minutes).',
    fix: 'Start the sign-in again and exchange the new code at once.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /redirect_uri does not match/i,
    meaning: 'The exchange’s redirect_uri is not the one the authorization request named.',
    fix: 'Send exactly the same redirect_uri in both requests (RFC 6749 §4.1.3).',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /code_verifier is required/i,
    meaning: 'The authorization request had a code_challenge, and the exchange has no code_verifier (PKCE).',
    fix: 'Send the code_verifier whose SHA-256 hash was the code_challenge.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /code_verifier does not match/i,
    meaning: 'The code_verifier does not hash to the code_challenge of the authorization request.',
    fix: 'Use the verifier made with that challenge (new values mean a new sign-in); with S256 the challenge is BASE64URL(SHA-256(verifier)).',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /code_verifier was sent, but/i,
    meaning: 'A code_verifier was sent, but the authorization request had no code_challenge.',
    fix: 'Send code_challenge and code_challenge_method=S256 in the authorization request.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /authorization code is invalid/i,
    meaning:
      'The authorization code is unknown, was issued to another application, or was already used (a code works once). When it was already used, the server has also revoked the tokens of its first exchange, and those refreshed from them (RFC 6749 §4.1.2): they no longer work.',
    fix: 'Start the sign-in again for a new code, and exchange it only once; after a reuse, the tokens of the first exchange are gone too.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /refresh token is invalid/i,
    meaning: 'The refresh token is unknown, expired, revoked, or was already used: this server rotates refresh tokens, so each works once.',
    fix: 'Use the refresh token of the latest answer; after a revocation, sign in again.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /device code is invalid/i,
    meaning: 'The device code is unknown, or it already gave its tokens.',
    fix: 'Start a new device authorization request.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    description: /inactive/i,
    meaning: 'The user’s account was deactivated.',
    fix: 'Sign in as an active user.',
  },
  {
    error: 'invalid_grant',
    places: TOKEN,
    meaning: 'The grant (code, refresh token, device code, or credentials) is not valid for this application.',
    fix: 'Read the error_description; start the flow again for a fresh grant.',
  },
  // --- Other token endpoint errors --------------------------------------------------------------
  {
    error: 'invalid_scope',
    places: [],
    description: /refresh cannot widen/i,
    meaning: 'A refresh asked for a scope the original sign-in did not grant.',
    fix: 'Ask for the same scope or less; for more, sign the user in again.',
  },
  {
    error: 'invalid_scope',
    places: [],
    description: /needs a user/i,
    meaning: 'The scope (such as openid) needs a signed-in user, and this grant has none (client credentials).',
    fix: 'Drop that scope here, or use a grant where a user signs in.',
  },
  {
    error: 'invalid_scope',
    places: [],
    meaning: 'The scope names something this server does not know, or the application may not ask for.',
    fix: 'Use the scopes the error_description lists (and the application’s allowed scopes).',
  },
  {
    error: 'unauthorized_client',
    places: [],
    meaning: 'The application is not allowed this grant.',
    fix: 'Enable the grant in the application’s settings (Edit), then try again.',
  },
  {
    error: 'unsupported_grant_type',
    places: TOKEN,
    meaning: 'The grant_type is unknown, or turned off on this server.',
    fix: 'Use authorization_code, client_credentials, refresh_token or urn:ietf:params:oauth:grant-type:device_code.',
  },
  {
    error: 'invalid_request',
    places: [],
    description: /code_challenge is required/i,
    meaning: 'The authorization request has no code_challenge: this server requires PKCE.',
    fix: 'Send code_challenge (S256 of a random verifier) and code_challenge_method=S256.',
  },
  {
    error: 'invalid_request',
    places: [],
    description: /one client authentication method/i,
    meaning: 'The client authenticated twice: with a Basic header and with client_secret in the body.',
    fix: 'Use one method only.',
  },
  {
    error: 'invalid_request',
    places: [],
    description: /more than once/i,
    meaning: 'A parameter appears twice in the request.',
    fix: 'Send each parameter once.',
  },
  {
    error: 'invalid_request',
    places: [],
    description: /is missing/i,
    meaning: 'A required parameter is missing.',
    fix: 'Add the parameter the error_description names.',
  },
  {
    error: 'invalid_request',
    places: [],
    meaning: 'The request is malformed: a parameter is missing, repeated or invalid, or the body is not a form.',
    fix: 'Read the error_description: it names the parameter.',
  },
  // --- The device flow (RFC 8628 §3.5) ------------------------------------------------------------
  {
    error: 'authorization_pending',
    places: TOKEN,
    meaning: 'The user has not approved (or denied) the device code yet. Not a failure: the device keeps polling.',
    fix: 'Approve the code at the verification URI; polling continues every interval seconds.',
  },
  {
    error: 'slow_down',
    places: TOKEN,
    meaning: 'The device polls faster than the interval allows.',
    fix: 'Wait 5 seconds more between polls from now on (RFC 8628 §3.5).',
  },
  {
    error: 'expired_token',
    places: TOKEN,
    meaning: 'The device code expired before the user approved it.',
    fix: 'Start a new device authorization request.',
  },
  {
    error: 'access_denied',
    places: ['token'],
    meaning: `The user clicked ${DEVICE_DENY_LABEL} on the device approval page.`,
    fix: 'Nothing to fix: the user said no. Start again if it was a mistake.',
  },
  // --- The authorization response at the callback (RFC 6749 §4.1.2.1) ------------------------------
  {
    error: 'access_denied',
    places: ['callback', 'authorization'],
    meaning: `The user clicked ${CONSENT_DENY_LABEL} on the consent page.`,
    fix: 'Nothing to fix: the user said no. Start the sign-in again to ask again.',
  },
  {
    error: 'redirect_uri_mismatch',
    places: ['callback', 'authorization'],
    meaning: 'The redirect_uri is not registered for the application: the server shows an error page instead of redirecting (RFC 9700 §4.1).',
    fix: 'Add the exact callback to the application’s redirect URIs (this page offers the playground’s), or use a registered one.',
  },
  {
    error: 'login_required',
    places: ['callback'],
    meaning: 'prompt=none was sent and no user is signed in.',
    fix: 'Send the request without prompt=none, so the user can log in.',
  },
  {
    error: 'consent_required',
    places: ['callback'],
    meaning: 'prompt=none was sent and the user has not consented to this application yet.',
    fix: 'Send the request without prompt=none, so the user can consent.',
  },
  {
    error: 'unsupported_response_type',
    places: ['callback', 'authorization'],
    meaning: 'The response_type is not supported: this server answers response_type=code only.',
    fix: 'Send response_type=code.',
  },
  // --- Bearer tokens (RFC 6750 §3.1) ----------------------------------------------------------------
  {
    error: 'invalid_token',
    places: BEARER,
    description: /issued to a user/i,
    meaning: 'The access token has no user (client credentials), and this endpoint needs one.',
    fix: 'Use an access token from a user’s sign-in (authorization code or device code) with openid.',
  },
  {
    error: 'invalid_token',
    places: BEARER,
    meaning: 'The access token is unknown, expired or revoked.',
    fix: 'Get a new one (refresh, or sign in again); after a revocation, every token of that sign-in stops working.',
  },
  {
    error: 'insufficient_scope',
    places: BEARER,
    meaning: 'The access token lacks a scope this endpoint needs (openid for UserInfo, the introspection scope for a public client’s introspection).',
    fix: 'Sign in again asking for that scope.',
  },
  {
    error: 'unsupported_token_type',
    places: ['revocation'],
    meaning: 'The server cannot revoke this kind of token.',
    fix: 'Revoke an access token or a refresh token.',
  },
  {
    error: 'temporarily_unavailable',
    places: [],
    meaning: 'The server is busy or its database is unreachable for a moment.',
    fix: 'Retry after the Retry-After header’s seconds.',
  },
  {
    error: 'server_error',
    places: [],
    meaning: 'The server failed on an unexpected problem (logged on the server, without secrets).',
    fix: 'Retry; if it persists, tell the server’s staff the time it happened.',
  },
];

/**
 * The explanation of an error answer: the first catalogue entry for this `error` answered at this
 * `place` whose description pattern (if any) matches `description`.
 *
 * @param place the endpoint that answered, or 'callback' for an authorization error response
 * @param error the answer's `error` (RFC 6749 §5.2; RFC 6750 §3.1 from WWW-Authenticate)
 * @param description the answer's `error_description`, if any
 * @returns the entry, or null for an error this server does not answer there
 */
export function explainError(place: ErrorPlace, error: string, description?: string | null): ErrorExplanation | null {
  return (
    ERROR_EXPLANATIONS.find(
      (e) => e.error === error && (e.places.length === 0 || e.places.includes(place)) && (!e.description || e.description.test(description ?? '')),
    ) ?? null
  );
}

/**
 * The RFC 6750 §3 error of a `WWW-Authenticate: Bearer …` challenge: its `error` and
 * `error_description` parameters (quoted strings), or null when it has none.
 */
export function challengeError(header: string | null): { error: string; description: string | null } | null {
  if (!header) return null;
  const param = (name: string) => new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(header)?.[1]?.replace(/\\(.)/g, '$1') ?? null;
  const error = param('error');
  return error ? { error, description: param('error_description') } : null;
}
