// The device authorization endpoint (RFC 8628 §3.1–3.2): a device without a browser asks for a
// device_code (kept by the device, stored here only as SHA-256) and a user_code (typed by the user
// at verification_uri). §3.1: "The client makes a device authorization request … using the
// application/x-www-form-urlencoded format … with a character encoding of UTF-8 … HTTP POST": the
// route manifest's entry; the wrapper parses the form and authenticates the client. Here: check →
// insert → JSON.
import { jsonResponse, paramValues, type OAuthRequest, type OAuthResponse } from '../http';
import { unauthorizedClient, tooManyRequests } from '../errors';
import type { ClientCall } from '../endpoint';
import { urlFor } from '../paths';
import { formatUserCode, randomToken, randomUserCode, sha256b64url } from '../random';
import { formatScope } from '../scope';
import { resolveResources, resolveScopes } from '../resources';
import { insertDeviceCode } from '../../db/queries/device';
import { countDeviceAuthorization } from '../../rate-limits';
import { env } from '../../env';
import { GRANT_DEVICE_CODE } from '../grants/catalogue';

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** RFC 8628 §3.2 verification_uri: the page where the user enters the code (from lib/oauth/paths.ts). */
export const verificationUri = () => urlFor('device_verification', env().ISSUER);

/**
 * RFC 8628 §3.1–3.2: a device code and a user code for the calling client (authenticated by the
 * endpoint wrapper: §3.1 "The client authentication requirements of Section 3.2.1 of [RFC6749]
 * apply to requests on this endpoint": confidential clients authenticate, public ones send their
 * client_id). Answers the §3.2 JSON.
 * @throws OAuthError unauthorized_client without the device grant; invalid_target; invalid_scope; 429 over the rate limit
 */
export async function deviceAuthorizationEndpoint(req: OAuthRequest, { params, client }: ClientCall): Promise<OAuthResponse> {
  const app = client.app;
  if (!app.grantTypes.includes(GRANT_DEVICE_CODE)) {
    throw unauthorizedClient("This application may not use the device flow. Enable 'Device code' in its settings.");
  }
  // RFC 8707 §2 `resource` (invalid_target) and the application's allowed scopes, as at /o/authorize/.
  const resources = await resolveResources(paramValues(params, 'resource'));
  const scope = formatScope(await resolveScopes(params.get('scope'), resources, app));

  // Every request creates a row and a user code to guess against: each one counts, per client
  // and source, before anything is inserted (RFC 8628 §5.2; lib/rate-limits.ts).
  const e = env();
  const limit = await countDeviceAuthorization(app.clientId, app.id, req.ip);
  if (limit.over) throw tooManyRequests('Too many device authorization requests; retry later.', limit.retryAfterSeconds);

  const deviceCode = randomToken();
  const interval = e.DEVICE_CODE_INTERVAL_SECONDS;
  const expiresIn = e.DEVICE_CODE_EXPIRE_SECONDS;
  // 20^8 codes: a collision with a stored one is rare but possible; draw again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const userCode = randomUserCode();
    const inserted = await insertDeviceCode({
      deviceCodeHash: sha256b64url(deviceCode),
      userCode,
      applicationId: app.id,
      scope,
      resources: resources.map((r) => r.identifier),
      interval,
      expiresAt: new Date(Date.now() + expiresIn * 1000),
    });
    if (!inserted) continue;
    const shown = formatUserCode(userCode);
    const body: DeviceAuthorizationResponse = {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: verificationUri(),
      verification_uri_complete: `${verificationUri()}?user_code=${encodeURIComponent(shown)}`,
      expires_in: expiresIn,
      interval,
    };
    return jsonResponse(body);
  }
  throw new Error('could not allocate a unique user code');
}
