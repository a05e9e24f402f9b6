// The grant catalogue: every authorization grant type this server knows, described once.
// The token endpoint (which grants it runs and for whom), discovery (grant_types_supported), the
// application schema (what may be registered, and with what) and the application form (labels,
// hints, order) all read this table. Pure data: no Node or Next.js imports, so the browser's form
// bundle can use it too.

/** The grant types' identifiers (RFC 6749's grants, and RFC 8628 §3.4's URN for the device grant). */
export const GRANT_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
export const GRANT_REFRESH_TOKEN = 'refresh_token';
export const GRANT_PASSWORD = 'password';
export const GRANT_IMPLICIT = 'implicit';

/** The settings a grant's availability depends on (a subset of `Settings`, lib/env.ts). */
export interface GrantSettings {
  ALLOW_PASSWORD_GRANT: boolean;
}

export interface GrantDescription {
  /** The `grant_type` value (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6; RFC 8628 §3.4). */
  type: string;
  /** Short, id-safe key for form controls (the device grant's URN contains colons). */
  key: string;
  /** What the form and the admin pages call it. */
  label: string;
  /** One line under the form's checkbox: who the grant is for. */
  hint: string;
  /**
   * Whether a public client (no secret) may use it. RFC 6749 §4.4: client credentials "MUST only be
   * used by confidential clients"; the password grant (§4.3) authenticates the client too.
   */
  publicClients: boolean;
  /** The grant sends the user agent to a registered redirect URI (RFC 6749 §3.1.2). */
  needsRedirectUri: boolean;
  /** Removed from the modern profile (RFC 9700 §2.1.2, §2.4); registrable only for old clients. */
  deprecated: boolean;
  /** Checked on a new application's form. */
  defaultOn: boolean;
  /** Redeemed at the token endpoint (`implicit` never is: its tokens would come from /o/authorize). */
  tokenEndpoint: boolean;
  /** The token request's own parameters, besides grant_type and client authentication. */
  parameters: readonly string[];
  /** Offered by this server under these settings (token endpoint and discovery). */
  enabled(settings: GrantSettings): boolean;
  /** The setting that turns it on, named in the refusal while it is off. */
  switchedOnBy?: keyof GrantSettings;
}

const always = () => true;

/** In the order the form lists them. */
export const GRANT_CATALOGUE = [
  {
    type: GRANT_AUTHORIZATION_CODE,
    key: 'authorization_code',
    label: 'Authorization code',
    hint: 'Web, mobile and single-page apps signing users in (with PKCE).',
    publicClients: true,
    needsRedirectUri: true,
    deprecated: false,
    defaultOn: true,
    tokenEndpoint: true,
    parameters: ['code', 'redirect_uri', 'code_verifier'],
    enabled: always,
  },
  {
    type: GRANT_CLIENT_CREDENTIALS,
    key: 'client_credentials',
    label: 'Client credentials',
    hint: 'A server acting on its own behalf, no user.',
    publicClients: false,
    needsRedirectUri: false,
    deprecated: false,
    defaultOn: false,
    tokenEndpoint: true,
    parameters: ['scope'],
    enabled: always,
  },
  {
    type: GRANT_DEVICE_CODE,
    key: 'device_code',
    label: 'Device code',
    hint: 'TVs and CLIs: the user approves on another device.',
    // RFC 8628 §3.4: public clients identify with client_id; confidential ones authenticate (RFC 6749 §3.2.1).
    publicClients: true,
    needsRedirectUri: false,
    deprecated: false,
    defaultOn: false,
    tokenEndpoint: true,
    parameters: ['device_code'],
    enabled: always,
  },
  {
    type: GRANT_REFRESH_TOKEN,
    key: 'refresh_token',
    label: 'Refresh token',
    hint: 'Issue refresh tokens, so the app can renew access without the user.',
    publicClients: true,
    needsRedirectUri: false,
    deprecated: false,
    defaultOn: true,
    tokenEndpoint: true,
    parameters: ['refresh_token', 'scope'],
    enabled: always,
  },
  {
    type: GRANT_PASSWORD,
    key: 'password',
    label: 'Password (deprecated)',
    hint: 'The app collects the user’s password. Avoid (RFC 9700 §2.4).',
    publicClients: false,
    needsRedirectUri: false,
    deprecated: true,
    defaultOn: false,
    tokenEndpoint: true,
    parameters: ['username', 'password', 'scope'],
    enabled: (s: GrantSettings) => s.ALLOW_PASSWORD_GRANT,
    switchedOnBy: 'ALLOW_PASSWORD_GRANT',
  },
  {
    type: GRANT_IMPLICIT,
    key: 'implicit',
    label: 'Implicit (deprecated)',
    hint: 'Tokens in the redirect URL. Avoid: use Authorization code with PKCE (RFC 9700 §2.1.2).',
    publicClients: true,
    needsRedirectUri: true,
    deprecated: true,
    defaultOn: false,
    tokenEndpoint: false,
    parameters: [],
    enabled: () => false,
  },
] as const satisfies readonly GrantDescription[];

export type GrantType = (typeof GRANT_CATALOGUE)[number]['type'];

/** Every grant type, in the form's order. */
export const GRANT_TYPES = GRANT_CATALOGUE.map((g) => g.type) as GrantType[];

const byType = new Map<string, GrantDescription>(GRANT_CATALOGUE.map((g) => [g.type, g]));

/** The catalogue entry for a `grant_type` value; undefined for one this server does not know. */
export function describeGrant(type: string): GrantDescription | undefined {
  return byType.get(type);
}

/** The label of a grant type for pages; an unknown one is shown as it is. */
export const grantTypeLabel = (type: string): string => byType.get(type)?.label ?? type;

/** RFC 8414 §2 `grant_types_supported`: the grants the token endpoint runs under these settings. */
export function supportedGrantTypes(settings: GrantSettings): string[] {
  return GRANT_CATALOGUE.filter((g) => g.tokenEndpoint && g.enabled(settings)).map((g) => g.type);
}
