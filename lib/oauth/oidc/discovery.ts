// Discovery (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) and the JWKS (RFC 7517 §5).
// Public, cacheable documents served with CORS `*`. Both are built once per process and reused: the
// metadata depends on the settings and the resources' scopes (rebuilt when either changes); the
// JWKS is re-serialised only when the keys change.
//
// RFC 8707 resource indicators are supported at /o/authorize/, /o/token/ and
// /o/device-authorization/, but no metadata parameter says so: none is registered (IANA's OAuth Authorization Server Metadata
// registry has none for RFC 8707), and clients that use them (MCP's) send `resource` regardless.
import type { OAuthResponse } from '../http';
import { urlFor, type PathName } from '../paths';
import { knownScopes } from '../scope';
import { listResources, resourcesFresh, resourcesVersion, supportedScopes } from '../resources';
import { supportedGrantTypes } from '../grants/catalogue';
import { env, type Env } from '../../env';
import { CLAIMS_SUPPORTED, ID_TOKEN_ALGS } from './id-token';
import { jwksJson } from './keys';

/**
 * The authorization server's metadata (OIDC Discovery 1.0 §3, RFC 8414 §2). Endpoint URLs come from
 * the one table of paths (lib/oauth/paths.ts) under ISSUER.
 * @param scopes `scopes_supported`: every resource's scopes and OIDC's (supportedScopes); default:
 *   the settings' (SCOPES and OIDC's), for callers without the database
 */
export function discoveryMetadata(e: Env = env(), scopes: string[] = knownScopes()): Record<string, unknown> {
  const iss = e.ISSUER;
  const url = (name: PathName) => urlFor(name, iss);
  const clientAuth = ['client_secret_basic', 'client_secret_post', 'none'];
  return {
    issuer: iss,
    authorization_endpoint: url('authorization'),
    token_endpoint: url('token'),
    userinfo_endpoint: url('userinfo'),
    jwks_uri: url('jwks'),
    revocation_endpoint: url('revocation'),
    introspection_endpoint: url('introspection'),
    end_session_endpoint: url('end_session'),
    device_authorization_endpoint: url('device_authorization'),
    // RFC 8414 §2: only where registration is possible (REGISTRATION, lib/oauth/endpoints/register.ts).
    ...(e.REGISTRATION !== 'closed' ? { registration_endpoint: url('registration') } : {}),
    // draft-ietf-oauth-client-id-metadata-document: an https client_id is fetched (lib/oauth/client-metadata.ts).
    client_id_metadata_document_supported: true,
    scopes_supported: scopes,
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

/** A public JSON document (discovery, JWKS, protected resource metadata), cacheable for limits.discoveryCacheSeconds. */
export const publicJson = (body: string): OAuthResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': `public, max-age=${env().limits.discoveryCacheSeconds}` },
  body,
});

const KEY = Symbol.for('oauth.discovery');
type G = typeof globalThis & { [KEY]?: { env: Env; version: number; body: string } };

async function metadataBody(): Promise<string> {
  const g = globalThis as G;
  const e = env();
  // Cached (lib/oauth/resources.ts): awaited only when stale; a reload bumps resourcesVersion.
  if (!resourcesFresh()) await listResources();
  const version = resourcesVersion();
  // Keyed on the settings object (tests that reset the environment get a fresh document) and the
  // resources' cache version (a resource added or changed): built again only then.
  if (g[KEY]?.env !== e || g[KEY].version !== version) g[KEY] = { env: e, version, body: JSON.stringify(discoveryMetadata(e, await supportedScopes())) };
  return g[KEY].body;
}

/**
 * GET /.well-known/openid-configuration (and DOT's /o/.well-known/openid-configuration), and
 * /.well-known/oauth-authorization-server (RFC 8414 §3): the same metadata. Public and cacheable;
 * GET only, CORS `*` (the route manifest).
 */
export const metadataEndpoint = async (): Promise<OAuthResponse> => publicJson(await metadataBody());

/** GET /.well-known/jwks.json (and /o/.well-known/jwks.json): the signing keys (RFC 7517 §5). */
export const jwksEndpoint = async (): Promise<OAuthResponse> => publicJson(await jwksJson());
