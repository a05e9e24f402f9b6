/**
 * OAuth 2.0 scope helpers (RFC 6749 §3.3).
 *
 *   scope       = scope-token *( SP scope-token )
 *   scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
 */

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Splits a scope string into tokens. Lenient on purpose: repeated spaces are
 * tolerated, duplicates removed (first occurrence wins). Validity of each
 * token is checked separately with isValidScopeToken.
 */
export function parseScope(s: string | null | undefined): string[] {
  if (typeof s !== 'string' || s.length === 0) return [];
  // "expressed as a list of space-delimited, case-sensitive strings" — split on SP only.
  const out: string[] = [];
  const seen = new Set<string>();
  for (const token of s.split(' ')) {
    if (token === '' || seen.has(token)) continue;
    seen.add(token);
    out.push(token);
  }
  return out;
}

export function isValidScopeToken(t: string): boolean {
  return typeof t === 'string' && SCOPE_TOKEN.test(t);
}

export function formatScope(list: string[]): string {
  return list.join(' ');
}

/** True when every requested scope is in `allowed` (case-sensitive, RFC 6749 §3.3). */
export function isSubset(requested: string[], allowed: string[]): boolean {
  const allowedSet = new Set(allowed);
  return requested.every((s) => allowedSet.has(s));
}
