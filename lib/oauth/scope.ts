/**
 * OAuth 2.0 scope helpers (RFC 6749 §3.3).
 *
 *   scope       = scope-token *( SP scope-token )
 *   scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
 */
import { env } from '../env';
import { ownEntry } from '../fields';

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

// --- The built-in resource's scopes (SCOPES) plus OpenID Connect's; other resources define their
// own, and a request's scopes are resolved by lib/oauth/resources.ts resolveScopes. ---

export const OIDC_SCOPES = ['openid', 'profile', 'email'] as const;

const DESCRIPTIONS: Record<string, string> = {
  read: 'Read your data',
  write: 'Create and change your data',
  introspection: 'Check whether access tokens are valid',
  openid: 'Confirm your identity (sign you in)',
  profile: 'See your username',
  email: 'See your email address',
};

export const describeScope = (s: string) => ownEntry(DESCRIPTIONS, s) ?? `Access “${s}”`;

/** SCOPES and OIDC's: scopes_supported when the resources cannot be read (discovery's default). */
export function knownScopes(): string[] {
  return [...new Set([...env().SCOPES, ...OIDC_SCOPES])];
}
