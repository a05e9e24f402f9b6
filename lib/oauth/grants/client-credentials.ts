// RFC 6749 §4.4: a confidential client acting on its own behalf. No refresh token (§4.4.3).
import type { Grant } from './types';
import { resolveRequestedScope, formatScope } from '../scope';
import { OIDC_SCOPES } from '../scope';
import { invalidScope, quoteValue } from '../errors';
import { newTokens, tokenResponse } from '../tokens';
import { issueRefusalError } from './refusals';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ req, params, client, store }) {
    const scopes = resolveRequestedScope(params.get('scope'));
    // There is no user: identity scopes make no sense here.
    const bad = scopes.find((s) => (OIDC_SCOPES as readonly string[]).includes(s));
    if (bad) throw invalidScope(`The scope ${quoteValue(bad)} needs a user; client credentials have none.`);
    const scope = formatScope(scopes);
    const tokens = newTokens(false);
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
