// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh returns a new refresh token; presenting
// a superseded one revokes the whole family.
import type { Grant } from './types';
import { invalidGrant, invalidScope } from '../errors';
import { required } from '../http';
import { sha256b64url } from '../random';
import { formatScope, isSubset, parseScope } from '../scope';
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
  allowPublic: true,
  async handle({ req, params, client }) {
    const token = required(params, 'refresh_token');
    if (token.length > 512) throw invalidGrant(INVALID);
    const hash = sha256b64url(token);
    let row = await rotateRefreshToken(hash, client.app.id);
    if (!row) {
      const prior = await findRefreshToken(hash);
      // Bound to its client: another client's token is simply invalid (and not a reuse signal).
      if (!prior || prior.applicationId !== client.app.id) throw invalidGrant(INVALID);
      const ago = prior.rotatedSecondsAgo;
      const grace = env().REFRESH_TOKEN_GRACE_PERIOD_SECONDS;
      // DOT #1816: a *revoked* token is never accepted, grace period or not.
      if (!prior.revokedAt && ago !== null && grace > 0 && ago <= grace) {
        row = prior; // within the configured grace period: issue again from the same family
      } else {
        if (!prior.revokedAt && ago !== null && ago > CONCURRENT_REFRESH_WINDOW_SECONDS) {
          await revokeFamily(prior.familyId);
          audit('refresh.reuse_detected', { applicationId: client.app.id, actorUserId: prior.userId, ip: req.ip });
        }
        throw invalidGrant(INVALID);
      }
    }
    // §6: "The requested scope MUST NOT include any scope not originally granted."
    const original = parseScope(row.scope);
    const requested = params.has('scope') ? parseScope(params.get('scope')) : original;
    if (!isSubset(requested, original)) throw invalidScope('A refresh cannot widen the scope; request the same scopes or fewer.');
    const scope = formatScope(requested);
    const issued = await issueTokens({
      app: client.app,
      userId: row.userId,
      scope,
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
