// The one endpoint wrapper: the HTTP plumbing every endpoint shares, in one place. An endpoint is
// described by an EndpointSpec (its methods, CORS policy, error form, whether it reads a form, who
// its caller is) and a handler that receives the validated request and its caller and returns the
// answer, or throws OAuthError to fail. The route manifest (lib/server/manifest.ts) holds the specs;
// both doors (lib/server/node-door.ts, lib/server/next-door.ts) serve them through `defineEndpoint`.
// `withBearerRoute` is the same wrapper for a route handler of your own (README, "Protecting your
// API"), and `protectedResource` makes a route a protected resource of its own (RFC 9728 metadata).
import { AuthorizationError, OAuthError, logUnexpected, methodNotAllowed, toErrorResponse } from './errors';
import { parseForm, redirectResponse, type OAuthRequest, type OAuthResponse, type Params } from './http';
import { preflight, publicPreflight, withCors, withPublicCors, type CorsApplication } from './cors';
import { authenticateClient, nameClient, type AuthenticatedClient } from './client-auth';
import { authenticateBearer, bearerTokenFrom, BUILT_IN_RESOURCE, type BearerContext, type BearerOptions } from './bearer';
import { htmlErrorPage } from './error-page';
import type { BearerChallengeParams } from './errors';
import { protectedResourceMetadata, protectedResourceMetadataUrl, type ProtectedResource } from './protected-resource';
import { publicJson } from './oidc/discovery';
import { urlFor } from './paths';
import { env, type Env } from '../env';
import type { ErrorForm } from '../http/body';
import { clientIp } from '../http/client-ip';

/** The methods an endpoint may serve. HEAD is served wherever GET is (RFC 9110 §9.3.2); OPTIONS by the CORS policy. */
export type EndpointMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/**
 * Who may read an answer from a browser page (CORS):
 * - `application`: an origin the caller's application lists in its Allowed origins; a preflight
 *   (no credentials) for an origin any application lists;
 * - `public`: any origin (`*`), for public documents;
 * - `none`: no CORS headers; OPTIONS is then just another method the endpoint does not serve.
 */
export type CorsPolicy = 'application' | 'public' | 'none';

/** How an endpoint authenticates its client (RFC 6749 §2.3, §3.2.1). */
export interface ClientRule {
  /** Whether a public client may identify with client_id alone; may depend on the form's parameters (the token endpoint: on the grant). */
  allowPublic: boolean | ((params: Params) => boolean);
}

/**
 * Who calls the endpoint: a client that authenticates, a bearer token (RFC 6750), or either (a
 * request with a bearer token is judged by it, any other by its client credentials: RFC 7662 §2.1).
 */
export interface CallerRule {
  client?: ClientRule;
  bearer?: BearerOptions;
}

/** The caller a handler receives, by its endpoint's rule. */
export type Caller<R> = R extends { client: ClientRule; bearer: BearerOptions }
  ? { client: AuthenticatedClient; bearer?: undefined } | { bearer: BearerContext; client?: undefined }
  : R extends { client: ClientRule }
    ? { client: AuthenticatedClient }
    : R extends { bearer: BearerOptions }
      ? { bearer: BearerContext }
      : object;

export interface EndpointContext {
  /** The form's parameters (RFC 6749 §3.2: application/x-www-form-urlencoded) when the spec says `form`; else empty. */
  params: Params;
  /** Makes the answer, success or error, follow this application's Allowed origins (policy `application`). */
  allowOriginsOf(app: CorsApplication | null): void;
}

/** A handler's context when its caller is an authenticated client. */
export type ClientCall = EndpointContext & { client: AuthenticatedClient };
/** A handler's context when its caller is a bearer token. */
export type BearerCall = EndpointContext & { bearer: BearerContext };
/** A handler's context when its caller is either (a bearer token when the request carries one). */
export type ClientOrBearerCall = EndpointContext & Caller<{ client: ClientRule; bearer: BearerOptions }>;

/**
 * An endpoint's own work: the validated request and its caller in, the answer out. A HEAD request
 * arrives as GET. Fails by throwing (OAuthError; anything else is a logged server_error).
 */
export type Handler<R = undefined> = (req: OAuthRequest, ctx: EndpointContext & Caller<R>) => Promise<OAuthResponse>;

export interface EndpointSpec<R extends CallerRule | undefined = undefined> {
  /** The methods served; HEAD with GET. */
  methods: readonly EndpointMethod[];
  /**
   * The refusal of every other method: the protocol's invalid_request (400, RFC 6749 §5.2: the
   * OAuth endpoints), or HTTP's Method Not Allowed (methodNotAllowed: 405 with `allow`, RFC 9110 §15.5.6).
   * @param allow the endpoint's Allow header (allowHeader)
   */
  otherMethods: (allow: string) => OAuthError;
  cors: CorsPolicy;
  /** The form of error answers: RFC 6749 §5.2 JSON (default), or an HTML page for browser-facing endpoints. */
  errors?: ErrorForm;
  /** The realm of WWW-Authenticate challenges (RFC 6750 §3, RFC 9110 §11.6.1); default 'oauth'. */
  realm?: string;
  /** The body is a form (parsed, duplicates and NUL refused: lib/oauth/http.ts parseForm). */
  form?: boolean;
  caller?: R;
  handle: Handler<R>;
}

/** What the doors run: a request in, an answer out. Never throws. */
export type Endpoint = (req: OAuthRequest) => Promise<OAuthResponse>;

const NO_PARAMS: Params = new Map();

/**
 * The Allow header of an endpoint (RFC 9110 §10.2.1): its methods, HEAD wherever GET is served
 * (RFC 9110 §9.3.2), and OPTIONS when it answers preflights. E.g. "GET, HEAD, POST, OPTIONS".
 */
export function allowHeader(spec: Pick<EndpointSpec<CallerRule | undefined>, 'methods' | 'cors'>): string {
  const methods = spec.methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
  return [...methods, ...(spec.cors === 'none' ? [] : ['OPTIONS'])].join(', ');
}

/** Names and authenticates the caller by the endpoint's rule; `cors` learns its application first. */
async function identify(rule: CallerRule | undefined, req: OAuthRequest, params: Params, cors: (app: CorsApplication | null) => void): Promise<object> {
  if (!rule) return {};
  if (rule.bearer && (!rule.client || bearerTokenFrom(req) !== null)) {
    return { bearer: await authenticateBearer(req, rule.bearer, cors) };
  }
  const named = await nameClient(req, params);
  // For CORS on errors too: the application the request names (verified or not, it only decides
  // whether the browser may read the answer).
  cors(named.app);
  const { allowPublic } = rule.client!;
  return { client: await authenticateClient(req, named, { allowPublic: typeof allowPublic === 'function' ? allowPublic(params) : allowPublic }) };
}

/**
 * A thrown error in the HTML form (browser-facing endpoints). An error the client may receive (an
 * AuthorizationError after its redirect URI was verified, RFC 6749 §4.1.2.1) is the error redirect:
 * 302, or 303 after a POST (RFC 9700 §4.12). Anything else is the one HTML error view
 * (lib/oauth/error-page.ts): an AuthorizationError's own page, or the error's status and
 * description; unknown errors are logged and never shown.
 */
function htmlError(err: unknown, req: OAuthRequest): OAuthResponse {
  if (err instanceof AuthorizationError) {
    const location = err.location;
    if (location !== null) return redirectResponse(location, { 'referrer-policy': 'no-referrer' }, req.method === 'POST' ? 303 : 302);
    return htmlErrorPage({ status: err.status, ...err.page });
  }
  const e = err instanceof OAuthError ? err : logUnexpected(err);
  const title = e.status === 405 ? 'Method not allowed' : e.status === 503 ? 'Temporarily unavailable' : e.status >= 500 ? 'Server error' : 'Invalid request';
  const page = htmlErrorPage({ status: e.status, title, message: e.description ?? e.code });
  Object.assign(page.headers, e.headers);
  return page;
}

/** The answer with CORS headers by the endpoint's policy; `app` is the application a policy `application` follows. */
function withPolicyCors(policy: CorsPolicy, res: OAuthResponse, req: OAuthRequest, app: CorsApplication | null): OAuthResponse {
  return policy === 'application' ? withCors(res, req, app) : policy === 'public' ? withPublicCors(res) : res;
}

/** The application whose Allowed origins decide CORS for one request (EndpointContext.allowOriginsOf sets it). */
interface CorsChoice {
  app: CorsApplication | null;
}

/**
 * The setter of `choice.app`. Made by a factory because tsx (esbuild keepNames) gives a closure
 * declared in a function its name at each creation (Object.defineProperty, about 1 µs per request).
 */
const chooser = (choice: CorsChoice) => (app: CorsApplication | null) => void (choice.app = app);

/** A value computed from the settings, again only when the settings object changes (tests reset it). */
function perSettings<T>(make: (e: Env) => T): () => T {
  let memo: { e: Env; value: T } | null = null;
  return () => {
    const e = env();
    if (memo?.e !== e) memo = { e, value: make(e) };
    return memo.value;
  };
}

const NO_CHALLENGE_PARAMS: BearerChallengeParams = {};

/** The caller of an endpoint that identifies none (identify's answer without a rule). */
const NO_CALLER = Object.freeze({});

/**
 * RFC 9728 §5.1: what the Bearer challenges of an endpoint of the resource `resource`
 * (BearerOptions.resource) add, `resource_metadata`: the manifest's protected_resource_metadata
 * URL for BUILT_IN_RESOURCE, else the §3.1 location of the identifier. Nothing without a resource.
 */
function resourceChallenge(resource: string | undefined): () => BearerChallengeParams {
  if (resource === undefined) return () => NO_CHALLENGE_PARAMS;
  return perSettings((e) => ({ resourceMetadata: resource === BUILT_IN_RESOURCE ? urlFor('protected_resource_metadata', e.ISSUER) : protectedResourceMetadataUrl(resource) }));
}

/**
 * Wraps an endpoint's handler in the HTTP plumbing, in this order: OPTIONS (CORS preflight by the
 * policy), the method check, the form, the caller (client authentication or bearer token), the
 * handler; then CORS by the policy on the answer, success or error, and any thrown error turned
 * into its answer (toErrorResponse, or an HTML page).
 */
export function defineEndpoint<R extends CallerRule | undefined = undefined>(spec: EndpointSpec<R>): Endpoint {
  const s = spec as EndpointSpec<CallerRule | undefined>;
  const realm = s.realm ?? 'oauth';
  const served = new Set<string>(s.methods);
  const allow = allowHeader(s);
  const challengeParams = resourceChallenge(s.caller?.bearer?.resource);
  return async (req) => {
    const choice: CorsChoice = { app: null };
    try {
      if (req.method === 'OPTIONS' && s.cors !== 'none') return s.cors === 'public' ? publicPreflight(s.methods) : await preflight(req, s.methods);
      // RFC 9110 §9.3.2: HEAD is GET without the content (the doors drop it).
      const asServed = req.method === 'HEAD' ? { ...req, method: 'GET' } : req;
      if (!served.has(asServed.method)) throw s.otherMethods(allow);
      const params = s.form ? parseForm(asServed) : NO_PARAMS;
      const allowOriginsOf = chooser(choice);
      // No caller to identify (discovery, JWKS, metadata): no await, no object for it.
      const caller = s.caller ? await identify(s.caller, asServed, params, allowOriginsOf) : NO_CALLER;
      const answer = await s.handle(asServed, { params, allowOriginsOf, ...caller } as EndpointContext & Caller<CallerRule | undefined>);
      return withPolicyCors(s.cors, answer, req, choice.app);
    } catch (err) {
      return withPolicyCors(s.cors, s.errors === 'html' ? htmlError(err, req) : toErrorResponse(err, realm, challengeParams()), req, choice.app);
    }
  };
}

// --- the Fetch-API form, for route handlers of your own ----------------------------------------

function toWebResponse(r: OAuthResponse): Response {
  return new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });
}

/** The headers of a Fetch Request as an OAuthRequest, for the checks (the handler gets the untouched Request). */
function toCheckRequest(request: Request): OAuthRequest {
  return {
    method: request.method,
    url: new URL(request.url),
    headers: request.headers,
    body: '',
    ip: clientIp(request.headers),
  };
}

/** A Fetch-API (App Router) route handler. */
export type FetchRouteHandler = (request: Request) => Promise<Response>;
/** Your handler behind the bearer check: the original Request (body unread) and the token's context. */
export type BearerRouteHandler = (request: Request, ctx: BearerContext) => Response | Promise<Response>;

/** The bearer check in front of a Fetch-API handler; `opts()` is read per request (memoised by the callers). */
function bearerRoute(opts: () => BearerOptions, handler: BearerRouteHandler): FetchRouteHandler {
  return async (request) => {
    if (request.method === 'OPTIONS') return bearerPreflight(request);
    let inner: Response | null = null;
    const endpoint = defineEndpoint({
      // The route file exports this handler under the methods it serves: each is served.
      methods: [request.method === 'HEAD' ? 'GET' : (request.method as EndpointMethod)],
      otherMethods: (allow) => methodNotAllowed('This method is not served here.', allow),
      cors: 'application',
      realm: 'api',
      caller: { bearer: opts() },
      handle: async (_req, { bearer }) => {
        inner = await handler(request, bearer);
        return { status: inner.status, headers: {}, body: '' };
      },
    });
    const out = await endpoint(toCheckRequest(request));
    if (!inner) return toWebResponse(out);
    const res = new Response((inner as Response).body, inner as Response); // mutable headers
    for (const [k, v] of Object.entries(out.headers)) {
      if (k === 'vary') res.headers.append('vary', v);
      else if (k.startsWith('access-control-')) res.headers.set(k, v);
    }
    return res;
  };
}

/**
 * A Fetch-API (Next.js) route handler of the built-in resource ISSUER/api, protected by a bearer
 * token, in one line:
 *   export const GET = withBearerRoute({ scopes: ['read'] }, async (request, { user }) => Response.json({ hi: user?.username }));
 * The same wrapper as the manifest's /api endpoints (policy `application`, realm 'api'): RFC 6750
 * errors whose Bearer challenges name the resource's metadata (RFC 9728 §5.1 resource_metadata),
 * only tokens for ISSUER/api (RFC 8707 §2: their audience), CORS by the token's application. The
 * handler receives the original Request (its body unread). OPTIONS is answered as a preflight.
 * For a resource of its own, use `protectedResource`.
 */
export function withBearerRoute(opts: BearerOptions, handler: BearerRouteHandler): FetchRouteHandler {
  const forApi: BearerOptions = { ...opts, resource: opts.resource ?? BUILT_IN_RESOURCE };
  return bearerRoute(() => forApi, handler);
}

/** A resource of this app, described for `protectedResource`. */
export interface ProtectedResourceOptions {
  /**
   * Its RFC 8707 / RFC 9728 identifier: an absolute URL, or a path under ISSUER ('/reports' is
   * `${ISSUER}/reports`). Tokens must name it in their audience: register it as a resource.
   */
  identifier: string;
  /** RFC 9728 §2 scopes_supported: the scopes it defines. */
  scopes: readonly string[];
  /** RFC 9728 §2 resource_name. */
  name?: string;
}

/** What `protectedResource` gives a route of the app. */
export interface ProtectedResourceRoutes {
  /** The resource's description, for the current settings. */
  describe(): ProtectedResource;
  /**
   * The route handlers of its metadata document (RFC 9728 §3), to export from the route file at its
   * §3.1 path, `app/.well-known/oauth-protected-resource/<the identifier's path>/route.ts`:
   * GET and HEAD (public JSON, CORS `*`, cacheable), OPTIONS (preflight), 405 for other methods.
   */
  metadata: Record<'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS', FetchRouteHandler>;
  /** `withBearerRoute` for this resource: its metadata URL in every Bearer challenge, only tokens for it. */
  withBearer(opts: BearerOptions, handler: BearerRouteHandler): FetchRouteHandler;
}

/**
 * Makes a route of this app a protected resource of its own, the way /api is (RFC 9728, RFC 8707):
 *   const reports = protectedResource({ identifier: '/reports', scopes: ['reports:read'], name: 'Reports' });
 *   // app/.well-known/oauth-protected-resource/reports/route.ts
 *   export const { GET, HEAD, OPTIONS } = reports.metadata;
 *   // app/reports/route.ts
 *   export const GET = reports.withBearer({ scopes: ['reports:read'] }, async (request, { user }) => Response.json({ user: user?.username }));
 *   export const OPTIONS = bearerPreflight;
 * Its metadata names this server (ISSUER) as the authorization server; its URL is the RFC 9728 §3.1
 * location of the identifier. Built once per settings object (ISSUER comes from the settings).
 * The audience check is bearer.ts's (BearerOptions.resource = the identifier).
 */
export function protectedResource(opts: ProtectedResourceOptions): ProtectedResourceRoutes {
  const describe = perSettings((e): ProtectedResource => ({
    identifier: opts.identifier.startsWith('/') ? `${e.ISSUER}${opts.identifier}` : opts.identifier,
    authorizationServers: [e.ISSUER],
    scopes: opts.scopes,
    name: opts.name,
  }));
  const body = perSettings(() => JSON.stringify(protectedResourceMetadata(describe())));
  const document = defineEndpoint({
    methods: ['GET'],
    otherMethods: (allow) => methodNotAllowed('Use GET.', allow),
    cors: 'public',
    handle: async () => publicJson(body()),
  });
  const serve: FetchRouteHandler = async (request) => {
    const r = toWebResponse(await document(toCheckRequest(request)));
    // RFC 9110 §9.3.2: HEAD is GET without the content.
    return request.method === 'HEAD' ? new Response(null, { status: r.status, headers: r.headers }) : r;
  };
  return {
    describe,
    metadata: { GET: serve, HEAD: serve, POST: serve, PUT: serve, DELETE: serve, PATCH: serve, OPTIONS: serve },
    withBearer: (bearerOpts, handler) => bearerRoute(perSettings(() => ({ ...bearerOpts, resource: describe().identifier })), handler),
  };
}

/** `export const OPTIONS = bearerPreflight;` next to a withBearerRoute handler. */
export const bearerPreflight = async (request: Request): Promise<Response> => toWebResponse(await preflight(toCheckRequest(request)));
