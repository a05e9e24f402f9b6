// RFC 6749 §4.1.3 + RFC 7636 §4.5–4.6: exchanging an authorization code. The token store checks
// everything the code is bound to and stores the tokens in one step (lib/oauth/store.ts
// redeemAuthorizationCode); this grant words its answer.
import type { Grant } from './types';
import { invalidGrant, invalidTarget } from '../errors';
import { paramValues, required } from '../http';
import { accessTarget, resolveResources, scopeWithin } from '../resources';
import { sha256b64url } from '../random';
import { isValidCodeVerifier, s256 } from '../pkce';
import type { CodeRefusal, IssueRefusal } from '../store';
import { audit } from '../../db/queries/audit';
import { newTokens, settleAccessToken, tokenResponse } from '../tokens';
import { idTokenProblem } from '../oidc/attach';
import { issueRefusalError, isIssueRefusal } from './refusals';
import { env } from '../../env';

const INVALID = 'The authorization code is invalid, expired or already used.';

/** §5.2 invalid_grant's description for each refusal of the code itself. */
function describeRefusal(reason: Exclude<CodeRefusal, IssueRefusal>): string {
  switch (reason) {
    case 'expired':
      return 'The authorization code has expired.';
    // §4.1.3: "ensure that the redirect_uri parameter is present if the redirect_uri parameter was
    // included in the initial authorization request … and if included ensure that their values are identical."
    case 'redirect_uri_mismatch':
      return 'redirect_uri does not match the one used in the authorization request.';
    // RFC 7636 §4.6.
    case 'verifier_missing':
      return 'code_verifier is required: the authorization request had a code_challenge.';
    case 'verifier_mismatch':
      return 'code_verifier does not match the code_challenge.';
    // A verifier without a challenge would let an attacker skip PKCE downgrade detection.
    case 'verifier_unexpected':
      return 'code_verifier was sent, but the authorization request had no code_challenge.';
    // Unknown, another client's (§4.1.3 "issued to another client") or spent: one answer, so a
    // guesser learns nothing about codes it does not hold.
    default:
      return INVALID;
  }
}

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  async handle({ req, params, client, store }) {
    const code = required(params, 'code');
    const redirectUri = params.get('redirect_uri');
    const verifier = params.get('code_verifier');
    if (code.length > env().limits.tokenMaxLength) throw invalidGrant(INVALID);

    // RFC 8707 §2.2: a token request may name some of the resources the code was for (checked by
    // the store); its access token is then for those only, with their scopes. Without: all of them.
    const named = paramValues(params, 'resource');
    const resources = named.length ? await resolveResources(named) : null;
    const tokens = newTokens(client.app.grantTypes.includes('refresh_token'), resources && accessTarget(resources), resources && scopeWithin(resources));
    const problem = await idTokenProblem(client.app);
    // RFC 7636 §4.1: a malformed verifier matches no challenge.
    const valid = verifier !== undefined && isValidCodeVerifier(verifier);
    const redeemed = await store.redeemAuthorizationCode({
      codeHash: sha256b64url(code),
      applicationId: client.app.id,
      redirectUri: redirectUri ?? null,
      verifier: verifier === undefined ? null : { plain: valid ? verifier : null, s256: valid ? s256(verifier) : null },
      tokens: tokens.stored,
      idTokenUnavailable: problem !== null,
    });
    if (!redeemed.ok) {
      // §4.1.2: "If an authorization code is used more than once, the authorization server MUST
      // deny the request and SHOULD revoke (when possible) all tokens previously issued based on
      // that authorization code." Only for this client's otherwise valid request (the store says so).
      if (redeemed.replayed) {
        const n = await store.revokeByAuthorizationCode(redeemed.replayed.codeId);
        audit('code.replayed', { applicationId: client.app.id, actorUserId: redeemed.replayed.userId, ip: req.ip, detail: { revoked_tokens: n.accessTokens + n.refreshTokens } });
      }
      const reason = redeemed.reason;
      if (reason === 'invalid_target') throw invalidTarget('The authorization request was not for this resource; request one it named.');
      if (isIssueRefusal(reason)) throw issueRefusalError(reason, { req, app: client.app, idTokenProblem: problem });
      throw invalidGrant(describeRefusal(reason));
    }
    const c = redeemed.code;
    await settleAccessToken(tokens, store, c.audience, c.scope, client.app.clientId, { sub: c.userId, authTime: c.authTime });
    return tokenResponse(tokens, { app: client.app, user: redeemed.user, scope: c.scope, grantType: 'authorization_code', ip: req.ip, nonce: c.nonce, authTime: c.authTime });
  },
};
