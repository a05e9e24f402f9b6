// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; the MCP
// authorization specification's preferred registration): a client_id that is an https URL names
// a JSON document of RFC 7591 client metadata that the client publishes there. The first use of
// such a client_id fetches the document (lib/http/safe-fetch.ts: SSRF-safe), validates it and keeps
// it as an applications row (registrationMethod 'metadata_document', no owner, public, consent
// never skipped); the row is reused until its HTTP caching lifetime ends (clamped to
// limits.clientMetadataMinCacheSeconds..MaxCacheSeconds), then fetched again. Concurrent first
// uses of one URL in this process share one fetch.
import { z } from 'zod';
import { invalidClient, quoteValue, sanitizeDescription, tooManyRequests } from './errors';
import { checkRedirectUriForRegistration, isLoopbackHost } from './redirect-uri';
import { GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN } from './grants/catalogue';
import { getClient, type Client } from '../db/queries/clients';
import { upsertMetadataDocumentClient, type RegisteredMetadata } from '../db/queries/registration';
import { safeFetch, SafeFetchError, type HostLookup } from '../http/safe-fetch';
import { controlCharPath, hasNul } from '../fields';
import { countMetadataFetch } from '../rate-limits';
import { log } from '../log';
import { env } from '../env';

/**
 * Whether `clientId` is to be read as a Client ID Metadata Document URL: it starts with https://
 * (or http://, which resolveClient refuses unless CLIENT_METADATA_ALLOW_LOOPBACK allows it for a
 * loopback host). Registered client ids (lib/oauth/random.ts) never do.
 */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith('https://') || clientId.startsWith('http://');
}

/**
 * The draft's rules for the URL itself (§3): https, a path, no dot segments, no fragment, no
 * credentials; http only for a loopback host under CLIENT_METADATA_ALLOW_LOOPBACK.
 * @returns why it is refused, or null
 */
export function clientIdUrlProblem(clientId: string, allowLoopback: boolean): string | null {
  if (clientId.length > 255 || hasNul(clientId)) return 'The client_id URL is too long.';
  let u: URL;
  try {
    u = new URL(clientId);
  } catch {
    return 'The client_id is not a valid URL.';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
  if (u.protocol !== 'https:' && !(allowLoopback && u.protocol === 'http:' && loopback)) return 'A client_id URL must use https.';
  if (u.href !== clientId) return 'The client_id URL must be in its normal form (as a browser writes it).';
  if (u.username || u.password) return 'The client_id URL must not contain user credentials.';
  if (u.hash || clientId.includes('#')) return 'The client_id URL must not contain a fragment.';
  if (u.pathname === '/' ) return 'The client_id URL must have a path (e.g. https://app.example/client.json).';
  if (/(^|\/)\.\.?(\/|$)/.test(clientId.slice(u.origin.length))) return 'The client_id URL must not contain . or .. path segments.';
  return null;
}

/**
 * A client's informational URL (RFC 7591 §2 client_uri, logo_uri): https, or http on a loopback
 * host (a local development client). Shared by both kinds of self-registration.
 */
export const clientInfoUri = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
    } catch {
      return false;
    }
  }, 'must be an https URL (or http on a loopback host)');

/**
 * The document: RFC 7591 §2 client metadata plus `client_id`. Unknown fields are ignored (RFC 7591
 * §2). Only public clients: token_endpoint_auth_method `none` (private_key_jwt, the draft's other
 * choice, is not supported here, and a document cannot carry a shared secret).
 */
const documentSchema = z.object({
  client_id: z.string(),
  redirect_uris: z.array(z.string().max(2000)).min(1, 'redirect_uris must list at least one URI').max(20),
  client_name: z.string().trim().min(1).max(200).optional(),
  logo_uri: clientInfoUri.optional(),
  client_uri: clientInfoUri.optional(),
  token_endpoint_auth_method: z.string().optional(),
  grant_types: z.array(z.string()).max(10).optional(),
  response_types: z.array(z.string()).max(10).optional(),
  post_logout_redirect_uris: z.array(z.string().max(2000)).max(20).optional(),
  client_secret: z.unknown().optional(),
});

const ALLOWED_GRANTS = new Set([GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN]);

/**
 * Validates a fetched document for `clientId` (draft §4): valid JSON, `client_id` exactly the
 * URL, redirect URIs by the application form's rules, a public client.
 * @returns the metadata to store
 * @throws OAuthError invalid_client naming what is wrong
 */
export function validateClientMetadataDocument(clientId: string, body: string): RegisteredMetadata {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw invalidClient('The client metadata document is not valid JSON.');
  }
  // The RFC 7591 rule (lib/oauth/endpoints/register.ts): no control or bidi formatting character in any field.
  const bad = controlCharPath(json);
  if (bad !== null) throw invalidClient(`The client metadata document's ${quoteValue(bad, 60)} contains control or bidirectional formatting characters (such as NUL or U+202E).`);
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw invalidClient(`The client metadata document is not valid: ${quoteValue(i.path.join('.') || 'document', 60)} ${quoteValue(i.message, 100)}.`);
  }
  const d = parsed.data;
  if (d.client_id !== clientId) throw invalidClient('The client metadata document names another client_id than its URL.');
  if (d.client_secret !== undefined) throw invalidClient('A client metadata document must not contain a client_secret.');
  const method = d.token_endpoint_auth_method ?? 'none';
  if (method !== 'none') {
    throw invalidClient(`token_endpoint_auth_method ${quoteValue(method)} is not supported for metadata-document clients; only none (a public client with PKCE).`);
  }
  for (const uri of [...d.redirect_uris, ...(d.post_logout_redirect_uris ?? [])]) {
    const problem = checkRedirectUriForRegistration(uri);
    if (problem) throw invalidClient(`The client metadata document has a bad redirect URI: ${sanitizeDescription(problem, 300)}`);
  }
  const grants = d.grant_types ?? [GRANT_AUTHORIZATION_CODE];
  const unsupported = grants.find((g) => !ALLOWED_GRANTS.has(g));
  if (unsupported !== undefined) throw invalidClient(`grant_types ${quoteValue(unsupported)} is not available to metadata-document clients (authorization_code, refresh_token).`);
  if (!grants.includes(GRANT_AUTHORIZATION_CODE)) throw invalidClient('grant_types must include authorization_code.');
  if (d.response_types && d.response_types.some((r) => r !== 'code')) throw invalidClient('response_types may only be code.');
  return {
    name: d.client_name ?? new URL(clientId).host,
    clientType: 'public',
    grantTypes: [...new Set(grants)],
    redirectUris: [...new Set(d.redirect_uris)],
    postLogoutRedirectUris: [...new Set(d.post_logout_redirect_uris ?? [])],
    logoUri: d.logo_uri ?? null,
    clientUri: d.client_uri ?? null,
  };
}

/**
 * How long a fetched document may be reused (seconds), from its HTTP caching headers (RFC 9111
 * §4.2.1: Cache-Control max-age, else Expires minus Date), clamped to [min, max]. no-store,
 * no-cache and headers that say nothing give the minimum.
 */
export function documentLifetimeSeconds(headers: Record<string, string | string[] | undefined>, min: number, max: number, now = Date.now()): number {
  const clamp = (s: number) => Math.min(max, Math.max(min, Math.floor(s)));
  const cc = String(headers['cache-control'] ?? '').toLowerCase();
  if (/(^|[\s,])(no-store|no-cache)([\s,=]|$)/.test(cc)) return min;
  const maxAge = /(?:^|[\s,])max-age\s*=\s*"?(\d+)"?/.exec(cc);
  if (maxAge) return clamp(Number(maxAge[1]));
  const expires = Date.parse(String(headers.expires ?? ''));
  if (Number.isFinite(expires)) {
    const date = Date.parse(String(headers.date ?? ''));
    return clamp((expires - (Number.isFinite(date) ? date : now)) / 1000);
  }
  return min;
}

// Concurrent first uses of one URL share one fetch (per process).
const KEY = Symbol.for('oauth.clientMetadataFetches');
type G = typeof globalThis & { [KEY]?: Map<string, Promise<void>> };
const inFlight = ((globalThis as G)[KEY] ??= new Map());

/** Tests make a host name resolve where they need (10.x, 127.x); the server uses the system's DNS. */
let lookupHook: HostLookup | undefined;
/** For tests: replaces the DNS resolution of metadata-document fetches (undefined: the system's). */
export function setClientMetadataLookup(lookup: HostLookup | undefined): void {
  lookupHook = lookup;
}

async function fetchAndStore(clientId: string): Promise<void> {
  const e = env();
  const l = e.limits;
  let res;
  try {
    res = await safeFetch(clientId, {
      maxBytes: l.clientMetadataMaxBytes,
      timeoutMs: l.clientMetadataTimeoutMs,
      allowLoopback: e.CLIENT_METADATA_ALLOW_LOOPBACK,
      accept: (t) => t === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(t),
      lookup: lookupHook,
    });
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    log.info('client_metadata.fetch_failed', { client_id: clientId.slice(0, 200), reason: err.message });
    throw invalidClient(`The client metadata document could not be fetched: ${quoteValue(err.message, 150)}`);
  }
  const metadata = validateClientMetadataDocument(clientId, res.body);
  const now = new Date();
  const lifetime = documentLifetimeSeconds(res.headers, l.clientMetadataMinCacheSeconds, l.clientMetadataMaxCacheSeconds, now.getTime());
  const stored = await upsertMetadataDocumentClient(clientId, metadata, now, new Date(now.getTime() + lifetime * 1000));
  if (!stored) throw invalidClient('This client_id belongs to an application that is not a metadata-document client.');
}

/** Each fetch is work for us and traffic to someone else: a source may not make us fetch without bound. */
async function countedFetch(clientId: string, ip: string): Promise<void> {
  const limit = await countMetadataFetch(ip);
  if (limit.over) throw tooManyRequests('Too many client metadata documents fetched for this address; retry later.', limit.retryAfterSeconds);
  await fetchAndStore(clientId);
}

/**
 * The application a client_id names, wherever clients are looked up by a request (the
 * authorization endpoint, client authentication): a registered client_id is read from the
 * database (getClient); a metadata-document URL (isMetadataDocumentClientId) is fetched and stored
 * on first use and again once its document's lifetime has passed.
 * @param ip the request's source: fetches are counted per source (lib/rate-limits.ts countMetadataFetch)
 * @returns the client, or null for an unknown registered client_id
 * @throws OAuthError invalid_client (400) when a metadata-document URL is refused, cannot be
 *   fetched or its document is not valid (the authorization endpoint shows it as an error page);
 *   429 when the source caused too many fetches in the window
 */
export async function resolveClient(clientId: string, ip: string): Promise<Client | null> {
  if (!isMetadataDocumentClientId(clientId)) return getClient(clientId);
  const problem = clientIdUrlProblem(clientId, env().CLIENT_METADATA_ALLOW_LOOPBACK);
  if (problem) throw invalidClient(problem);
  const known = await getClient(clientId);
  const fresh = (c: Client | null) => c !== null && (c.registrationMethod !== 'metadata_document' || (c.metadataExpiresAt !== null && c.metadataExpiresAt.getTime() > Date.now()));
  if (fresh(known)) return known;
  // Looked up and set with no await between, so that concurrent first uses share one fetch; the
  // source that starts the fetch is the one it counts against (those that share it cause none).
  let pending = inFlight.get(clientId);
  if (!pending) {
    pending = countedFetch(clientId, ip).finally(() => inFlight.delete(clientId));
    inFlight.set(clientId, pending);
  }
  await pending;
  return getClient(clientId);
}

/**
 * True for a client nobody vetted: registered by itself (RFC 7591 'dynamic', or a Client ID
 * Metadata Document). Its consent is asked every time (lib/oauth/endpoints/authorize.ts) and its
 * pages carry the "not verified" warning.
 */
export const isSelfRegistered = (app: Pick<Client, 'registrationMethod'>): boolean =>
  app.registrationMethod === 'dynamic' || app.registrationMethod === 'metadata_document';

/** What the "not verified" warning names (selfRegisteredHost). */
export interface UnverifiedHosts {
  /** The host the authorization code goes to: the request's redirect URI's; null when none (device flow). */
  sendsTo: string | null;
  /** The host the client says it is, chosen by the client: a metadata document's client_id URL host, an RFC 7591 client's client_uri host; null when it says none. */
  claims: string | null;
}

/**
 * For a self-registered client, the hosts its "not verified" warning names: first where the code
 * goes (the pending request's `redirectUri`; a client chooses client_uri freely, not where the code
 * lands), then, as secondary text only, the host it claims. Null for applications registered by
 * people (the form, the command line).
 */
export function selfRegisteredHost(app: Pick<Client, 'registrationMethod' | 'clientId' | 'clientUri'>, redirectUri: string | null): UnverifiedHosts | null {
  const host = (u: string | null | undefined) => {
    try {
      return u ? new URL(u).host || null : null;
    } catch {
      return null;
    }
  };
  if (!isSelfRegistered(app)) return null;
  return { sendsTo: host(redirectUri), claims: host(app.registrationMethod === 'metadata_document' ? app.clientId : app.clientUri) };
}
