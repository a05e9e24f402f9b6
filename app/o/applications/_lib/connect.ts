// What the Connect panel and the playground are given for an application: the same view of it and
// the same requests' resource and scopes (RFC 8707), described once for both pages.
import type { ApplicationView } from '@/lib/apps/service';
import type { ServerScopes, SnippetApp } from '@/lib/apps/snippets';
import { INTROSPECTION_SCOPE } from '@/lib/oauth/endpoints/introspect';
import { requestTarget } from '@/lib/oauth/resources';

/**
 * The application as the snippets read it, and what their requests name: a resource the
 * application may use with its allowed scopes (lib/oauth/resources.ts requestTarget; cached, no
 * statement once the resources are loaded).
 */
export async function connectContext(app: ApplicationView & { hasSecret: boolean }): Promise<{ app: SnippetApp; server: ServerScopes }> {
  const target = await requestTarget(app);
  return {
    app: {
      clientId: app.clientId,
      clientType: app.clientType,
      redirectUris: app.redirectUris,
      grantTypes: app.grantTypes,
      algorithm: app.algorithm,
      hasSecret: app.hasSecret,
      secretHashed: app.secretHashed,
    },
    server: { scopes: target.scopes, introspectionScope: INTROSPECTION_SCOPE, resource: target.resource },
  };
}
