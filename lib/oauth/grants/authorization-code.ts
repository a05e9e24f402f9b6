// RFC 6749 §4.1.3 + RFC 7636 §4.5–4.6: exchanging an authorization code.
import type { Grant } from './types';
import { invalidGrant } from '../errors';
import { required } from '../http';
import { sha256b64url } from '../random';
import { isValidCodeVerifier, s256, verifyPkce, type PkceMethod } from '../pkce';
import { findCode, redeemCode, revokeTokensOfCode } from '../../db/queries/tokens';
import { audit } from '../../db/queries/audit';
import { mintTokens, issued as issuedResponse } from '../tokens';
import { attachIdToken } from '../oidc/attach';
import type { Grant as CodeRow } from '../../db/schema';

/** Checks everything the code is bound to. Returns an error description, or null when all match. */
function mismatch(code: CodeRow, redirectUri: string | undefined, verifier: string | undefined): string | null {
  // "ensure that the redirect_uri parameter is present if the redirect_uri parameter was included
  //  in the initial authorization request … and if included ensure that their values are identical."
  if (code.redirectUriSent ? redirectUri !== code.redirectUri : redirectUri !== undefined && redirectUri !== code.redirectUri) {
    return 'redirect_uri does not match the one used in the authorization request.';
  }
  if (code.codeChallenge) {
    if (verifier === undefined) return 'code_verifier is required: the authorization request had a code_challenge.';
    if (!isValidCodeVerifier(verifier) || !verifyPkce(verifier, code.codeChallenge, (code.codeChallengeMethod ?? 'S256') as PkceMethod)) {
      return 'code_verifier does not match the code_challenge.';
    }
  } else if (verifier !== undefined) {
    // A verifier without a challenge would let an attacker skip PKCE downgrade detection.
    return 'code_verifier was sent, but the authorization request had no code_challenge.';
  }
  return null;
}

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  async handle({ req, params, client }) {
    const code = required(params, 'code');
    const redirectUri = params.get('redirect_uri');
    const verifier = params.get('code_verifier');
    if (code.length > 512) throw invalidGrant('The authorization code is invalid, expired or already used.');
    const hash = sha256b64url(code);

    const withRefresh = client.app.grantTypes.includes('refresh_token');
    const minted = mintTokens(withRefresh);
    const validVerifier = verifier !== undefined && isValidCodeVerifier(verifier);
    const redeemed = await redeemCode({
      codeHash: hash,
      applicationId: client.app.id,
      redirectUri: redirectUri ?? null,
      verifierSent: verifier !== undefined,
      verifierPlain: validVerifier ? verifier : null,
      verifierS256: validVerifier ? s256(verifier) : null,
      tokens: minted,
    });
    if (!redeemed) {
      // Unknown, another client's, or already used. If it is this client's used code and the
      // request is otherwise valid, it is a replay: revoke everything issued from it (§4.1.2).
      const prior = await findCode(hash);
      if (prior && prior.applicationId === client.app.id && prior.consumedAt && !mismatch(prior, redirectUri, verifier)) {
        const n = await revokeTokensOfCode(prior.id);
        audit('code.replayed', { applicationId: client.app.id, actorUserId: prior.userId, ip: req.ip, detail: { revoked_tokens: n } });
      }
      throw invalidGrant('The authorization code is invalid, expired or already used.');
    }
    const row = redeemed.code;
    if (!redeemed.issued) {
      // The statement refused it; say why (the same checks, for the message only).
      if (row.expiresAt.getTime() <= Date.now()) throw invalidGrant('The authorization code has expired.');
      throw invalidGrant(mismatch(row, redirectUri, verifier) ?? 'The authorization code does not match this request.');
    }
    const issued = issuedResponse(minted, { app: client.app, userId: row.userId, scope: row.scope, grantType: 'authorization_code', ip: req.ip });
    return attachIdToken(issued, { app: client.app, userId: row.userId, scope: row.scope, nonce: row.nonce, authTime: row.authTime });
  },
};
