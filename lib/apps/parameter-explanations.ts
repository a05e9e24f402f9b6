// What each parameter and header of the playground's requests means (app/o/applications/_components/
// playground.tsx): one sentence each, and the section of the specification that defines it. One
// entry per name, and variants where a name means something else at one endpoint or for one value
// (`token` at revocation is RFC 7009's, at introspection RFC 7662's; grant_type by grant); the
// playground looks every parameter of a request up here (a parameter without an entry is shown
// unexplained, and lib/apps/parameter-explanations.test.ts fails). Pure data.
import type { EndpointName } from '../oauth/paths';

/** A parameter's explanation: one sentence, the section's title and its address. */
export interface ParameterExplanation {
  text: string;
  /** e.g. "RFC 6749 §4.1.1" */
  section: string;
  href: string;
}

const rfc = (n: number, section: string) => `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`;
const OIDC_CORE = 'https://openid.net/specs/openid-connect-core-1_0.html';

const entry = (text: string, n: number, section: string): ParameterExplanation => ({ text, section: `RFC ${n} §${section}`, href: rfc(n, section) });

/** The explanations, by parameter (or header) name. */
export const PARAMETER_EXPLANATIONS: Readonly<Record<string, ParameterExplanation>> = {
  response_type: entry('code asks for an authorization code, which the client then exchanges for tokens at the token endpoint.', 6749, '4.1.1'),
  client_id: entry('Which application is asking: its client id, shown on the application’s page.', 6749, '2.2'),
  client_secret: entry('The confidential application’s password (client_secret_post); it proves the request comes from the application itself.', 6749, '2.3.1'),
  redirect_uri: entry('Where the server sends the browser back with the code; it must equal one of the application’s redirect URIs exactly, and the exchange repeats it.', 6749, '3.1.2'),
  scope: entry('What the tokens may be used for, space-separated; openid also asks for an ID token.', 6749, '3.3'),
  state: entry('A random value the client checks on the way back, so that a callback it did not start is refused (CSRF).', 6749, '10.12'),
  code_challenge: entry('The SHA-256 hash of the code_verifier (base64url): the server keeps it with the code.', 7636, '4.2'),
  code_challenge_method: entry('S256: the challenge is the SHA-256 hash of the verifier (plain is refused).', 7636, '4.3'),
  code_verifier: entry('The secret random string whose hash was the code_challenge: it proves this client started the sign-in (PKCE).', 7636, '4.5'),
  nonce: {
    text: 'A random value the ID token must carry back, so that a replayed ID token is refused.',
    section: 'OpenID Connect Core §3.1.2.1',
    href: `${OIDC_CORE}#AuthRequest`,
  },
  grant_type: entry('Which grant the token request uses: authorization_code, client_credentials, refresh_token, or the device code’s URN.', 6749, '4.1.3'),
  code: entry('The authorization code the callback received: single-use and short-lived.', 6749, '4.1.3'),
  refresh_token: entry('The refresh token of an earlier answer: it gets new tokens without the user; this server rotates it (the old one stops working).', 6749, '6'),
  device_code: entry('The device code of the device authorization answer: the device polls with it until the user approves.', 8628, '3.4'),
  token: entry('The token to introspect.', 7662, '2.1'),
  token_type_hint: entry('Which kind of token `token` is (access_token or refresh_token): a hint that speeds up the lookup.', 7662, '2.1'),
  resource: entry('The API (resource server) the tokens are for: the access token’s audience.', 8707, '2'),
  Authorization: entry('Bearer and the access token: how a client presents the token to an API.', 6750, '2.1'),
  'Content-Type': entry('application/x-www-form-urlencoded: the body is a form, as every token-endpoint request must be.', 6749, '4.1.3'),
};

/** Where a parameter is sent: the endpoint, and its value. */
export interface ParameterPlace {
  endpoint?: EndpointName;
  value?: string;
}

/** A variant of a name's explanation: where it applies (every given field must match). */
interface Variant extends ParameterPlace {
  explanation: ParameterExplanation;
}

/** The variants, by name, most specific first; a name without a matching variant takes PARAMETER_EXPLANATIONS'. */
export const PARAMETER_VARIANTS: Readonly<Record<string, readonly Variant[]>> = {
  // RFC 7009 §2.1 and RFC 7662 §2.1 both define `token` and `token_type_hint`, for different requests.
  token: [{ endpoint: 'revocation', explanation: entry('The token to revoke: revoking a refresh token also ends the access tokens of its sign-in.', 7009, '2.1') }],
  token_type_hint: [
    { endpoint: 'revocation', explanation: entry('Which kind of token `token` is (refresh_token or access_token): a hint that speeds up the lookup.', 7009, '2.1') },
  ],
  grant_type: [
    { value: 'authorization_code', explanation: entry('authorization_code: exchange the code of the authorization response for tokens.', 6749, '4.1.3') },
    { value: 'client_credentials', explanation: entry('client_credentials: the application asks for a token for itself, with no user.', 6749, '4.4.2') },
    { value: 'refresh_token', explanation: entry('refresh_token: new tokens from a refresh token, without the user.', 6749, '6') },
    { value: 'urn:ietf:params:oauth:grant-type:device_code', explanation: entry('The device code grant’s URN: the device polls for the tokens of its device code.', 8628, '3.4') },
  ],
  redirect_uri: [
    { endpoint: 'token', explanation: entry('The redirect_uri of the authorization request, repeated: the code is only exchanged when they are the same.', 6749, '4.1.3') },
  ],
  // How an introspection request is authorized (RFC 7662 §2.1: the endpoint requires it); the introspect step shows these too.
  client_secret: [
    { endpoint: 'introspection', explanation: entry('Introspection needs the caller’s authorization: a confidential application authenticates with its own client_id and client secret.', 7662, '2.1') },
  ],
  Authorization: [
    {
      endpoint: 'introspection',
      explanation: entry('Introspection needs the caller’s authorization: a public application sends a bearer token carrying the introspection scope, which the playground asks for at sign-in for that reason.', 7662, '2.1'),
    },
  ],
  'Content-Type': [
    { endpoint: 'introspection', explanation: entry('application/x-www-form-urlencoded: the introspection request’s body is a form.', 7662, '2.1') },
    { endpoint: 'revocation', explanation: entry('application/x-www-form-urlencoded: the revocation request’s body is a form.', 7009, '2.1') },
    { endpoint: 'device_authorization', explanation: entry('application/x-www-form-urlencoded: the device authorization request’s body is a form.', 8628, '3.1') },
  ],
};

/**
 * The explanation of parameter (or header) `name` where it is sent: the first variant whose
 * endpoint and value match `place`, else the name's own entry.
 * @returns null when there is none
 */
export function explainParameter(name: string, place: ParameterPlace = {}): ParameterExplanation | null {
  const variants = Object.hasOwn(PARAMETER_VARIANTS, name) ? PARAMETER_VARIANTS[name] : [];
  const v = variants.find((x) => (x.endpoint === undefined || x.endpoint === place.endpoint) && (x.value === undefined || x.value === place.value));
  if (v) return v.explanation;
  return Object.hasOwn(PARAMETER_EXPLANATIONS, name) ? PARAMETER_EXPLANATIONS[name] : null;
}
