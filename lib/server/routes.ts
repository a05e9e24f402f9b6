// Paths served by the node:http door (see node-door.ts). Trailing slash optional, as in the tutorial.
import type { IncomingMessage } from 'node:http';
import type { OAuthRequest, OAuthResponse } from '../oauth/http';
import type { ErrorForm } from '../http/body';

/** A null answer hands the request to Next.js (only for GET/HEAD, whose body is never read). */
export type Route = (req: OAuthRequest) => Promise<OAuthResponse | null>;

export interface RouteOptions {
  /** Methods served here; others go to Next.js. Undefined = all. */
  methods?: string[];
  /** The form of the errors the door itself answers (413): JSON (default) or HTML for browser-facing endpoints. */
  errors?: ErrorForm;
  /** The path is also a Next.js page with server actions: possible server actions (isPossibleServerAction) go to Next.js. */
  serverActions?: boolean;
}

export interface RouteEntry {
  route: Route;
  errors: ErrorForm;
}

interface Entry extends RouteEntry {
  methods?: string[];
  serverActions: boolean;
}

const KEY = Symbol.for('oauth.fastRoutes');
type G = typeof globalThis & { [KEY]?: Map<string, Entry> };
const table = ((globalThis as G)[KEY] ??= new Map());

/**
 * The method an endpoint is run with: HEAD runs as GET, and the adapters send the answer without
 * its content (RFC 9110 §9.3.2: "identical to GET except that the server MUST NOT send content").
 * Endpoints therefore never see HEAD, and each GET route answers HEAD the same way.
 */
export const endpointMethod = (method: string): string => (method === 'HEAD' ? 'GET' : method);

/** Registers a fast route for a path (stored without its trailing slash). */
export function fastRoute(path: string, route: Route, opts: RouteOptions = {}) {
  table.set(path.replace(/\/+$/, '') || '/', { route, methods: opts.methods, errors: opts.errors ?? 'json', serverActions: opts.serverActions ?? false });
}

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
 * The door's route for a request, or undefined when Next.js answers it.
 * @param serverAction the request is a possible server action (isPossibleServerAction): on a path
 *   that is also a page with server actions, Next.js answers it, with or without JavaScript
 */
export function findRoute(pathname: string, method: string, serverAction = false): RouteEntry | undefined {
  const e = table.get(pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname);
  if (!e || (e.methods && !e.methods.includes(method)) || (serverAction && e.serverActions)) return undefined;
  return e;
}
