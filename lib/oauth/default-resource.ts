// The default (built-in) protected resource: the example API under ISSUER/api (/api/hello,
// /api/notes, and any `withBearerRoute` of your own), and its RFC 9728 metadata document, served at
// /.well-known/oauth-protected-resource/api (RFC 9728 §3.1) and at the bare well-known path.
import type { OAuthResponse } from './http';
import { urlFor } from './paths';
import { defaultResourceIdentifier, protectedResourceMetadata, type ProtectedResource } from './protected-resource';
import { publicJson } from './oidc/discovery';
import { INTROSPECTION_SCOPE } from './endpoints/introspect';
import { env, type Env } from '../env';

/** RFC 9728 §2 resource_name of the built-in resource. */
export const API_RESOURCE_NAME = 'API';

/**
 * The built-in resource: identifier `${ISSUER}/api` (the default resource), this server as its
 * only authorization server, the configured SCOPES as its scopes (without `introspection`, which is
 * the introspection endpoint's, not the API's), its metadata at the manifest's
 * `protected_resource_metadata` path.
 */
export function apiResource(e: Env = env()): ProtectedResource {
  return {
    identifier: defaultResourceIdentifier(e.ISSUER),
    authorizationServers: [e.ISSUER],
    scopes: e.SCOPES.filter((s) => s !== INTROSPECTION_SCOPE),
    name: API_RESOURCE_NAME,
    metadataUrl: urlFor('protected_resource_metadata', e.ISSUER),
  };
}

const KEY = Symbol.for('oauth.protectedResourceMetadata');
type G = typeof globalThis & { [KEY]?: { env: Env; body: string } };

/**
 * GET /.well-known/oauth-protected-resource/api and /.well-known/oauth-protected-resource: the
 * built-in resource's metadata (RFC 9728 §3.2: 200, application/json). Public and cacheable for
 * limits.discoveryCacheSeconds (300 s), CORS `*` (the route manifest). Built once per settings object.
 */
export async function protectedResourceMetadataEndpoint(): Promise<OAuthResponse> {
  const g = globalThis as G;
  const e = env();
  if (g[KEY]?.env !== e) g[KEY] = { env: e, body: JSON.stringify(protectedResourceMetadata(apiResource(e))) };
  return publicJson(g[KEY].body);
}
