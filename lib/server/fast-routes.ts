// Which endpoints the node:http door serves. Each is the same function its Next route handler uses.
import { fastRoute } from './routes';
import { openidConfigurationEndpoint, authorizationServerMetadataEndpoint, jwksEndpoint } from '../oauth/oidc/discovery';
import { userinfoEndpoint } from '../oauth/oidc/userinfo';
import { tokenEndpoint } from '../oauth/endpoints/token';
import { authorizeEndpoint } from '../oauth/endpoints/authorize-http';
import { revokeEndpoint } from '../oauth/endpoints/revoke';
import { introspectEndpoint } from '../oauth/endpoints/introspect';
import { helloEndpoint } from '../api/hello';
import { notesEndpoint } from '../api/notes';
import { deviceAuthorizationEndpoint } from '../oauth/endpoints/device-authorization';

export function registerFastRoutes() {
  fastRoute('/.well-known/openid-configuration', openidConfigurationEndpoint);
  fastRoute('/o/.well-known/openid-configuration', openidConfigurationEndpoint);
  fastRoute('/.well-known/oauth-authorization-server', authorizationServerMetadataEndpoint);
  fastRoute('/.well-known/jwks.json', jwksEndpoint);
  fastRoute('/o/.well-known/jwks.json', jwksEndpoint);
  fastRoute('/o/userinfo', userinfoEndpoint);
  fastRoute('/o/token', tokenEndpoint);
  // OIDC Core §3.1.2.1: GET and POST. Browser-facing: its errors are pages. The consent page's
  // own form is a server action of app/o/authorize/page.tsx.
  fastRoute('/o/authorize', authorizeEndpoint, { methods: ['GET', 'HEAD', 'POST'], errors: 'html', serverActions: true });
  fastRoute('/o/revoke_token', revokeEndpoint);
  fastRoute('/o/introspect', introspectEndpoint);
  fastRoute('/api/hello', helloEndpoint);
  fastRoute('/api/notes', notesEndpoint);
  fastRoute('/o/device-authorization', deviceAuthorizationEndpoint);
}
