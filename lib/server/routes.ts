// The node:http door's routes: the manifest's entries (lib/server/manifest.ts) by path, each path
// served with and without its trailing slash, as in the tutorial. A path segment written `[name]`
// (as in the App Router's folder names) matches any one segment.
import { MANIFEST_ENTRIES, type ManifestEntry } from './manifest';
import { pathParams } from '../oauth/paths';

const withoutSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

const isPattern = (path: string) => path.includes('[');

/** Every fixed path of every entry, stored without its trailing slash. */
const table = new Map<string, ManifestEntry>(MANIFEST_ENTRIES.flatMap((e) => e.paths.filter((p) => !isPattern(p)).map((p) => [withoutSlash(p), e] as const)));
/** Paths with a `[name]` segment (the RFC 7592 client configuration endpoint), tried after the fixed ones. */
const patterns: Array<[string, ManifestEntry]> = MANIFEST_ENTRIES.flatMap((e) => e.paths.filter(isPattern).map((p) => [p, e] as [string, ManifestEntry]));

/**
 * The manifest entry the node door serves a request with, or undefined when Next.js answers it.
 * Every method goes to the entry (its wrapper answers the ones it does not serve).
 */
export function findRoute(pathname: string): ManifestEntry | undefined {
  const fixed = table.get(withoutSlash(pathname));
  if (fixed) return fixed;
  return patterns.find(([p]) => pathParams(p, pathname) !== null)?.[1];
}
