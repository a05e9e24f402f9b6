// Resources (RFC 8707 resource indicators): the APIs this server issues access tokens for, their
// scopes, and what a token request's `resource` and `scope` resolve to. Pure protocol logic over a
// per-process cache of the `resources` table (lib/db/queries/resources.ts has the statements).
//
// The built-in resource is this server's own /api: identifier `${ISSUER}/api`, scopes the SCOPES
// setting (described as lib/oauth/scope.ts describes them). Its identifier and scopes always follow
// the settings (its row keeps name, format and lifetime, which staff may change). A request without
// `resource` is for the built-in resource (the default resource): the tutorial works unchanged.
import { getDb } from '../db';
import { announceResourcesChanged, ensureBuiltInResource, listenResourcesChanged, selectResources, type ResourceRow } from '../db/queries/resources';
import { env, type Env } from '../env';
import { log } from '../log';
import { hasNul } from '../fields';
import type { Application } from '../db/schema';
import { invalidScope, invalidTarget, quoteValue, sanitizeDescription } from './errors';
import { OIDC_SCOPES, describeScope, isValidScopeToken, parseScope } from './scope';

/** One scope a resource defines, with the sentence the consent screen shows. */
export interface ResourceScope {
  name: string;
  description: string;
}

/** A resource (API) that accepts this server's access tokens. */
export interface Resource {
  id: number;
  /** RFC 8707 `resource` value and the token's `aud`: an absolute URI without a fragment. */
  identifier: string;
  name: string;
  scopes: ResourceScope[];
  /** 'jwt': RFC 9068 access tokens, verifiable offline; 'opaque': random values, looked up. */
  accessTokenFormat: 'opaque' | 'jwt';
  /** Seconds; null: ACCESS_TOKEN_EXPIRE_SECONDS. */
  accessTokenLifetimeSeconds: number | null;
  builtIn: boolean;
}

/** The built-in resource's identifier under these settings. */
export const builtInIdentifier = (e: Env = env()) => `${e.ISSUER}/api`;

/** RFC 8707 §2 allows several `resource` parameters; more than this is refused (invalid_target). */
export const MAX_RESOURCES_PER_REQUEST = 10; // the refusal below says 10
/** Longest accepted identifier (characters). */
const MAX_IDENTIFIER_CHARS = 2000;

// --- the cache ---------------------------------------------------------------------------------------
// Like the client cache (lib/db/queries/clients.ts): the editing process drops it at once
// (invalidateResources), PostgreSQL broadcasts the change with NOTIFY to every other instance, and a
// TTL (limits.clientCacheMs) bounds any miss. Keyed on the settings object as well: the built-in
// resource follows ISSUER and SCOPES.

interface State {
  env: Env | null;
  at: number;
  list: Resource[] | null;
  loading: Promise<Resource[]> | null;
  ensured: Promise<void> | null;
  /** The database the list and `ensured` belong to (tests open one database after another). */
  db: unknown;
  listening: Promise<void> | null;
  /** Bumped on every reload: lets dependants (discovery) know the list changed. */
  version: number;
  /** Unit tests without a database (useResourcesForTests): the resources, instead of the table. */
  fixed: ResourceRow[] | null;
}
const KEY = Symbol.for('oauth.resourceCache');
type G = typeof globalThis & { [KEY]?: State };
const state = ((globalThis as G)[KEY] ??= { env: null, at: 0, list: null, loading: null, ensured: null, listening: null, version: 0, fixed: null, db: null });

/** Another process (an instance, a command-line change) changed the resources: drop the list (PostgreSQL's NOTIFY). */
const listen = () => listenResourcesChanged(() => void (state.list = null));

/** The built-in resource's scopes: the SCOPES setting, with scope.ts's sentences. */
const builtInScopes = (e: Env): ResourceScope[] => e.SCOPES.map((name) => ({ name, description: describeScope(name) }));

function toResource(r: ResourceRow, e: Env): Resource {
  const base: Resource = {
    id: r.id,
    identifier: r.identifier,
    name: r.name,
    scopes: Array.isArray(r.scopes) ? r.scopes : [],
    accessTokenFormat: r.accessTokenFormat,
    accessTokenLifetimeSeconds: r.accessTokenLifetimeSeconds,
    builtIn: r.builtIn,
  };
  return r.builtIn ? { ...base, identifier: builtInIdentifier(e), scopes: builtInScopes(e) } : base;
}

/**
 * Creates the built-in resource if it is missing (idempotent; lib/db/queries/resources.ts). Run once
 * per process, before the first read of the resources (both doors read them on their first token
 * or authorization request, and discovery on its first document).
 */
export function ensureBuiltIn(): Promise<void> {
  const e = env();
  state.ensured ??= ensureBuiltInResource({ identifier: builtInIdentifier(e), name: 'API', scopes: builtInScopes(e) }).catch((err) => {
    state.ensured = null;
    throw err;
  });
  return state.ensured;
}

/**
 * Every resource, the built-in one first. Cached per process and database (see above): no
 * statement on the hot paths once loaded.
 */
export async function listResources(): Promise<Resource[]> {
  const e = env();
  if (state.fixed) return state.fixed.map((r) => toResource(r, e));
  const db = await getDb(); // the process-wide handle, already open: no statement
  if (state.db !== db) Object.assign(state, { db, list: null, ensured: null, loading: null });
  if (state.list && state.env === e && Date.now() - state.at < e.limits.clientCacheMs) return state.list;
  state.listening ??= listen().catch((err) => {
    log.warn('resource_cache.listen_failed', { err, msg: 'relying on the TTL' });
  });
  state.loading ??= (async () => {
    try {
      await ensureBuiltIn();
      const rows = await selectResources();
      const list = rows.map((r) => toResource(r, e)).sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.id - b.id);
      Object.assign(state, { list, env: e, at: Date.now(), version: state.version + 1 });
      return list;
    } finally {
      state.loading = null;
    }
  })();
  return state.loading;
}

/** Whether listResources would answer from its cache now, without a statement (no await needed). */
export function resourcesFresh(): boolean {
  const e = env();
  return state.fixed !== null || (state.list !== null && state.env === e && state.db !== null && Date.now() - state.at < e.limits.clientCacheMs);
}

/** The cache's version: changes whenever the resources are read again. */
export const resourcesVersion = () => state.version;

/**
 * Drops the cached resources, here and (PostgreSQL) in every other instance: call after creating,
 * changing or deleting a resource.
 */
export async function invalidateResources(): Promise<void> {
  state.list = null;
  await announceResourcesChanged();
}

/**
 * For unit tests without a database (the grants' tests): these rows are the resources (with the
 * built-in one's identifier and scopes from the settings, as always); null: the table again.
 */
export function useResourcesForTests(rows: ResourceRow[] | null): void {
  state.fixed = rows;
}

/** For tests: forget everything, including that the built-in resource was ensured. */
export function resetResourcesForTests(): void {
  Object.assign(state, { env: null, at: 0, list: null, loading: null, ensured: null });
}

/** The resource with exactly this identifier (RFC 8707 §2: compared as the client sent it), or null. */
export async function findResource(identifier: string): Promise<Resource | null> {
  return (await listResources()).find((r) => r.identifier === identifier) ?? null;
}

/** The default resource: the one a request without `resource` is for (the built-in /api). */
export async function defaultResource(): Promise<Resource> {
  const list = await listResources();
  const found = list.find((r) => r.builtIn);
  if (!found) throw new Error('the built-in resource is missing'); // ensureBuiltIn creates it
  return found;
}

// --- RFC 8707 §2: the `resource` parameter ------------------------------------------------------------

/**
 * RFC 8707 §2: each `resource` "MUST be an absolute URI … MUST NOT include a fragment component".
 * @param values every `resource` parameter of the request, in order (repeats allowed)
 * @returns the distinct values, in order
 * @throws OAuthError invalid_target for a malformed value or more than MAX_RESOURCES_PER_REQUEST
 */
export function parseResourceParams(values: readonly string[]): string[] {
  const out = [...new Set(values)];
  if (out.length > MAX_RESOURCES_PER_REQUEST) throw invalidTarget('At most 10 resource parameters are accepted.');
  for (const v of out) {
    if (v.length > MAX_IDENTIFIER_CHARS || hasNul(v) || v.includes('#') || !URL.canParse(v) || /\s/.test(v)) {
      throw invalidTarget(`The resource ${quoteValue(v, 80)} must be an absolute URI without a fragment (RFC 8707 section 2).`);
    }
  }
  return out;
}

/**
 * The resources a request is for: those it names (each must be registered), else the default
 * resource.
 * @param values the request's `resource` parameters (parseResourceParams runs here)
 * @throws OAuthError invalid_target (RFC 8707 §2) for a malformed or unknown resource
 */
export async function resolveResources(values: readonly string[]): Promise<Resource[]> {
  const ids = parseResourceParams(values);
  if (ids.length === 0) return [await defaultResource()];
  const list = await listResources();
  return ids.map((id) => {
    const r = list.find((x) => x.identifier === id);
    if (!r) throw invalidTarget(`Unknown resource ${quoteValue(id, 80)}: no API is registered with this identifier.`);
    return r;
  });
}

// --- scopes --------------------------------------------------------------------------------------------

const isOidcScope = (s: string) => (OIDC_SCOPES as readonly string[]).includes(s);

/** Every scope name the resources define, then OIDC's. */
export function scopesOf(resources: readonly Resource[]): string[] {
  return [...new Set(resources.flatMap((r) => r.scopes.map((s) => s.name)))];
}

/** The sentence for `scope` among these resources (their own), else scope.ts's. */
export function describeResourceScope(resources: readonly Resource[], scope: string): string {
  for (const r of resources) for (const s of r.scopes) if (s.name === scope && s.description) return s.description;
  return describeScope(scope);
}

/** Which application settings decide its scopes (applications.allowedScopes, scopePolicy). */
export type ScopePolicyOf = Pick<Application, 'allowedScopes' | 'scopePolicy'>;

/**
 * The scopes a request gets for `resources` (RFC 6749 §3.3, RFC 8707 §2): a token's scope is only
 * these resources' scopes (plus OIDC's when `oidc`). Without `scope` (or an empty one): the
 * DEFAULT_SCOPES for the built-in resource and every scope of any other requested resource. Then
 * the application's allowed scopes (null: all; OIDC scopes are always allowed): with scopePolicy
 * 'refuse' a requested scope outside them is invalid_scope naming it; with 'narrow' it is dropped
 * (RFC 6749 §5.1: the response's `scope` then says what was granted).
 * @returns the granted scopes, in request order, de-duplicated
 * @throws OAuthError invalid_scope: a malformed or unknown scope, one of a resource not requested,
 *   one the application may not have ('refuse'), or nothing left after narrowing; invalid_target: a
 *   named resource that gets none of its scopes (everyResourceScoped, RFC 8707 §2 / §3)
 */
export async function resolveScopes(raw: string | undefined, resources: readonly Resource[], app: ScopePolicyOf, oidc = true): Promise<string[]> {
  const available = [...scopesOf(resources), ...(oidc ? OIDC_SCOPES : [])];
  let list = parseScope(raw);
  if (list.length === 0) {
    const defaults = resources.flatMap((r) => (r.builtIn ? env().DEFAULT_SCOPES.filter((s) => r.scopes.some((x) => x.name === s)) : r.scopes.map((s) => s.name)));
    const granted = allowedOnly([...new Set(defaults)], app);
    // RFC 6749 §3.3: without scope the server "MUST either process the request using a pre-defined
    // default value or fail the request indicating an invalid scope": an application allowed none of
    // the defaults gets invalid_scope, not a token with an empty scope.
    if (granted.length === 0 && defaults.length > 0) throw invalidScope('This application may request none of the default scopes; name the scopes it may request in scope.');
    return everyResourceScoped(granted, resources);
  }
  for (const s of list) {
    if (!isValidScopeToken(s)) throw invalidScope(`Unknown scope ${quoteValue(s, 64)}. Known scopes: ${sanitizeDescription(available.join(' '))}.`);
    if (available.includes(s)) continue;
    const owners = (await listResources()).filter((r) => r.scopes.some((x) => x.name === s));
    if (owners.length && !isOidcScope(s)) {
      throw invalidScope(`The scope ${quoteValue(s, 64)} belongs to ${sanitizeDescription(owners.map((r) => r.identifier).join(', '))}; request it with that resource parameter.`);
    }
    throw invalidScope(`Unknown scope ${quoteValue(s, 64)}. Known scopes: ${sanitizeDescription(available.join(' '))}.`);
  }
  if (app.allowedScopes === null) return everyResourceScoped(list, resources);
  const allowed = new Set(app.allowedScopes);
  const refused = list.find((s) => !isOidcScope(s) && !allowed.has(s));
  if (refused === undefined) return everyResourceScoped(list, resources);
  if (app.scopePolicy === 'refuse') throw invalidScope(`This application may not request the scope ${quoteValue(refused, 64)}.`);
  list = allowedOnly(list, app);
  if (list.length === 0) throw invalidScope('None of the requested scopes is allowed for this application.');
  return everyResourceScoped(list, resources);
}

/**
 * RFC 8707 §2 / §3: a token's audience is the requested resources, so each one a request names must
 * get at least one of its scopes: a resource without a granted scope would be in `aud` though the
 * user never saw it on the consent screen. The default resource alone (no `resource` parameter) is
 * exempt: a request for OIDC scopes only is for it.
 * @returns `scopes`, unchanged
 * @throws OAuthError invalid_target naming the first resource that gets no scope, with its scopes
 */
export function everyResourceScoped(scopes: string[], resources: readonly Resource[]): string[] {
  if (resources.length === 1 && resources[0].builtIn) return scopes;
  const bare = resources.find((r) => !r.scopes.some((x) => scopes.includes(x.name)));
  if (bare) {
    const own = r2s(bare);
    throw invalidTarget(
      `No scope was granted for the resource ${quoteValue(bare.identifier, 80)}: request one of its scopes (${own}) or leave the resource out (RFC 8707 section 2).`,
    );
  }
  return scopes;
}
const r2s = (r: Resource) => sanitizeDescription(r.scopes.map((x) => x.name).join(' ') || 'it defines none', 200);

/**
 * The stored resources (identifiers) a code keeps after the user unchecked some scopes at consent
 * (RFC 8707 §2 / §3): those with at least one kept scope. When none has one (the user kept only
 * OIDC scopes), the list is kept as it was: an empty list would mean the default resource.
 */
export async function resourcesWithScope(identifiers: readonly string[], scopes: readonly string[]): Promise<string[]> {
  if (identifiers.length === 0) return [];
  const list = await listResources();
  const kept = identifiers.filter((id) => list.find((r) => r.identifier === id)?.scopes.some((x) => scopes.includes(x.name)));
  return kept.length ? kept : [...identifiers];
}

/**
 * The resource and scopes an application's example requests name (the Connect panel's snippets and
 * the playground, lib/apps/snippets.ts): the default resource when the application may request one
 * of its scopes, else the first resource it may (RFC 8707 §2 `resource`), with that resource's
 * scopes the application may request (applications.allowedScopes; null: all), in the resource's order.
 * @returns identifier (an absolute URI) and scope names; `scopes` is empty when the application may
 *   request no resource scope at all
 */
export async function requestTarget(app: ScopePolicyOf): Promise<{ resource: string; scopes: string[] }> {
  const list = await listResources();
  const mayRequest = (r: Resource) => allowedOnly(r.scopes.map((s) => s.name), app);
  const chosen = list.find((r) => r.builtIn && mayRequest(r).length > 0) ?? list.find((r) => mayRequest(r).length > 0) ?? list.find((r) => r.builtIn);
  return chosen ? { resource: chosen.identifier, scopes: mayRequest(chosen) } : { resource: builtInIdentifier(), scopes: [] };
}

/** `scopes` without the resource scopes the application may not have (OIDC scopes stay). */
export function allowedOnly(scopes: string[], app: ScopePolicyOf): string[] {
  if (app.allowedScopes === null) return scopes;
  const allowed = new Set(app.allowedScopes);
  return scopes.filter((s) => isOidcScope(s) || allowed.has(s));
}

// --- the scopes as the consent screen and the device approval page show them -----------------------

/** One group of the consent screen: a resource's requested scopes, or the OpenID Connect ones. */
export interface ConsentGroup {
  /** The resource's name, or 'Your identity' for OIDC scopes. */
  title: string;
  /** The resource identifier's host (what the user can recognise); null for OIDC scopes. */
  host: string | null;
  identifier: string | null;
  scopes: { name: string; description: string; required: boolean }[];
}

/**
 * Scopes the user cannot uncheck on the consent screen: `openid` (without it the request is not an
 * OpenID Connect sign-in at all). Every other scope is optional (RFC 6749 §3.3: the server may
 * grant fewer than requested, and says so in the token response's `scope`).
 */
export const REQUIRED_SCOPES: readonly string[] = ['openid'];

/**
 * The requested scopes grouped by resource (a scope two resources define is shown under the
 * first), OIDC scopes in their own group last. The scopes of resources no longer registered go
 * to 'Other permissions', which then names those resources' hosts.
 */
export function consentGroups(scopes: readonly string[], identifiers: readonly string[], all: readonly Resource[]): ConsentGroup[] {
  const oidc = OIDC_SCOPES as readonly string[];
  const resources = identifiers.map((id) => all.find((r) => r.identifier === id)).filter((r): r is Resource => r !== undefined);
  const placed = new Set<string>();
  const groups: ConsentGroup[] = [];
  for (const r of resources) {
    const mine = scopes.filter((s) => !oidc.includes(s) && !placed.has(s) && r.scopes.some((x) => x.name === s));
    mine.forEach((s) => placed.add(s));
    if (!mine.length) continue;
    const host = URL.canParse(r.identifier) ? new URL(r.identifier).host : r.identifier;
    groups.push({ title: r.name, host, identifier: r.identifier, scopes: mine.map((s) => ({ name: s, description: describeResourceScope([r], s), required: false })) });
  }
  const rest = scopes.filter((s) => !placed.has(s) && !oidc.includes(s));
  // Identifiers no longer registered (removed after the request) are named by host on that group.
  const gone = identifiers.filter((id) => !resources.some((r) => r.identifier === id)).map((id) => (URL.canParse(id) ? new URL(id).host : id));
  if (rest.length) {
    const host = gone.length ? gone.join(', ') : null;
    groups.push({ title: 'Other permissions', host, identifier: null, scopes: rest.map((s) => ({ name: s, description: describeResourceScope(resources, s), required: false })) });
  }
  const ids = scopes.filter((s) => oidc.includes(s));
  if (ids.length) groups.push({ title: 'Your identity', host: null, identifier: null, scopes: ids.map((s) => ({ name: s, description: describeResourceScope([], s), required: REQUIRED_SCOPES.includes(s) })) });
  return groups;
}

// --- what the access token is ----------------------------------------------------------------------

/** What an access token for some resources is: its audience, format and lifetime. */
export interface AccessTarget {
  /** RFC 8707 / RFC 9068 `aud`: the resources' identifiers. */
  audience: string[];
  /** 'jwt' when any of the resources asks for JWT access tokens (RFC 9068), else 'opaque'. */
  format: 'opaque' | 'jwt';
  /** Seconds: the shortest of the resources' lifetimes, each defaulting to ACCESS_TOKEN_EXPIRE_SECONDS. */
  lifetimeSeconds: number;
}

/** The AccessTarget of a token for `resources` (see AccessTarget for the rules). */
export function accessTarget(resources: readonly Resource[]): AccessTarget {
  const def = env().ACCESS_TOKEN_EXPIRE_SECONDS;
  return {
    audience: resources.map((r) => r.identifier),
    format: resources.some((r) => r.accessTokenFormat === 'jwt') ? 'jwt' : 'opaque',
    lifetimeSeconds: resources.length ? Math.min(...resources.map((r) => r.accessTokenLifetimeSeconds ?? def)) : def,
  };
}

/**
 * The AccessTarget of stored identifiers (a code's, refresh token's or device code's resources):
 * an empty list is the default resource (rows from before resources existed); identifiers no
 * longer registered count for the audience but not for format or lifetime.
 */
export async function accessTargetOf(identifiers: readonly string[]): Promise<AccessTarget> {
  const list = await listResources();
  if (identifiers.length === 0) return accessTarget(list.filter((r) => r.builtIn));
  const found = list.filter((r) => identifiers.includes(r.identifier));
  return { ...accessTarget(found), audience: [...identifiers] };
}

/**
 * The scopes a token for `resources` may carry out of a grant's scopes (RFC 8707 §2.2: a token
 * request naming fewer resources than the grant gets only their scopes): theirs and OIDC's.
 */
export const scopeWithin = (resources: readonly Resource[]): string[] => [...scopesOf(resources), ...OIDC_SCOPES];

/** Every scope the resources define and OIDC's: `scopes_supported` (RFC 8414 §2). */
export async function supportedScopes(): Promise<string[]> {
  return [...new Set([...scopesOf(await listResources()), ...OIDC_SCOPES])];
}
