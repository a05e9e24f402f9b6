// `next` / `callbackUrl` may only lead to a path on this site (no open redirects).

/**
 * Returns a same-origin path for `next`, or "/". Accepts an absolute URL only when its origin is
 * `origin` (next-auth hands callbackUrl over as an absolute URL).
 */
export function safeNextPath(next: unknown, origin?: string): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 4096) return '/';
  let candidate = next;
  if (origin && /^https?:\/\//i.test(candidate)) {
    try {
      const u = new URL(candidate);
      if (u.origin !== new URL(origin).origin) return '/';
      candidate = u.pathname + u.search + u.hash;
    } catch {
      return '/';
    }
  }
  // A path: one leading "/", not "//" or "/\" (browsers read both as another host), no control chars.
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(candidate)) return '/';
  try {
    const u = new URL(candidate, 'http://same.invalid');
    if (u.host !== 'same.invalid') return '/';
  } catch {
    return '/';
  }
  return candidate;
}
