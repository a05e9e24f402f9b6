// Where each endpoint and page lives: the one table of this server's paths. The route manifest
// (lib/server/manifest.ts) binds each endpoint name to its function and both doors serve it from
// there; discovery, the device flow's verification URI, the login URL, the README's endpoint table
// (test/features/doors/routes.test.ts) and the tests take their paths from here. Pure data: no Node.js, Next.js or
// settings imports, so any module (and the browser) can use it.

/** A path as published (the tutorial's URLs end in "/"), and the other paths that serve the same. */
export interface PathSpec {
  path: string;
  aliases?: readonly string[];
}

/**
 * The endpoints both doors serve (the node:http door and the App Router route handlers), named with
 * the words of the specifications' metadata (RFC 8414 §2, OIDC Discovery §3) where there are some.
 */
export const ENDPOINT_PATHS = {
  authorization: { path: '/o/authorize/' },
  token: { path: '/o/token/' },
  revocation: { path: '/o/revoke_token/' },
  introspection: { path: '/o/introspect/' },
  userinfo: { path: '/o/userinfo/' },
  device_authorization: { path: '/o/device-authorization/' },
  // DOT serves discovery and the keys under /o/ too.
  openid_configuration: { path: '/.well-known/openid-configuration', aliases: ['/o/.well-known/openid-configuration'] },
  authorization_server_metadata: { path: '/.well-known/oauth-authorization-server' },
  jwks: { path: '/.well-known/jwks.json', aliases: ['/o/.well-known/jwks.json'] },
  // RFC 9728 §3.1: the built-in resource ISSUER/api's metadata, at the well-known path with the
  // resource's path appended; also at the bare well-known path, where clients that know only the
  // host look (the MCP SDK falls back to it).
  protected_resource_metadata: { path: '/.well-known/oauth-protected-resource/api' },
  // RFC 7591 §3 client registration endpoint, RFC 7592 §2 client configuration endpoint (one per
  // client: `[client_id]` is its client_id, percent-encoded; clientConfigurationUrl).
  registration: { path: '/o/register/' },
  client_configuration: { path: '/o/register/[client_id]/' },
  api_hello: { path: '/api/hello' },
  api_notes: { path: '/api/notes' },
  // For load balancers and orchestrators (lib/server/health.ts): liveness and readiness.
  healthz: { path: '/healthz' },
  readyz: { path: '/readyz' },
} as const satisfies Record<string, PathSpec>;

/** Paths only Next.js serves (pages, and the end-session route), named because protocol answers link to them. */
export const PAGE_PATHS = {
  /** OIDC RP-Initiated Logout 1.0 §2: the end_session_endpoint (app/o/logout/route.ts). */
  end_session: '/o/logout/',
  /** RFC 8628 §3.2 verification_uri: where the user enters the device's code (app/o/device/). */
  device_verification: '/o/device/',
  /** The login page (app/(auth)/accounts/login/). */
  login: '/accounts/login/',
  /** The consent page of a pending authorization request (app/o/authorize/consent/). */
  consent: '/o/authorize/consent/',
  /** The signed-in user's applications (app/o/applications/): the error page's fixes link there. */
  applications: '/o/applications/',
  /**
   * The playground's callback (app/o/applications/playground/callback/): a redirect URI on this
   * server that hands the authorization response to the playground's tab (lib/apps/playground.ts).
   */
  playground_callback: '/o/applications/playground/callback/',
} as const;

export type EndpointName = keyof typeof ENDPOINT_PATHS;
export type PageName = keyof typeof PAGE_PATHS;
export type PathName = EndpointName | PageName;

/** The published path of an endpoint or page, e.g. pathFor('token') = '/o/token/'. */
export function pathFor(name: PathName): string {
  return name in ENDPOINT_PATHS ? ENDPOINT_PATHS[name as EndpointName].path : PAGE_PATHS[name as PageName];
}

/**
 * The absolute URL of an endpoint or page under `issuer` (node-oidc-provider's `urlFor`).
 * @param issuer the issuer identifier (ISSUER: scheme, host, optional port, no trailing slash)
 */
export function urlFor(name: PathName, issuer: string): string {
  return `${issuer}${pathFor(name)}`;
}

/**
 * RFC 7592 §3 registration_client_uri: the client configuration endpoint of `clientId` under `issuer`.
 * @param issuer ISSUER
 */
export function clientConfigurationUrl(issuer: string, clientId: string): string {
  return `${issuer}${ENDPOINT_PATHS.client_configuration.path.replace('[client_id]', encodeURIComponent(clientId))}`;
}

/**
 * The `[name]` segments of a path pattern (e.g. '/o/register/[client_id]/') read from a request's
 * path, decoded; null when the path does not have the pattern's shape. Trailing slash optional.
 */
export function pathParams(pattern: string, pathname: string): Record<string, string> | null {
  const strip = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
  const want = strip(pattern).split('/');
  const got = strip(pathname).split('/');
  if (want.length !== got.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const m = /^\[(\w+)\]$/.exec(want[i]!);
    if (!m) {
      if (want[i] !== got[i]) return null;
      continue;
    }
    if (got[i] === '') return null;
    try {
      out[m[1]!] = decodeURIComponent(got[i]!);
    } catch {
      return null;
    }
  }
  return out;
}

/** Every path an endpoint answers on: its published path, then its aliases. */
export function endpointPaths(name: EndpointName): string[] {
  const spec: PathSpec = ENDPOINT_PATHS[name];
  return [spec.path, ...(spec.aliases ?? [])];
}

/** The login page that returns to `next` (a same-site path) afterwards. */
export function loginPath(next: string): string {
  return `${pathFor('login')}?next=${encodeURIComponent(next)}`;
}
