// For the grants' unit tests (lib/oauth/grants/*.test.ts): a GrantContext around the in-memory token
// store (./memory-token-store.ts), with an application as the token endpoint would have authenticated
// it. No database and no HTTP: what a grant decides, against the store's documented contract. Test
// settings are installed for every file (./setup.ts); withSettings (./settings.ts) changes them.
import type { Application } from '@/lib/db/schema';
import type { GrantContext } from '@/lib/oauth/grants/types';
import type { TokenStore } from '@/lib/oauth/store';
import { sha256b64url } from '@/lib/oauth/random';
import { MemoryTokenStore } from './memory-token-store';
import { useResourcesForTests } from '@/lib/oauth/resources';

export { MemoryTokenStore };

// No database here: the resources are the built-in one only (its scopes are SCOPES, as always).
const now = new Date();
useResourcesForTests([
  { id: 1, identifier: '', name: 'API', scopes: [], accessTokenFormat: 'opaque', accessTokenLifetimeSeconds: null, builtIn: true, createdAt: now, updatedAt: now },
]);

/**
 * An application registered in `store` (its owner `ownerId`, if given: the app is suspended while the
 * owner is inactive), as the rest of the code reads it. Confidential, with the authorization code and
 * refresh token grants and no ID token algorithm unless `over` says otherwise.
 */
export function application(store: MemoryTokenStore, over: Partial<Application> = {}): Application {
  const m = store.addApp({ ownerId: over.userId ?? null, ...(over.name ? { name: over.name } : {}), ...(over.clientId ? { clientId: over.clientId } : {}) });
  const now = new Date();
  return {
    id: m.id,
    clientId: m.clientId,
    clientSecret: 'a-plain-client-secret-of-enough-length-for-hs256',
    secretHashed: false,
    version: 1,
    name: m.name,
    clientType: 'confidential',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: ['https://client.example/cb'],
    postLogoutRedirectUris: [],
    allowedOrigins: [],
    algorithm: '',
    skipAuthorization: false,
    userId: null,
    allowedScopes: null,
    scopePolicy: 'refuse',
    registrationMethod: 'form',
    registrationAccessTokenHash: null,
    suspendedAt: null,
    logoUri: null,
    clientUri: null,
    metadataFetchedAt: null,
    metadataExpiresAt: null,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

/** The context the token endpoint hands a grant: `params` as parsed from the form, `app` authenticated. */
export function grantContext(store: TokenStore, app: Application, params: Record<string, string | undefined>, headers: Record<string, string> = {}): GrantContext {
  const p = new Map<string, string>();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.set(k, v);
  return {
    req: { method: 'POST', url: new URL('https://issuer.example/o/token/'), headers: new Headers(headers), body: '', ip: '192.0.2.1' },
    params: p,
    client: { app, method: 'client_secret_basic' },
    store,
  };
}

/** The stored rows of tokens a response returned (undefined when the store has none). */
export function storedTokens(store: MemoryTokenStore, response: { access_token: string; refresh_token?: string }) {
  return {
    access: store.accessByHash(sha256b64url(response.access_token)),
    refresh: response.refresh_token ? store.refreshByHash(sha256b64url(response.refresh_token)) : undefined,
  };
}
