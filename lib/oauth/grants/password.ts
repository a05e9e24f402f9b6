// RFC 6749 §4.3: the legacy resource owner password credentials grant. Off unless
// ALLOW_PASSWORD_GRANT is set (RFC 9700 §2.4: "The resource owner password credentials grant MUST
// NOT be used"), and only for applications that have it. Failures count against the same limits
// as the login form, so the token endpoint is no side door for guessing passwords.
import type { Grant } from './types';
import { GRANT_PASSWORD } from './catalogue';
import { invalidGrant, invalidRequest, tooManyRequests } from '../errors';
import { paramValues, required } from '../http';
import { formatScope } from '../scope';
import { newTokens, signAccessToken, tokenResponse } from '../tokens';
import { accessTarget, resolveResources, resolveScopes } from '../resources';
import { idTokenProblem } from '../oidc/attach';
import { issueRefusalError } from './refusals';
import { checkPassword, credentialsSchema } from '../../auth/check-password';

/** Never says whether the username exists. */
const WRONG = 'The username or password is incorrect.';

export const passwordGrant: Grant = {
  grantType: GRANT_PASSWORD,
  async handle({ req, params, client, store }) {
    const parsed = credentialsSchema.safeParse({ username: required(params, 'username'), password: required(params, 'password') });
    if (!parsed.success) throw invalidRequest('The username or password is too long.');
    const { username, password } = parsed.data;
    // RFC 8707 §2: checked before the password, so a bad request costs no hashing.
    const resources = await resolveResources(paramValues(params, 'resource'));
    const scopes = await resolveScopes(params.get('scope'), resources, client.app);

    const result = await checkPassword(username, password, req.ip, { applicationId: client.app.id, via: 'password_grant' });
    if (!result.ok) {
      if (result.reason === 'rate_limited') throw tooManyRequests('Too many failed sign-ins; retry later.', result.retryAfterSeconds);
      // §5.2 invalid_grant: "The provided authorization grant (e.g., … resource owner credentials) is invalid".
      throw invalidGrant(WRONG);
    }
    const user = result.user;

    const scope = formatScope(scopes);
    const authTime = new Date();
    // §4.3.3: "… and optional refresh token" — only when the application has the refresh grant.
    const tokens = newTokens(client.app.grantTypes.includes('refresh_token'), accessTarget(resources));
    await signAccessToken(tokens, scope, client.app.clientId, { sub: user.id, authTime });
    const problem = await idTokenProblem(client.app);
    // The store checks the user again as it stores: a deactivation since checkPassword counts.
    const issued = await store.issueTokens({
      applicationId: client.app.id,
      userId: user.id,
      scope,
      grantType: 'password',
      tokens: tokens.stored,
      authTime,
      idTokenUnavailable: problem !== null,
    });
    if (!issued.ok) throw issueRefusalError(issued.reason, { req, app: client.app, idTokenProblem: problem });
    return tokenResponse(tokens, { app: client.app, user: issued.user, scope, grantType: 'password', ip: req.ip, nonce: null, authTime });
  },
};
