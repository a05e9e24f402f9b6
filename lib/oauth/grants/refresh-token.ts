// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh returns a new refresh token; presenting
// a superseded one revokes the whole family. The token store rotates and stores in one step
// (lib/oauth/store.ts rotateRefreshToken) and says why it refused; reuse detection is decided here.
import type { Grant } from './types';
import { invalidGrant, invalidScope, invalidTarget } from '../errors';
import { paramValues, required } from '../http';
import { accessTarget, allowedOnly, everyResourceScoped, resolveResources, scopeWithin } from '../resources';
import { sha256b64url } from '../random';
import { formatScope, isValidScopeToken, parseScope } from '../scope';
import type { RefreshRotation } from '../store';
import { audit } from '../../db/queries/audit';
import { newTokens, settleAccessToken, tokenResponse } from '../tokens';
import { idTokenProblem } from '../oidc/attach';
import { issueRefusalError, isIssueRefusal } from './refusals';
import { env } from '../../env';
import { scopePolicyCheck, scopeRefusedError } from './scope-policy';

const INVALID = 'The refresh token is invalid, expired or revoked.';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle({ req, params, client, store }) {
    const token = required(params, 'refresh_token');
    if (token.length > env().limits.tokenMaxLength) throw invalidGrant(INVALID);
    // §6: "The requested scope MUST NOT include any scope not originally granted." The store checks
    // it before spending the token, so that a request refused for its scope does not spend it.
    const requested = params.has('scope') ? parseScope(params.get('scope')) : null;
    if (requested?.some((s) => !isValidScopeToken(s))) throw invalidScope('The scope contains an invalid character.');

    // RFC 8707 §2.2: a refresh may name some of the grant's resources (narrowing only: the store
    // refuses others); the access token is then for those, with their scopes.
    const named = paramValues(params, 'resource');
    const resources = named.length ? await resolveResources(named) : null;
    // RFC 8707 §2 / §3, as at the other endpoints: with a scope named too, each named resource must
    // keep one of its scopes, or `aud` would name a resource the token has no scope for.
    // Checked on what the token would get: with scopePolicy 'narrow', after the narrowing.
    if (resources && requested?.length) everyResourceScoped(client.app.scopePolicy === 'narrow' ? allowedOnly(requested, client.app) : requested, resources);
    const tokens = newTokens(true, resources && accessTarget(resources), resources && scopeWithin(resources));
    const problem = await idTokenProblem(client.app);
    const rotation: RefreshRotation = {
      tokenHash: sha256b64url(token),
      applicationId: client.app.id,
      // A narrowed request narrows the access token only: "If a new refresh token is issued, the
      // refresh token scope MUST be identical to that of the refresh token included by the client".
      scope: requested && requested.length ? formatScope(requested) : null,
      tokens: tokens.stored,
      graceSeconds: env().REFRESH_TOKEN_GRACE_PERIOD_SECONDS,
      idTokenUnavailable: problem !== null,
      // The owner may have narrowed the allowed scopes since the grant: 'refuse' refuses, 'narrow' drops.
      scopePolicy: scopePolicyCheck(client.app, tokens.stored),
    };
    let r = await store.rotateRefreshToken(rotation);
    // A concurrent rotation of this token won while this one ran. With a grace period, a request
    // arriving a moment later would be accepted as a retry; so is this one.
    if (!r.ok && r.used?.concurrent && rotation.graceSeconds > 0) r = await store.rotateRefreshToken(rotation);
    if (!r.ok) {
      if (r.reason === 'invalid_target') throw invalidTarget('The refresh token was not issued for this resource; a refresh can only narrow the resources.');
      if (r.reason === 'scope_refused') throw scopeRefusedError();
      if (r.reason === 'scope_widened') throw invalidScope('A refresh cannot widen the scope; request the same scopes or fewer.');
      if (isIssueRefusal(r.reason)) throw issueRefusalError(r.reason, { req, app: client.app, idTokenProblem: problem });
      // RFC 9700 §4.14.2: a used token presented again, outside its grace period and later than a
      // concurrent request would be, means someone else holds a copy: revoke the family. Requests
      // that lost a race for the same token (two tabs) arrive within limits.concurrentRefreshWindowSeconds
      // of the rotation: refused, but they revoke nothing (Keycloak CVE-2026-1035 is the opposite
      // mistake: letting both win).
      if (r.used && !r.used.concurrent && r.used.rotatedSecondsAgo > env().limits.concurrentRefreshWindowSeconds) {
        await store.revokeFamily(r.used.familyId);
        audit('refresh.reuse_detected', { applicationId: client.app.id, actorUserId: r.used.userId, ip: req.ip });
      }
      // Unknown, another client's (bound to its client: not a reuse signal), revoked, used, expired.
      throw invalidGrant(INVALID);
    }
    const { rotated } = r;
    await settleAccessToken(tokens, store, rotated.audience, rotated.scope, client.app.clientId, { sub: rotated.userId ?? client.app.clientId, authTime: rotated.authTime });
    // §12.2 (OIDC): auth_time stays that of the original authentication; no nonce.
    return tokenResponse(tokens, { app: client.app, user: r.user, scope: rotated.scope, grantType: 'refresh_token', ip: req.ip, nonce: null, authTime: rotated.authTime });
  },
};
