// Paths served by the node:http door (see node-door.ts). Trailing slash optional, as in the tutorial.
import type { OAuthRequest, OAuthResponse } from '../oauth/http';

/** A null answer hands the request to Next.js (only for GET/HEAD, whose body is never read). */
export type Route = (req: OAuthRequest) => Promise<OAuthResponse | null>;

interface Entry {
  route: Route;
  /** Methods served here; others go to Next.js. Undefined = all. */
  methods?: string[];
}

const KEY = Symbol.for('oauth.fastRoutes');
type G = typeof globalThis & { [KEY]?: Map<string, Entry> };
const table = ((globalThis as G)[KEY] ??= new Map());

/** Registers a fast route for a path (stored without its trailing slash). */
export function fastRoute(path: string, route: Route, methods?: string[]) {
  table.set(path.replace(/\/+$/, '') || '/', { route, methods });
}

export function findRoute(pathname: string, method: string): Route | undefined {
  const e = table.get(pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname);
  if (!e || (e.methods && !e.methods.includes(method))) return undefined;
  return e.route;
}
