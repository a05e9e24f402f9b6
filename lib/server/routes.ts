// The node:http door's routes: the manifest's entries (lib/server/manifest.ts) by path, each path
// served with and without its trailing slash, as in the tutorial.
import type { IncomingMessage } from 'node:http';
import { MANIFEST_ENTRIES, type ManifestEntry } from './manifest';

const withoutSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

/** Every path of every entry, stored without its trailing slash. */
const table = new Map<string, ManifestEntry>(MANIFEST_ENTRIES.flatMap((e) => e.paths.map((p) => [withoutSlash(p), e] as const)));

/**
 * True for a request that Next.js's action handler inspects (next/dist/server/lib/
 * server-action-request-meta.js): a POST with a `Next-Action` header (a fetch action, sent by the
 * page's JavaScript), or a multipart/form-data POST (a form sent without JavaScript, or before the
 * page's JavaScript ran, naming its action in a `$ACTION_ID_<id>` field).
 */
export function isPossibleServerAction(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  if (req.method !== 'POST') return false;
  const type = req.headers['content-type'];
  return typeof req.headers['next-action'] === 'string' || (typeof type === 'string' && type.startsWith('multipart/form-data'));
}

/**
 * The manifest entry the node door serves a request with, or undefined when Next.js answers it.
 * Every method goes to the entry (its wrapper answers the ones it does not serve).
 * @param serverAction the request is a possible server action (isPossibleServerAction): on a path
 *   that is also a page with server actions, Next.js answers it, with or without JavaScript
 */
export function findRoute(pathname: string, serverAction = false): ManifestEntry | undefined {
  const e = table.get(withoutSlash(pathname));
  return e && !(serverAction && e.serverActions) ? e : undefined;
}
