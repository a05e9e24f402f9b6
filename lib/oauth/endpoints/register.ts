// RFC 7591 dynamic client registration (POST /o/register/) and RFC 7592 client management
// (GET, PUT, DELETE /o/register/<client_id>/ with the registration access token), by the
// REGISTRATION setting:
//   - closed (default): every registration is refused (403 access_denied);
//   - token: the request must carry REGISTRATION_TOKEN as its initial access token (RFC 7591 §3,
//     `Authorization: Bearer`); public and confidential clients, redirect URIs by the application
//     form's rules;
//   - open: anyone, but only public clients (token_endpoint_auth_method none) with https or
//     loopback redirect URIs, REGISTRATION_MAX_PER_IP per source and window (429). A request that
//     carries the initial access token is judged as in `token` mode.
// A registered client has no owner (registrationMethod 'dynamic'); its registration access token
// is stored as SHA-256 only. Updates of a public client keep the open mode's redirect URI rule
// (https or loopback): nobody vetted it. Staff can suspend it like any application.
import { z } from 'zod';
import {
  accessDenied,
  invalidBearerRequest,
  invalidClientMetadata,
  invalidRedirectUri,
  invalidToken,
  missingToken,
  quoteValue,
  sanitizeDescription,
  tooManyRequests,
  type OAuthError,
} from '../errors';
import { jsonResponse, type OAuthRequest, type OAuthResponse } from '../http';
import { checkRedirectUriForRegistration, isLoopbackHost } from '../redirect-uri';
import { randomClientId, randomClientSecret, randomToken, sha256b64url, timingSafeEqualStr } from '../random';
import { GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN } from '../grants/catalogue';
import { clientConfigurationUrl, ENDPOINT_PATHS, pathParams } from '../paths';
import { bearerTokenFrom } from '../bearer';
import { clientInfoUri } from '../client-metadata';
import type { Application } from '../../db/schema';
import { createDynamicClient, deleteDynamicClient, findDynamicClient, updateDynamicClient, type RegisteredMetadata } from '../../db/queries/registration';
import { audit } from '../../db/queries/audit';
import { hashPassword, verifyPassword } from '../../auth/password';
import { checkRegistrationToken, countRegistration } from '../../rate-limits';
import { controlCharPath, hasNul } from '../../fields';
import { env } from '../../env';
import { defaultResource, listResources, scopesOf } from '../resources';
import { OIDC_SCOPES, parseScope } from '../scope';

/** How much the caller is trusted: with the initial access token, or anyone (REGISTRATION=open). */
type Trust = 'initial_access_token' | 'anonymous';

const PUBLIC_GRANTS = [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN, GRANT_DEVICE_CODE];
const CONFIDENTIAL_GRANTS = [...PUBLIC_GRANTS, GRANT_CLIENT_CREDENTIALS];
const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

/**
 * RFC 7591 §2 client metadata, as far as this server uses it; unknown fields are ignored (§2:
 * "The authorization server MUST ignore any client metadata sent by the client that it does not
 * understand"). Redirect URIs are checked after the shape (invalid_redirect_uri).
 */
const metadataSchema = z.object({
  redirect_uris: z.array(z.string().max(2000)).max(20).optional(),
  post_logout_redirect_uris: z.array(z.string().max(2000)).max(20).optional(),
  token_endpoint_auth_method: z.string().max(100).optional(),
  grant_types: z.array(z.string().max(200)).max(10).optional(),
  response_types: z.array(z.string().max(100)).max(10).optional(),
  client_name: z.string().trim().min(1).max(200).optional(),
  client_uri: clientInfoUri.optional(),
  logo_uri: clientInfoUri.optional(),
  scope: z.string().max(2000).optional(),
});
type Metadata = z.infer<typeof metadataSchema>;

/** The request body as a JSON object (RFC 7591 §3.1: application/json). */
function jsonBody(req: OAuthRequest): Record<string, unknown> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw invalidClientMetadata('The request body must be JSON (Content-Type: application/json).');
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    throw invalidClientMetadata('The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidClientMetadata('The request body must be a JSON object of client metadata.');
  // NUL (also as the JSON escape \u0000: PostgreSQL refuses it), other controls and bidi overrides, in any field.
  const bad = controlCharPath(body);
  if (bad !== null) throw invalidClientMetadata(`${quoteValue(bad, 60)} must not contain control or bidirectional formatting characters (such as NUL or U+202E).`);
  return body as Record<string, unknown>;
}

/** `open` registrations and public clients' updates: https, or http on a loopback host (RFC 8252 §7.3). */
function httpsOrLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}

/**
 * Validates client metadata (RFC 7591 §2) for a registration or an update and decides what is
 * stored. Omitted token_endpoint_auth_method means client_secret_basic (§2), except for an
 * anonymous caller, whose client is registered as public (§3.2.1 lets the server replace values).
 * @param keepType an update: the client type may not change
 * @throws OAuthError invalid_redirect_uri, invalid_client_metadata (RFC 7591 §3.2.2)
 */
function validateMetadata(raw: Record<string, unknown>, trust: Trust, keepType?: 'public' | 'confidential'): { m: RegisteredMetadata; authMethod: string; responseTypes: string[] } {
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const field = String(i.path[0] ?? 'metadata');
    const fail = field.includes('redirect_uris') ? invalidRedirectUri : invalidClientMetadata;
    throw fail(`${quoteValue(i.path.join('.') || field, 60)} ${quoteValue(i.message, 100)}`);
  }
  const d: Metadata = parsed.data;
  const authMethod = d.token_endpoint_auth_method ?? (trust === 'anonymous' || keepType === 'public' ? 'none' : 'client_secret_basic');
  if (!(AUTH_METHODS as readonly string[]).includes(authMethod)) {
    throw invalidClientMetadata(`token_endpoint_auth_method ${quoteValue(authMethod)} is not supported; use none, client_secret_basic or client_secret_post.`);
  }
  const clientType = authMethod === 'none' ? 'public' : 'confidential';
  if (clientType === 'confidential' && trust === 'anonymous' && !keepType) {
    throw invalidClientMetadata('Open registration accepts public clients only (token_endpoint_auth_method none); confidential clients need an initial access token.');
  }
  if (keepType && keepType !== clientType) throw invalidClientMetadata(`token_endpoint_auth_method cannot change a ${keepType} client into a ${clientType} one.`);

  const grants = [...new Set(d.grant_types ?? [GRANT_AUTHORIZATION_CODE])];
  const allowed = clientType === 'public' ? PUBLIC_GRANTS : CONFIDENTIAL_GRANTS;
  const bad = grants.find((g) => !allowed.includes(g));
  if (bad !== undefined) throw invalidClientMetadata(`grant_types ${quoteValue(bad)} is not available to a ${clientType} client here.`);
  const responseTypes = [...new Set(d.response_types ?? (grants.includes(GRANT_AUTHORIZATION_CODE) ? ['code'] : []))];
  if (responseTypes.some((r) => r !== 'code')) throw invalidClientMetadata('response_types may only be code.');
  // RFC 7591 §2.1: grant_types and response_types must agree.
  if (responseTypes.includes('code') !== grants.includes(GRANT_AUTHORIZATION_CODE)) {
    throw invalidClientMetadata('response_types code and grant_types authorization_code go together (RFC 7591 section 2.1).');
  }

  const redirectUris = [...new Set(d.redirect_uris ?? [])];
  if (grants.includes(GRANT_AUTHORIZATION_CODE) && redirectUris.length === 0) throw invalidRedirectUri('redirect_uris is required for the authorization_code grant.');
  const strictUris = trust === 'anonymous' || clientType === 'public';
  for (const uri of [...redirectUris, ...(d.post_logout_redirect_uris ?? [])]) {
    const problem = checkRedirectUriForRegistration(uri);
    if (problem) throw invalidRedirectUri(`Refused: ${sanitizeDescription(problem, 300)}`);
    if (strictUris && !httpsOrLoopback(uri)) throw invalidRedirectUri(`${quoteValue(uri, 100)} must use https, or http on a loopback host (127.0.0.1, [::1], localhost).`);
  }
  const clientUri = d.client_uri ?? null;
  const name = d.client_name ?? (clientUri ? new URL(clientUri).host : 'Self-registered client');
  return {
    m: {
      name,
      clientType,
      grantTypes: grants,
      redirectUris,
      postLogoutRedirectUris: [...new Set(d.post_logout_redirect_uris ?? [])],
      logoUri: d.logo_uri ?? null,
      clientUri,
    },
    authMethod,
    responseTypes,
  };
}

/**
 * RFC 7591 §2 `scope`: the scopes the client may use, stored as its allowed scopes. Each must be a
 * scope some resource defines (OIDC's are always allowed and not stored). Omitted (at registration,
 * and at an RFC 7592 §2.2 update, where an omitted field is reset): the default resource's
 * DEFAULT_SCOPES, never every scope of every resource, so a client registered by anyone does not
 * get, say, an admin scope without asking for it.
 * @returns the resource scopes to store as applications.allowedScopes
 * @throws OAuthError invalid_client_metadata (RFC 7591 §3.2.2) naming an unknown scope
 */
async function registeredScopes(raw: unknown): Promise<string[]> {
  const def = await defaultResource();
  if (raw === undefined) return env().DEFAULT_SCOPES.filter((s) => def.scopes.some((x) => x.name === s));
  const names = parseScope(typeof raw === 'string' ? raw : undefined);
  const known = new Set(scopesOf(await listResources()));
  const unknown = names.find((s) => !known.has(s) && !(OIDC_SCOPES as readonly string[]).includes(s));
  if (unknown !== undefined) throw invalidClientMetadata(`scope ${quoteValue(unknown, 64)} is not a scope of any resource here; see scopes_supported in the discovery document.`);
  return [...new Set(names.filter((s) => known.has(s)))];
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client information response's metadata of a stored client. */
function clientInformation(app: Application, issuer: string, authMethod?: string): Record<string, unknown> {
  return {
    client_id: app.clientId,
    client_id_issued_at: Math.floor(app.createdAt.getTime() / 1000),
    ...(app.clientType === 'confidential' ? { client_secret_expires_at: 0 } : {}),
    client_name: app.name,
    redirect_uris: app.redirectUris,
    ...(app.postLogoutRedirectUris.length ? { post_logout_redirect_uris: app.postLogoutRedirectUris } : {}),
    grant_types: app.grantTypes,
    response_types: app.grantTypes.includes(GRANT_AUTHORIZATION_CODE) ? ['code'] : [],
    token_endpoint_auth_method: authMethod ?? (app.clientType === 'public' ? 'none' : 'client_secret_basic'),
    ...(app.allowedScopes !== null ? { scope: app.allowedScopes.join(' ') } : {}),
    ...(app.clientUri ? { client_uri: app.clientUri } : {}),
    ...(app.logoUri ? { logo_uri: app.logoUri } : {}),
    registration_client_uri: clientConfigurationUrl(issuer, app.clientId),
  };
}

/**
 * Who registers: REGISTRATION closed → 403 access_denied; a Bearer token must be REGISTRATION_TOKEN
 * (RFC 7591 §3, RFC 6750 §3.1 invalid_token); without one, `token` mode → 401 with a Bearer challenge,
 * `open` mode → anonymous, counted against REGISTRATION_MAX_PER_IP (429 over it). An empty or
 * malformed Bearer header is 400 invalid_request; in `open` mode its description says to leave it out.
 */
async function registrant(req: OAuthRequest): Promise<Trust> {
  const e = env();
  if (e.REGISTRATION === 'closed') throw accessDenied('Dynamic client registration is not enabled on this server; register the application on its web pages.');
  let token: string | null;
  try {
    token = bearerTokenFrom(req);
  } catch (err) {
    // RFC 7591 §3: in open mode the initial access token is optional. An empty or malformed
    // `Authorization: Bearer` (typically an unset $REGISTRATION_TOKEN) says so, not just "malformed".
    if (e.REGISTRATION === 'open') {
      throw invalidBearerRequest(
        "The Authorization header is empty or malformed. This server's registration is open: leave the Authorization header out (the initial access token is optional, RFC 7591 section 3), or send 'Bearer' and the initial access token.",
      );
    }
    throw err;
  }
  if (token !== null) {
    // Wrong ones count per source; over the limit even a right one is refused (lib/rate-limits.ts).
    const right = !!e.REGISTRATION_TOKEN && timingSafeEqualStr(token, e.REGISTRATION_TOKEN);
    const limit = await checkRegistrationToken(req.ip, right);
    if (limit.over) throw tooManyRequests('Too many wrong initial access tokens from this address; retry after the time in Retry-After.', limit.retryAfterSeconds);
    if (!right) throw invalidToken('The initial access token is not valid.');
    return 'initial_access_token';
  }
  if (e.REGISTRATION === 'token') throw missingToken();
  const limit = await countRegistration(req.ip);
  if (limit.over) throw tooManyRequests('Too many client registrations from this address; retry later.', limit.retryAfterSeconds);
  return 'anonymous';
}

/**
 * POST /o/register/ (RFC 7591 §3.1): registers a client from its JSON metadata.
 * @returns 201 with the client information (§3.2.1): client_id, client_secret and
 *   client_secret_expires_at 0 (confidential clients), client_id_issued_at, the registered metadata,
 *   registration_access_token and registration_client_uri (RFC 7592 §3)
 * @throws OAuthError 403 access_denied (closed), 401 invalid_token, 429, 400 invalid_redirect_uri /
 *   invalid_client_metadata (RFC 7591 §3.2.2)
 */
export async function registrationEndpoint(req: OAuthRequest): Promise<OAuthResponse> {
  const trust = await registrant(req);
  const body = jsonBody(req);
  const { m, authMethod } = validateMetadata(body, trust);
  m.allowedScopes = await registeredScopes(body.scope);
  const plainSecret = m.clientType === 'confidential' ? randomClientSecret() : null;
  const secret = plainSecret ? { clientSecret: await hashPassword(plainSecret), secretHashed: true } : { clientSecret: '', secretHashed: false };
  const registrationAccessToken = randomToken();
  let app: Application | null = null;
  for (let attempt = 0; attempt < 5 && !app; attempt++) app = await createDynamicClient(randomClientId(), m, secret, sha256b64url(registrationAccessToken));
  if (!app) throw new Error('could not allocate a client id');
  audit('application.created', { applicationId: app.id, ip: req.ip, detail: { via: 'rfc7591', trust } });
  return jsonResponse(
    {
      ...clientInformation(app, env().ISSUER, authMethod),
      ...(plainSecret ? { client_secret: plainSecret } : {}),
      registration_access_token: registrationAccessToken,
    },
    201,
  );
}

/**
 * GET, PUT, DELETE /o/register/<client_id>/ (RFC 7592 §2): read, replace or delete a dynamically
 * registered client with its registration access token (Bearer). Any failure to find the client by
 * that id and token is the same 401 invalid_token (§2.1: an unknown client and a wrong token alike).
 * @returns GET/PUT 200 with the client information (§3), DELETE 204
 * @throws OAuthError 401 invalid_token (RFC 6750 §3.1), 403 access_denied (the client is suspended),
 *   400 invalid_redirect_uri / invalid_client_metadata
 */
export async function clientConfigurationEndpoint(req: OAuthRequest): Promise<OAuthResponse> {
  const token = bearerTokenFrom(req);
  if (token === null) throw missingToken();
  const clientId = pathParams(ENDPOINT_PATHS.client_configuration.path, req.url.pathname)?.client_id;
  const refused: OAuthError = invalidToken('The registration access token is not valid for this client.');
  if (!clientId || clientId.length > 255 || hasNul(clientId) || token.length > env().limits.tokenMaxLength) throw refused;
  const app = await findDynamicClient(clientId, sha256b64url(token));
  if (!app) throw refused;
  // A suspended client is frozen until staff decide: an update, or a delete and re-registration
  // under the same client_id, would erase the suspension. Staff can still delete it.
  if (app.suspendedAt) throw accessDenied('This client is suspended by the server\'s staff; it cannot be read, changed or deleted.');
  const issuer = env().ISSUER;

  if (req.method === 'DELETE') {
    if (await deleteDynamicClient(app.id)) audit('application.deleted', { applicationId: null, ip: req.ip, detail: { via: 'rfc7592', client_id: app.clientId } });
    return { status: 204, headers: { 'cache-control': 'no-store' }, body: '' };
  }
  if (req.method === 'PUT') {
    const body = jsonBody(req);
    // RFC 7592 §2.2: the request carries the client_id; these fields are the server's, never the client's.
    if (body.client_id !== app.clientId) throw invalidClientMetadata('client_id in the body must be the client_id of this client.');
    for (const f of ['registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at']) {
      if (f in body) throw invalidClientMetadata(`${f} must not be sent in an update (RFC 7592 section 2.2).`);
    }
    if (body.client_secret !== undefined && (typeof body.client_secret !== 'string' || !(await verifyPassword(app.clientSecret, body.client_secret)))) {
      throw invalidClientMetadata('client_secret does not match the issued client secret (RFC 7592 section 2.2).');
    }
    const { m, authMethod } = validateMetadata(body, 'initial_access_token', app.clientType);
    m.allowedScopes = await registeredScopes(body.scope);
    const updated = await updateDynamicClient(app.id, m);
    if (!updated) throw refused;
    audit('application.updated', { applicationId: app.id, ip: req.ip, detail: { via: 'rfc7592' } });
    return jsonResponse({ ...clientInformation(updated, issuer, authMethod), registration_access_token: token });
  }
  return jsonResponse({ ...clientInformation(app, issuer), registration_access_token: token });
}
