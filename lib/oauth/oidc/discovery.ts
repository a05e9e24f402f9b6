// Discovery (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) and the JWKS (RFC 7517 §5).
// Public, cacheable documents served with CORS `*`. Both are built once per process and reused: the
// metadata depends only on the settings; the JWKS is re-serialised only when the keys change.
import type { OAuthRequest, OAuthResponse } from '../http';
import { publicPreflight } from '../cors';
import { knownScopes } from '../scope';
import { supportedGrantTypes } from '../grants/catalogue';
import { env, type Env } from '../../env';
import { CLAIMS_SUPPORTED, ID_TOKEN_ALGS } from './id-token';
import { jwksJson } from './keys';

export function discoveryMetadata(e: Env = env()): Record<string, unknown> {
  const iss = e.ISSUER;
  const clientAuth = ['client_secret_basic', 'client_secret_post', 'none'];
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/o/authorize/`,
    token_endpoint: `${iss}/o/token/`,
    userinfo_endpoint: `${iss}/o/userinfo/`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    revocation_endpoint: `${iss}/o/revoke_token/`,
    introspection_endpoint: `${iss}/o/introspect/`,
    end_session_endpoint: `${iss}/o/logout/`,
    device_authorization_endpoint: `${iss}/o/device-authorization/`,
    scopes_supported: knownScopes(),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: supportedGrantTypes(e),
    code_challenge_methods_supported: e.PKCE_ALLOW_PLAIN ? ['S256', 'plain'] : ['S256'],
    token_endpoint_auth_methods_supported: clientAuth,
    revocation_endpoint_auth_methods_supported: clientAuth,
    // Public clients cannot introspect (a resource server must prove who it is); bearer tokens with
    // the `introspection` scope are also accepted.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    claims_supported: CLAIMS_SUPPORTED,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    // Discovery §3 defaults this one to true, so it must be said.
    request_uri_parameter_supported: false,
  };
}

const CACHE_SECONDS = 300;

const publicJson = (body: string): OAuthResponse => ({
  status: 200,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': `public, max-age=${CACHE_SECONDS}`,
    'access-control-allow-origin': '*',
  },
  body,
});

function notAllowed(): OAuthResponse {
  return {
    status: 405,
    headers: { 'content-type': 'application/json; charset=utf-8', allow: 'GET, HEAD, OPTIONS', 'access-control-allow-origin': '*', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: 'invalid_request', error_description: 'Use GET.' }),
  };
}

const KEY = Symbol.for('oauth.discovery');
type G = typeof globalThis & { [KEY]?: { env: Env; body: string } };

function metadataBody(): string {
  const g = globalThis as G;
  const e = env();
  // Keyed on the settings object: tests that reset the environment get a fresh document.
  if (g[KEY]?.env !== e) g[KEY] = { env: e, body: JSON.stringify(discoveryMetadata(e)) };
  return g[KEY].body;
}

async function publicDocument(req: OAuthRequest, body: () => string | Promise<string>): Promise<OAuthResponse> {
  if (req.method === 'OPTIONS') return publicPreflight();
  if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed();
  return publicJson(await body());
}

/** GET /.well-known/openid-configuration (and DOT's /o/.well-known/openid-configuration). */
export const openidConfigurationEndpoint = (req: OAuthRequest) => publicDocument(req, metadataBody);

/** GET /.well-known/oauth-authorization-server (RFC 8414 §3): the same metadata. */
export const authorizationServerMetadataEndpoint = (req: OAuthRequest) => publicDocument(req, metadataBody);

/** GET /.well-known/jwks.json (and /o/.well-known/jwks.json). */
export const jwksEndpoint = (req: OAuthRequest) => publicDocument(req, jwksJson);
