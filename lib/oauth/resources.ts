// Resources (RFC 8707) as the protocol reads them. MINIMAL STAND-IN written on the res-admin
// branch so that the staff pages and the command line build: the res-proto branch owns this
// module (same exported names), and the two are merged.
import { env } from '../env';
import { describeScope } from './scope';
import { findResourceRow, insertBuiltInResource, listenResourcesChanged, listResourceRows, type ResourceRow } from '../db/queries/resources';
import { log } from '../log';

export interface Resource {
  id: number;
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  accessTokenFormat: 'opaque' | 'jwt';
  accessTokenLifetimeSeconds: number | null;
  builtIn: boolean;
}

const toResource = (r: ResourceRow): Resource => ({
  id: r.id,
  identifier: r.identifier,
  name: r.name,
  scopes: r.scopes,
  accessTokenFormat: r.accessTokenFormat,
  accessTokenLifetimeSeconds: r.accessTokenLifetimeSeconds,
  builtIn: r.builtIn,
});

let cached: Promise<Resource[]> | null = null;
let listening: Promise<void> | null = null;

/**
 * Every resource (the built-in first), cached in the process until invalidateResources() here, or
 * a change announced by another process (NOTIFY on PostgreSQL: a CLI command, another instance).
 */
export function listResources(): Promise<Resource[]> {
  listening ??= listenResourcesChanged(() => (cached = null)).catch((e: unknown) => {
    listening = null;
    log.warn('resource_cache.listen_failed', { err: e });
  });
  cached ??= (async () => {
    await ensureBuiltInResource();
    return (await listResourceRows()).map(toResource);
  })().catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}

/** Drops the cached list (call after any change of a resource). */
export function invalidateResources(): void {
  cached = null;
}

/** The resource with this exact identifier (RFC 8707 §2), or null. */
export async function findResource(identifier: string): Promise<Resource | null> {
  const r = await findResourceRow(identifier);
  return r ? toResource(r) : null;
}

/** Creates `${ISSUER}/api` with the SCOPES (and their sentences) unless a built-in resource exists. */
export async function ensureBuiltInResource(): Promise<void> {
  const { ISSUER, SCOPES } = env();
  await insertBuiltInResource({
    identifier: `${ISSUER.replace(/\/$/, '')}/api`,
    name: 'API',
    scopes: SCOPES.map((name) => ({ name, description: describeScope(name) })),
  });
}
