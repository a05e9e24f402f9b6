// GET /api/hello — the example protected endpoint: needs the `read` scope (the route manifest,
// lib/server/manifest.ts, checks the bearer token), greets the token's user.
import { jsonResponse, type OAuthRequest, type OAuthResponse } from '../oauth/http';
import type { BearerCall } from '../oauth/endpoint';

/** The greeting for the token's user, or its application for a client credentials token. */
export async function helloEndpoint(_req: OAuthRequest, { bearer: { user, client, scope } }: BearerCall): Promise<OAuthResponse> {
  return jsonResponse({
    message: user ? `Hello, ${user.username}!` : `Hello, application ${client.clientId}!`,
    username: user?.username ?? null,
    client_id: client.clientId,
    scope: scope.join(' '),
  });
}
