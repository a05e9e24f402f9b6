// The client's allowed scopes (applications.allowedScopes, scopePolicy) hold for every token issued,
// not only at the authorization request: a refresh token or an approved device code granted before
// the owner narrowed them must not bring the removed scopes back. RFC 6749 §6 lets a refreshed
// access token's scope be less than the original grant, never more.
import type { Application } from '../../db/schema';
import { OIDC_SCOPES } from '../scope';
import { invalidScope } from '../errors';
import type { ScopePolicyCheck, StoredTokens } from '../store';

/**
 * The check the token store makes when a grant issued earlier is used (ScopePolicyCheck), and the
 * narrowing of the new access token for scopePolicy 'narrow': `tokens.scopeWithin` becomes its
 * intersection with the allowed scopes (OIDC scopes always allowed). Null (and `tokens` unchanged)
 * when the application allows every scope.
 */
export function scopePolicyCheck(app: Pick<Application, 'allowedScopes' | 'scopePolicy'>, tokens: StoredTokens): ScopePolicyCheck | null {
  if (app.allowedScopes === null) return null;
  const allowed = [...new Set([...app.allowedScopes, ...OIDC_SCOPES])];
  const refuse = app.scopePolicy === 'refuse';
  if (!refuse) tokens.scopeWithin = tokens.scopeWithin === null ? allowed : tokens.scopeWithin.filter((s) => allowed.includes(s));
  return { allowed, refuse };
}

/** RFC 6749 §5.2 invalid_scope for the store's `scope_refused`. */
export const scopeRefusedError = () =>
  invalidScope('This application may no longer have some of the granted scopes; request only the scopes it is allowed, or authorize again.');
