// RFC 8628 §3.4–3.5: the device polls the token endpoint with its device_code until the user has
// approved or denied the request at /o/device/, or the code has expired.
import type { Grant } from './types';
import { authorizationPending, deviceAccessDenied, expiredToken, invalidGrant, invalidTarget, slowDown } from '../errors';
import { paramValues, required } from '../http';
import { accessTarget, resolveResources, scopeWithin } from '../resources';
import { sha256b64url } from '../random';
import { newTokens, settleAccessToken, tokenResponse } from '../tokens';
import { idTokenProblem } from '../oidc/attach';
import { GRANT_DEVICE_CODE } from './catalogue';
import { issueRefusalError } from './refusals';
import { env } from '../../env';
import { scopePolicyCheck, scopeRefusedError } from './scope-policy';

const INVALID = 'The device code is invalid or was already used.';
const EXPIRED = 'The device code has expired; start a new device authorization request.';

export const deviceCodeGrant: Grant = {
  grantType: GRANT_DEVICE_CODE,
  async handle({ req, params, client, store }) {
    const code = required(params, 'device_code');
    if (code.length > env().limits.tokenMaxLength) throw invalidGrant(INVALID);
    // RFC 8707 §2.2: the poll may name some of the resources the device asked for (the store checks).
    const named = paramValues(params, 'resource');
    const resources = named.length ? await resolveResources(named) : null;
    const row = await store.pollDeviceCode(sha256b64url(code), client.app.id);
    // Unknown, or issued to another client.
    if (!row) throw invalidGrant(INVALID);
    // §3.5 expired_token: "The "device_code" has expired, and the device authorization session has
    // concluded. The client MAY commence a new device authorization request".
    if (row.expired) throw expiredToken(EXPIRED);
    // The user who entered the code was deactivated. Deactivation also marks their codes denied,
    // but the device must learn the real reason, not that the user said no (RFC 6749 §5.2
    // invalid_grant, as for their refresh tokens).
    if (row.userActive === false && row.status !== 'consumed') throw issueRefusalError('user_inactive', { req, app: client.app, idTokenProblem: null });
    switch (row.status) {
      case 'pending':
        // §3.5 slow_down: "the authorization request is still pending and polling should continue,
        // but the interval MUST be increased by 5 seconds for this and all subsequent requests."
        if (row.tooFast) throw slowDown(`Polling too fast: wait at least ${row.interval} seconds between requests.`);
        // §3.5 authorization_pending: "The authorization request is still pending as the end user
        // hasn't yet completed the user-interaction steps".
        throw authorizationPending('The user has not yet approved or denied the request.');
      case 'denied':
        // §3.5 access_denied: "The authorization request was denied." A §5.2 error: status 400.
        throw deviceAccessDenied('The user denied the request.');
      case 'consumed':
        throw invalidGrant(INVALID);
      case 'approved': {
        const tokens = newTokens(client.app.grantTypes.includes('refresh_token'), resources && accessTarget(resources), resources && scopeWithin(resources));
        const problem = await idTokenProblem(client.app);
        // approved → consumed and the tokens stored in one step, only while every check holds.
        // The owner may have narrowed the allowed scopes since the approval (scope-policy.ts).
        const scopePolicy = scopePolicyCheck(client.app, tokens.stored);
        const redeemed = await store.redeemDeviceCode({ id: row.id, applicationId: client.app.id, tokens: tokens.stored, idTokenUnavailable: problem !== null, scopePolicy });
        if (!redeemed.ok) {
          // Lost a race with a concurrent poll of the same code: only one gets the tokens.
          if (redeemed.reason === 'used') throw invalidGrant(INVALID);
          if (redeemed.reason === 'expired') throw expiredToken(EXPIRED);
          if (redeemed.reason === 'scope_refused') throw scopeRefusedError();
          if (redeemed.reason === 'invalid_target') throw invalidTarget('The device authorization request was not for this resource.');
          throw issueRefusalError(redeemed.reason, { req, app: client.app, idTokenProblem: problem });
        }
        await settleAccessToken(tokens, store, redeemed.audience, redeemed.scope, client.app.clientId, { sub: redeemed.userId, authTime: null });
        return tokenResponse(tokens, { app: client.app, user: redeemed.user, scope: redeemed.scope, grantType: GRANT_DEVICE_CODE, ip: req.ip, nonce: null, authTime: null });
      }
    }
  },
};
