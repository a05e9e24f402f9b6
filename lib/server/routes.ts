// The node:http door's routes: the manifest's entries (lib/server/manifest.ts) by path, each path
// served with and without its trailing slash, as in the tutorial.
import { MANIFEST_ENTRIES, type ManifestEntry } from './manifest';

const withoutSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

/** Every path of every entry, stored without its trailing slash. */
const table = new Map<string, ManifestEntry>(MANIFEST_ENTRIES.flatMap((e) => e.paths.map((p) => [withoutSlash(p), e] as const)));

/**
 * The manifest entry the node door serves a request with, or undefined when Next.js answers it.
 * Every method goes to the entry (its wrapper answers the ones it does not serve).
 */
export function findRoute(pathname: string): ManifestEntry | undefined {
  return table.get(withoutSlash(pathname));
}
