// RFC 6749 §4.4: a confidential client acting on its own behalf. No refresh token (§4.4.3).
// RFC 8707 §2: the token is for the `resource`s named (else the default resource), with only their
// scopes that the application may have.
import type { Grant } from './types';
import { formatScope, OIDC_SCOPES, parseScope } from '../scope';
import { invalidScope, quoteValue } from '../errors';
import { paramValues } from '../http';
import { newTokens, signAccessToken, tokenResponse } from '../tokens';
import { accessTarget, resolveResources, resolveScopes } from '../resources';
import { issueRefusalError } from './refusals';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ req, params, client, store }) {
    // There is no user: identity scopes make no sense here.
    const bad = parseScope(params.get('scope')).find((s) => (OIDC_SCOPES as readonly string[]).includes(s));
    if (bad) throw invalidScope(`The scope ${quoteValue(bad)} needs a user; client credentials have none.`);
    const resources = await resolveResources(paramValues(params, 'resource'));
    const scope = formatScope(await resolveScopes(params.get('scope'), resources, client.app, false));
    const tokens = newTokens(false, accessTarget(resources));
    // RFC 9068 §2.2: with no resource owner, `sub` is the client's identifier.
    await signAccessToken(tokens, scope, client.app.clientId, { sub: client.app.clientId, authTime: null });
    const issued = await store.issueTokens({
      applicationId: client.app.id,
      userId: null,
      scope,
      grantType: 'client_credentials',
      tokens: tokens.stored,
      authTime: null,
      idTokenUnavailable: false, // no user, so never an ID token
    });
    if (!issued.ok) throw issueRefusalError(issued.reason, { req, app: client.app, idTokenProblem: null });
    return tokenResponse(tokens, { app: client.app, user: null, scope, grantType: 'client_credentials', ip: req.ip });
  },
};
