// The scopes this server knows: the configured API scopes (SCOPES) plus OpenID Connect's.
import { env } from '../env';
import { invalidScope, quoteValue } from './errors';
import { formatScope, isValidScopeToken, parseScope } from './scope';
import { ownEntry } from '../fields';

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

export function knownScopes(): string[] {
  return [...new Set([...env().SCOPES, ...OIDC_SCOPES])];
}

/**
 * Resolves a request's `scope`: the defaults when absent (RFC 6749 §3.3), otherwise every value
 * must be a known scope. Returns the space-joined, de-duplicated scope.
 */
export function resolveRequestedScope(raw: string | undefined): string[] {
  if (raw === undefined) return [...env().DEFAULT_SCOPES];
  const list = parseScope(raw);
  const known = knownScopes();
  const bad = list.find((s) => !isValidScopeToken(s) || !known.includes(s));
  if (bad !== undefined) throw invalidScope(`Unknown scope ${quoteValue(bad, 64)}. Known scopes: ${known.join(' ')}.`);
  if (list.length === 0) return [...env().DEFAULT_SCOPES];
  return list;
}

export { formatScope, parseScope };
