// The token endpoint (RFC 6749 §3.2): parse → authenticate the client → run the grant → JSON.
import { parseForm, jsonResponse, required, type OAuthRequest, type OAuthResponse } from '../http';
import { toErrorResponse, unauthorizedClient, unsupportedGrantType, invalidRequest, quoteValue } from '../errors';
import { authenticateClient, nameClient } from '../client-auth';
import { withCors, preflight } from '../cors';
import type { Grant } from '../grants/types';
import { describeGrant } from '../grants/catalogue';
import { env } from '../../env';
import { authorizationCodeGrant } from '../grants/authorization-code';
import { refreshTokenGrant } from '../grants/refresh-token';
import { clientCredentialsGrant } from '../grants/client-credentials';
import { passwordGrant } from '../grants/password';
import { deviceCodeGrant } from '../grants/device-code';
import { databaseTokenStore } from '../../db/queries/token-store';

const grants = new Map<string, Grant>();
export function registerGrant(g: Grant) {
  grants.set(g.grantType, g);
}
registerGrant(authorizationCodeGrant);
registerGrant(refreshTokenGrant);
registerGrant(clientCredentialsGrant);
registerGrant(passwordGrant);
registerGrant(deviceCodeGrant);

export async function tokenEndpoint(req: OAuthRequest): Promise<OAuthResponse> {
  if (req.method === 'OPTIONS') return preflight(req);
  let corsApp = null;
  try {
    if (req.method !== 'POST') throw invalidRequest('The token endpoint takes POST.');
    const params = parseForm(req);
    // For CORS on errors too: the application the request names (verified or not, it only decides
    // whether the browser may read the answer).
    const named = await nameClient(req, params);
    corsApp = named.app;

    const grantType = required(params, 'grant_type');
    const grant = grants.get(grantType);
    const described = describeGrant(grantType);
    if (!grant || !described) throw unsupportedGrantType(`The grant type ${quoteValue(grantType, 100)} is not supported.`);
    if (!described.enabled(env())) {
      const hint = described.switchedOnBy ? ` (set ${described.switchedOnBy}=true to allow it)` : '';
      throw unsupportedGrantType(`The ${grantType} grant is turned off on this server${hint}.`);
    }
    const client = await authenticateClient(req, named, { allowPublic: described.publicClients });
    if (!client.app.grantTypes.includes(grantType)) {
      throw unauthorizedClient(`This application may not use the ${grantType} grant. Enable it in the application's settings.`);
    }
    const body = await grant.handle({ req, params, client, store: databaseTokenStore });
    return withCors(jsonResponse(body), req, client.app);
  } catch (err) {
    return withCors(toErrorResponse(err), req, corsApp);
  }
}
