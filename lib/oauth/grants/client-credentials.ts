// RFC 6749 §4.4: a confidential client acting on its own behalf. No refresh token (§4.4.3).
import type { Grant } from './types';
import { resolveRequestedScope, formatScope } from '../scope';
import { OIDC_SCOPES } from '../scope';
import { invalidScope, quoteValue } from '../errors';
import { issueTokens } from '../tokens';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ req, params, client }) {
    const scopes = resolveRequestedScope(params.get('scope'));
    // There is no user: identity scopes make no sense here.
    const bad = scopes.find((s) => (OIDC_SCOPES as readonly string[]).includes(s));
    if (bad) throw invalidScope(`The scope ${quoteValue(bad)} needs a user; client credentials have none.`);
    const { response } = await issueTokens({
      app: client.app,
      userId: null,
      scope: formatScope(scopes),
      grantType: 'client_credentials',
      withRefresh: false,
      ip: req.ip,
    });
    return response;
  },
};
