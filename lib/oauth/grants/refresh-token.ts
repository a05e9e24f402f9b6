// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh returns a new refresh token; presenting
// a superseded one revokes the whole family.
import type { Grant } from './types';
import { invalidGrant, invalidScope } from '../errors';
import { required } from '../http';
import { sha256b64url } from '../random';
import { formatScope, isSubset, isValidScopeToken, parseScope } from '../scope';
import { findRefreshToken, revokeFamily, rotateRefreshToken } from '../../db/queries/tokens';
import { audit } from '../../db/queries/audit';
import { issueTokens } from '../tokens';
import { attachIdToken } from '../oidc/attach';
import { env } from '../../env';

/**
 * Requests that lost a race for the same refresh token (sent concurrently, e.g. by two tabs) arrive
 * within moments of the rotation. They get invalid_grant but do not revoke the family: a reuse
 * *after* this window is what signals a stolen token (Keycloak CVE-2026-1035 is the opposite
 * mistake: letting both win).
 */
export const CONCURRENT_REFRESH_WINDOW_SECONDS = 2;

const INVALID = 'The refresh token is invalid, expired or revoked.';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle({ req, params, client }) {
    const token = required(params, 'refresh_token');
    if (token.length > 512) throw invalidGrant(INVALID);
    const hash = sha256b64url(token);
    // §6: "The requested scope MUST NOT include any scope not originally granted." Checked inside the
    // rotating UPDATE, so that a request rejected for its scope does not spend the token.
    const requested = params.has('scope') ? parseScope(params.get('scope')) : null;
    const widened = () => invalidScope('A refresh cannot widen the scope; request the same scopes or fewer.');
    if (requested?.some((s) => !isValidScopeToken(s))) throw invalidScope('The scope contains an invalid character.');
    let row = await rotateRefreshToken(hash, client.app.id, requested ? formatScope(requested) : undefined);
    if (!row) {
      const prior = await findRefreshToken(hash);
      // Bound to its client: another client's token is simply invalid (and not a reuse signal).
      if (!prior || prior.applicationId !== client.app.id) throw invalidGrant(INVALID);
      const live = !prior.rotatedAt && !prior.revokedAt && (!prior.expiresAt || prior.expiresAt.getTime() > Date.now());
      if (live && requested && !isSubset(requested, parseScope(prior.scope))) throw widened();
      const ago = prior.rotatedSecondsAgo;
      const grace = env().REFRESH_TOKEN_GRACE_PERIOD_SECONDS;
      // DOT #1816: a *revoked* token is never accepted, grace period or not, nor one whose family was
      // revoked. DOT #1617: the grace period covers only the latest rotation (a retry that lost its
      // answer), not a token several generations old.
      if (!prior.revokedAt && !prior.graceBlocked && ago !== null && grace > 0 && ago <= grace) {
        row = prior; // within the configured grace period: issue again from the same family
      } else {
        if (!prior.revokedAt && ago !== null && ago > CONCURRENT_REFRESH_WINDOW_SECONDS) {
          await revokeFamily(prior.familyId);
          audit('refresh.reuse_detected', { applicationId: client.app.id, actorUserId: prior.userId, ip: req.ip });
        }
        throw invalidGrant(INVALID);
      }
    }
    const original = parseScope(row.scope);
    if (requested && !isSubset(requested, original)) throw widened(); // the grace-period path
    // A narrowed request narrows the access token only: "If a new refresh token is issued, the
    // refresh token scope MUST be identical to that of the refresh token included by the client".
    const scope = formatScope(requested && requested.length ? requested : original);
    const issued = await issueTokens({
      app: client.app,
      userId: row.userId,
      scope,
      refreshScope: row.scope,
      grantType: 'refresh_token',
      familyId: row.familyId,
      grantId: row.grantId,
      withRefresh: true,
      authTime: row.authTime,
      nonce: null,
      ip: req.ip,
    });
    return attachIdToken(issued, { app: client.app, userId: row.userId, scope, nonce: null, authTime: row.authTime });
  },
};
