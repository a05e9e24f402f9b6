// GET /api/hello — the example protected endpoint: needs the `read` scope, greets the token's user.
import { withBearer } from '../oauth/bearer';
import { jsonResponse } from '../oauth/http';

export const helloEndpoint = withBearer({ scopes: ['read'] }, async (req, { user, client, scope }) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return jsonResponse({ error: 'invalid_request', error_description: 'Use GET.' }, 405, { allow: 'GET, OPTIONS' });
  return jsonResponse({
    message: user ? `Hello, ${user.username}!` : `Hello, application ${client.clientId}!`,
    username: user?.username ?? null,
    client_id: client.clientId,
    scope: scope.join(' '),
  });
});
