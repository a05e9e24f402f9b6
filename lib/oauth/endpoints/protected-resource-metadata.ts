// RFC 9728 protected resource metadata of the built-in resource, this server's /api (the default
// resource: lib/oauth/resources.ts), served at /.well-known/oauth-protected-resource/api (§3.1: the
// well-known path with the resource's path appended). Not at the bare well-known path: that URL
// would describe a resource whose identifier is ISSUER itself, and §3.3 has clients reject a
// document whose `resource` differs.
import type { OAuthResponse } from '../http';
import { protectedResourceMetadata } from '../protected-resource';
import { defaultResource, resourcesVersion } from '../resources';
import { publicJson } from '../oidc/discovery';
import { env, type Env } from '../../env';
import { INTROSPECTION_SCOPE } from './introspect';

const KEY = Symbol.for('oauth.protectedResourceMetadata');
type G = typeof globalThis & { [KEY]?: { env: Env; version: number; body: string } };

/**
 * GET /.well-known/oauth-protected-resource/api: the
 * built-in resource's metadata (RFC 9728 §3.2: 200, application/json): `resource` its identifier
 * (builtInIdentifier, `${ISSUER}/api`), this server as its only authorization server, its row's
 * scopes (the SCOPES setting) but `introspection`, which authorizes a call to this server's
 * introspection endpoint, not to /api (an MCP client asks for every scope listed here), and name. Public and cacheable for limits.discoveryCacheSeconds,
 * CORS `*` (the route manifest). Built again only when the settings or the resources change (the
 * resources' cache: no statement per request).
 */
export async function protectedResourceMetadataEndpoint(): Promise<OAuthResponse> {
  const g = globalThis as G;
  const e = env();
  const api = await defaultResource(); // cached (listResources)
  const version = resourcesVersion();
  if (g[KEY]?.env !== e || g[KEY].version !== version) {
    const metadata = protectedResourceMetadata({ identifier: api.identifier, authorizationServers: [e.ISSUER], scopes: api.scopes.map((s) => s.name).filter((s) => s !== INTROSPECTION_SCOPE), name: api.name });
    g[KEY] = { env: e, version, body: JSON.stringify(metadata) };
  }
  return publicJson(g[KEY].body);
}
