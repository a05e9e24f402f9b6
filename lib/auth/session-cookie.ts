// Reading next-auth's session outside Next.js (the node:http door's /o/authorize/).
// The cookie is a JWE keyed from AUTH_SECRET with the cookie name as salt (Auth.js v5 format).
import { decode } from 'next-auth/jwt';
import { env } from '../env';
import { sha256b64url } from '../oauth/random';

/** Our issuer decides the cookie name: Auth.js prefixes `__Secure-` on https. */
export const SESSION_COOKIE = 'authjs.session-token';
export const sessionCookieName = () => (env().ISSUER.startsWith('https://') ? `__Secure-${SESSION_COOKIE}` : SESSION_COOKIE);

export interface SessionClaims {
  userId: string;
  /** Seconds since the epoch when the user last entered their password. */
  authTime: number;
  /** SHA-256 (base64url) of the cookie's session id: the key of its row in `sessions`. */
  sidHash: string;
}

function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  // Auth.js splits large cookies into name.0, name.1, …
  const parts = new Map<string, string>();
  for (const c of header.split(/;\s*/)) {
    const i = c.indexOf('=');
    if (i > 0) parts.set(c.slice(0, i), c.slice(i + 1));
  }
  if (parts.has(name)) return parts.get(name)!;
  let out = '';
  for (let i = 0; parts.has(`${name}.${i}`); i++) out += parts.get(`${name}.${i}`);
  return out || null;
}

// Decrypting the JWE (with its HKDF key derivation) is most of the cost of GET /o/authorize/ for
// a returning user; the same cookie always decodes to the same claims, so remember them until
// they expire, for limits.sessionCookieCacheMs at most (limits.sessionCookieCacheMax entries).
const KEY = Symbol.for('oauth.sessionCache');
type Cached = { claims: SessionClaims | null; exp: number };
type G = typeof globalThis & { [KEY]?: Map<string, Cached> };
const cache = ((globalThis as G)[KEY] ??= new Map());

/**
 * The claims of the session cookie in a Cookie header, or null (no cookie, not ours, expired, or
 * without a session id: a cookie from before server-side sessions names no row). This only reads
 * the cookie: whether its session is still live is the database's answer (lib/db/queries/sessions.ts).
 */
export async function sessionFromCookieHeader(cookieHeader: string | null): Promise<SessionClaims | null> {
  const name = sessionCookieName();
  const raw = readCookie(cookieHeader, name);
  if (!raw) return null;
  const now = Date.now();
  const hit = cache.get(raw);
  if (hit && hit.exp > now) return hit.claims;
  const e = env();
  let claims: SessionClaims | null = null;
  let exp = now + e.limits.sessionCookieCacheMs;
  try {
    const t = await decode({ token: raw, secret: e.AUTH_SECRET, salt: name });
    if (t?.sub && typeof t.sid === 'string' && !(typeof t.exp === 'number' && t.exp * 1000 < now)) {
      claims = { userId: t.sub, authTime: Number(t.authTime ?? 0), sidHash: sha256b64url(t.sid) };
      if (typeof t.exp === 'number') exp = Math.min(exp, t.exp * 1000);
    }
  } catch {
    claims = null;
  }
  if (cache.size >= e.limits.sessionCookieCacheMax) cache.clear();
  cache.set(raw, { claims, exp });
  return claims;
}
