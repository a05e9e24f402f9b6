// The token endpoint (RFC 6749 §3.2): the endpoint wrapper (lib/oauth/endpoint.ts) parses the form
// and authenticates the client; here the grant is chosen and run. Its HTTP description (POST, CORS
// per application) is its entry in the route manifest (lib/server/manifest.ts).
import { jsonResponse, required, type OAuthRequest, type OAuthResponse, type Params } from '../http';
import { unauthorizedClient, unsupportedGrantType, quoteValue } from '../errors';
import type { ClientCall } from '../endpoint';
import type { Grant } from '../grants/types';
import { describeGrant, type GrantDescription } from '../grants/catalogue';
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

/**
 * The grant a token request names (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6; RFC 8628 §3.4), and its
 * catalogue entry.
 * @throws OAuthError invalid_request without grant_type; unsupported_grant_type for one this server
 *   does not serve, or has turned off
 */
function requestedGrant(params: Params): { grant: Grant; described: GrantDescription } {
  const grantType = required(params, 'grant_type');
  const grant = grants.get(grantType);
  const described = describeGrant(grantType);
  if (!grant || !described) throw unsupportedGrantType(`The grant type ${quoteValue(grantType, 100)} is not supported.`);
  if (!described.enabled(env())) {
    const hint = described.switchedOnBy ? ` (set ${described.switchedOnBy}=true to allow it)` : '';
    throw unsupportedGrantType(`The ${grantType} grant is turned off on this server${hint}.`);
  }
  return { grant, described };
}

/**
 * The token endpoint's client rule: a public client may identify with client_id alone when its
 * grant allows public clients (the grant catalogue). Checked before client authentication, so an
 * unknown grant is named as such.
 */
export const grantAllowsPublicClients = (params: Params): boolean => requestedGrant(params).described.publicClients;

/**
 * RFC 6749 §3.2: a token request, its client authenticated by the endpoint wrapper
 * (grantAllowsPublicClients), run by its grant. Answers the grant's JSON (§5.1).
 */
export async function tokenEndpoint(req: OAuthRequest, { params, client }: ClientCall): Promise<OAuthResponse> {
  const { grant } = requestedGrant(params);
  const grantType = grant.grantType;
  if (!client.app.grantTypes.includes(grantType)) {
    throw unauthorizedClient(`This application may not use the ${grantType} grant. Enable it in the application's settings.`);
  }
  const body = await grant.handle({ req, params, client, store: databaseTokenStore });
  return jsonResponse(body);
}
