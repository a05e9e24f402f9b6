// `next` / `callbackUrl` may only lead to a path on this site (no open redirects), and what is
// refused is said, never dropped silently: the login page tells the user where they will land.
import { env } from '../env';

/** Why a `next` was not followed: longer than limits.nextMaxLength (characters of its percent-encoded form), or not a path on this site. */
export type NextRefusal = 'too_long' | 'not_this_site';

export interface CheckedNext {
  /** Where to go: a same-site path, percent-encoded (ASCII only: it becomes a Location header), or "/". */
  path: string;
  /** Set when a `next` was given but is not followed (the path is then "/"). */
  refused: NextRefusal | null;
}

const refuse = (refused: NextRefusal): CheckedNext => ({ path: '/', refused });

/** One leading "/", not "//" or "/\", which browsers read as a path on another host (a network-path reference, RFC 3986 §4.2). */
const isSamePath = (p: string): boolean => p.startsWith('/') && p[1] !== '/' && p[1] !== '\\';

/**
 * Checks a `next` for the login and sign-up pages.
 * @param next the value as received (a path; an absolute URL only when its origin is `origin`,
 *   as next-auth hands callbackUrl over)
 * @param origin this site's origin (the ISSUER), to accept next-auth's absolute callbackUrl
 * @returns the path to go to after login, percent-encoded: every non-ASCII character as UTF-8
 *   (WHATWG URL serialisation), so that a Location header can carry it. Nothing given: "/" and no
 *   refusal. A refused `next`: "/" and the reason, for the page to say.
 */
export function checkNext(next: unknown, origin?: string): CheckedNext {
  if (next === undefined || next === null || next === '') return { path: '/', refused: null };
  if (typeof next !== 'string') return refuse('not_this_site');
  const max = env().limits.nextMaxLength;
  // Even fully percent-encoded (up to 12 characters per UTF-16 pair) a longer one cannot fit.
  if (next.length > max * 6) return refuse('too_long');
  let candidate = next;
  if (origin && /^https?:\/\//i.test(candidate)) {
    try {
      const u = new URL(candidate);
      if (u.origin !== new URL(origin).origin) return refuse('not_this_site');
      candidate = u.pathname + u.search + u.hash;
    } catch {
      return refuse('not_this_site');
    }
  }
  // A path: one leading "/", not "//" or "/\" (browsers read both as another host), no control chars.
  if (!isSamePath(candidate)) return refuse('not_this_site');
  if (/[\u0000-\u001f\u007f\\]/.test(candidate)) return refuse('not_this_site');
  let path: string;
  try {
    const u = new URL(candidate, 'http://same.invalid');
    if (u.host !== 'same.invalid') return refuse('not_this_site');
    path = u.pathname + u.search + u.hash;
  } catch {
    return refuse('not_this_site');
  }
  // Checked again after the URL parser resolved dot segments ("/.//evil", "/%2e%2e//evil" → "//evil"):
  // what is followed is the serialized path, and a browser reads a leading "//" as another host.
  if (!isSamePath(path)) return refuse('not_this_site');
  return path.length > max ? refuse('too_long') : { path, refused: null };
}

/** checkNext's path alone: for the login actions, whose form carries the `next` its page checked already. */
export function safeNextPath(next: unknown, origin?: string): string {
  return checkNext(next, origin).path;
}

/** What the login and sign-up pages say about a refused `next`. */
export function describeNextRefusal(refused: NextRefusal): string {
  const why =
    refused === 'too_long'
      ? `its address is longer than ${env().limits.nextMaxLength.toLocaleString('en-US')} characters`
      : 'it is not a page of this site';
  return `The link you followed asked to continue to another page after logging in, but ${why}. You will land on the home page instead.`;
}
