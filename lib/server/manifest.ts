// The route manifest: every endpoint this server answers, described once (node-oidc-provider's
// initialize_app.js). Each entry binds an endpoint name (its paths: lib/oauth/paths.ts) to its
// methods, CORS policy, error form, body limit, caller and handler. Both doors serve the same
// entries: the node:http door (lib/server/routes.ts → node-door.ts) under server.ts, and the App
// Router route handlers (lib/server/next-door.ts, `routeHandlers(name)`) under plain `next start`.
// test/features/doors/routes.test.ts fails when an app/**/route.ts file or the README's endpoint table disagrees.
import { defineEndpoint, type CallerRule, type Endpoint, type EndpointSpec } from '../oauth/endpoint';
import { invalidRequest, methodNotAllowed } from '../oauth/errors';
import { endpointPaths, type EndpointName } from '../oauth/paths';
import type { ErrorForm } from '../http/body';
import type { Env } from '../env';
import { authorizeEndpoint } from '../oauth/endpoints/authorize-http';
import { grantAllowsPublicClients, tokenEndpoint } from '../oauth/endpoints/token';
import { revokeEndpoint } from '../oauth/endpoints/revoke';
import { INTROSPECTION_SCOPE, introspectEndpoint } from '../oauth/endpoints/introspect';
import { BUILT_IN_RESOURCE } from '../oauth/bearer';
import { deviceAuthorizationEndpoint } from '../oauth/endpoints/device-authorization';
import { userinfoEndpoint } from '../oauth/oidc/userinfo';
import { jwksEndpoint, metadataEndpoint } from '../oauth/oidc/discovery';
import { protectedResourceMetadataEndpoint } from '../oauth/endpoints/protected-resource-metadata';
import { helloEndpoint } from '../api/hello';
import { notesEndpoint } from '../api/notes';
import { healthzEndpoint, readyzEndpoint } from './health';
import { clientConfigurationEndpoint, registrationEndpoint } from '../oauth/endpoints/register';

/** Client metadata is small JSON: registration bodies are bounded tighter than forms. */
const registrationBody = (settings: Env) => Math.min(settings.MAX_BODY_BYTES, 16 * 1024);

export interface ManifestEntry {
  name: EndpointName;
  /** The published path, then its aliases (lib/oauth/paths.ts); each is also served without or with its trailing slash. */
  paths: string[];
  /** The endpoint's HTTP description (methods, CORS, errors, caller) and handler. */
  spec: EndpointSpec<CallerRule | undefined>;
  /** The spec wrapped in the HTTP plumbing (lib/oauth/endpoint.ts): what both doors run. */
  serve: Endpoint;
  /** The form of every error answer, the doors' own 413 included. */
  errors: ErrorForm;
  /** The largest request body accepted, in bytes; larger gets 413 before it is read. */
  bodyLimit: (settings: Env) => number;
}

interface EntryOptions {
  bodyLimit?: (settings: Env) => number;
}

const maxBody = (settings: Env) => settings.MAX_BODY_BYTES;

function entry<R extends CallerRule | undefined = undefined>(name: EndpointName, spec: EndpointSpec<R>, opts: EntryOptions = {}): ManifestEntry {
  const s = spec as unknown as EndpointSpec<CallerRule | undefined>;
  return { name, paths: endpointPaths(name), spec: s, serve: defineEndpoint(spec), errors: s.errors ?? 'json', bodyLimit: opts.bodyLimit ?? maxBody };
}

const useGet = (allow: string) => methodNotAllowed('Use GET.', allow);
const publicDocument = { methods: ['GET'], otherMethods: useGet, cors: 'public' } as const;

export const MANIFEST: Readonly<Record<EndpointName, ManifestEntry>> = {
  // RFC 6749 §3.1, OIDC Core §3.1.2.1: GET and POST. Browser-facing: its errors are the error
  // redirect to the client or a page (AuthorizationError, rendered by the wrapper's HTML form).
  authorization: entry('authorization', {
    methods: ['GET', 'POST'],
    otherMethods: (allow) => methodNotAllowed('Use GET or POST.', allow),
    cors: 'none',
    errors: 'html',
    handle: authorizeEndpoint,
  }),
  // RFC 6749 §3.2: "The client MUST use the HTTP POST method when making access token requests."
  token: entry('token', {
    methods: ['POST'],
    otherMethods: () => invalidRequest('The token endpoint takes POST.'),
    cors: 'application',
    form: true,
    caller: { client: { allowPublic: grantAllowsPublicClients } },
    handle: tokenEndpoint,
  }),
  // RFC 7009 §2.1: POST; public clients identify with client_id alone.
  revocation: entry('revocation', { methods: ['POST'], otherMethods: () => invalidRequest('The revocation endpoint takes POST.'), cors: 'application', form: true, caller: { client: { allowPublic: true } }, handle: revokeEndpoint }),
  // RFC 7662 §2.1: POST, by a confidential client or a bearer token with the introspection scope.
  introspection: entry('introspection', {
    methods: ['POST'],
    otherMethods: () => invalidRequest('The introspection endpoint takes POST.'),
    cors: 'application',
    form: true,
    caller: { bearer: { scopes: [INTROSPECTION_SCOPE] }, client: { allowPublic: false } },
    handle: introspectEndpoint,
  }),
  // OIDC Core §5.3.1: GET and POST; RFC 6750 challenges with realm "userinfo".
  userinfo: entry('userinfo', {
    methods: ['GET', 'POST'],
    otherMethods: () => invalidRequest('The UserInfo endpoint takes GET or POST.'),
    cors: 'application',
    realm: 'userinfo',
    handle: userinfoEndpoint,
  }),
  // RFC 8628 §3.1: POST, client authentication as at the token endpoint. For devices: no CORS.
  device_authorization: entry('device_authorization', {
    methods: ['POST'],
    otherMethods: () => invalidRequest('The device authorization endpoint takes POST.'),
    cors: 'none',
    form: true,
    caller: { client: { allowPublic: true } },
    handle: deviceAuthorizationEndpoint,
  }),
  // OIDC Discovery 1.0 §4, RFC 8414 §3, RFC 7517 §5: public documents.
  openid_configuration: entry('openid_configuration', { ...publicDocument, handle: metadataEndpoint }),
  authorization_server_metadata: entry('authorization_server_metadata', { ...publicDocument, handle: metadataEndpoint }),
  jwks: entry('jwks', { ...publicDocument, handle: jwksEndpoint }),
  // RFC 9728 §3: the built-in resource's metadata, a public document.
  protected_resource_metadata: entry('protected_resource_metadata', { ...publicDocument, handle: protectedResourceMetadataEndpoint }),
  // RFC 7591 §3: POST of JSON client metadata, open to any origin (an in-browser client registers
  // itself; no cookies are involved). Refused unless REGISTRATION allows it (register.ts).
  registration: entry(
    'registration',
    { methods: ['POST'], otherMethods: (allow) => methodNotAllowed('Use POST.', allow), cors: 'public', handle: registrationEndpoint },
    { bodyLimit: registrationBody },
  ),
  // RFC 7592 §2: read, replace, delete one client with its registration access token (Bearer).
  client_configuration: entry(
    'client_configuration',
    {
      methods: ['GET', 'PUT', 'DELETE'],
      otherMethods: (allow) => methodNotAllowed('Use GET, PUT or DELETE.', allow),
      cors: 'public',
      handle: clientConfigurationEndpoint,
    },
    { bodyLimit: registrationBody },
  ),
  // The example API (RFC 6750), the built-in resource ISSUER/api (RFC 8707 audience, RFC 9728
  // resource_metadata in its challenges), CORS by the token's application.
  api_hello: entry('api_hello', { methods: ['GET'], otherMethods: useGet, cors: 'application', realm: 'api', caller: { bearer: { scopes: ['read'], resource: BUILT_IN_RESOURCE } }, handle: helloEndpoint }),
  api_notes: entry('api_notes', {
    methods: ['GET', 'POST'],
    otherMethods: (allow) => methodNotAllowed('Use GET or POST.', allow),
    cors: 'application',
    realm: 'api',
    caller: { bearer: { scopes: { GET: ['read'], POST: ['write'] }, requireUser: true, resource: BUILT_IN_RESOURCE } },
    handle: notesEndpoint,
  }),
  // Liveness and readiness for load balancers (health.ts): unauthenticated, no CORS, no-store.
  healthz: entry('healthz', { methods: ['GET'], otherMethods: useGet, cors: 'none', handle: healthzEndpoint }),
  readyz: entry('readyz', { methods: ['GET'], otherMethods: useGet, cors: 'none', handle: readyzEndpoint }),
};

/** Every entry, in the manifest's order. */
export const MANIFEST_ENTRIES: readonly ManifestEntry[] = Object.values(MANIFEST);
