// OAuth 2.0 Protected Resource Metadata (RFC 9728): what a protected resource publishes so that a
// client meeting its 401 can find the authorization server to ask for a token (the MCP
// authorization specification's discovery). Pure functions, no settings, database or Next.js: the
// endpoint wrapper (lib/oauth/endpoint.ts: the manifest's /api entries, `withBearerRoute`,
// `protectedResource`) uses them, and so can a resource server that is not this app (the MCP
// server of e2e/mcp.spec.ts).

/** RFC 9728 §3: the well-known URI suffix registered for protected resource metadata. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** A protected resource as its metadata describes it (RFC 9728 §2). */
export interface ProtectedResource {
  /** `resource`: its identifier, an absolute https (or, in development, http) URL without fragment; the RFC 8707 `resource` value clients send. */
  identifier: string;
  /** `authorization_servers`: the issuer identifiers (RFC 8414) of the servers whose tokens it accepts. */
  authorizationServers: readonly string[];
  /** `scopes_supported`: the scopes it understands. */
  scopes: readonly string[];
  /** `resource_name`: a human-readable name. */
  name?: string;
  /** Where its metadata is served; default: the RFC 9728 §3.1 location derived from `identifier`. */
  metadataUrl?: string;
}

/**
 * RFC 9728 §3.1: the metadata URL of a resource identifier. "/.well-known/oauth-protected-resource"
 * goes between the host and the path (and query); a terminating slash after the host is removed
 * first. E.g. `https://rs.example/api` → `https://rs.example/.well-known/oauth-protected-resource/api`,
 * `https://rs.example/` → `https://rs.example/.well-known/oauth-protected-resource`.
 *
 * @param identifier an absolute URL
 * @throws TypeError when `identifier` is not an absolute URL, or has a fragment (RFC 9728 §1.2)
 */
export function protectedResourceMetadataUrl(identifier: string): string {
  const u = new URL(identifier);
  if (u.hash !== '' || identifier.includes('#')) throw new TypeError('A resource identifier has no fragment (RFC 9728 section 1.2).');
  const path = u.pathname === '/' ? '' : u.pathname;
  return `${u.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${u.search}`;
}

/** Where a resource's metadata is served: its `metadataUrl`, else the RFC 9728 §3.1 location. */
export function metadataUrlOf(r: ProtectedResource): string {
  return r.metadataUrl ?? protectedResourceMetadataUrl(r.identifier);
}

/**
 * RFC 9728 §2, §3.2: the metadata document of a resource, as JSON members: `resource`,
 * `authorization_servers`, `scopes_supported`, `bearer_methods_supported` (only the Authorization
 * header: RFC 6750 §2.1; the form body and query are refused here), `resource_name` when named.
 */
export function protectedResourceMetadata(r: ProtectedResource): Record<string, unknown> {
  return {
    resource: r.identifier,
    authorization_servers: [...r.authorizationServers],
    scopes_supported: [...r.scopes],
    bearer_methods_supported: ['header'],
    ...(r.name ? { resource_name: r.name } : {}),
  };
}

/**
 * RFC 9728 §5.1: the `resource_metadata` auth-param of a Bearer challenge, e.g.
 * `resource_metadata="https://rs.example/.well-known/oauth-protected-resource/api"`. A URL has no
 * '"' or '\\', so it is a quoted-string as it is.
 */
export function resourceMetadataParam(metadataUrl: string): string {
  return `resource_metadata="${metadataUrl.replace(/["\\]/g, '')}"`;
}
