// The official MCP TypeScript SDK's OAuth client (@modelcontextprotocol/sdk, client/auth) against the
// built-in resource /api, as an MCP client meets any protected resource: the 401's
// resource_metadata (RFC 9728 §5.1), the resource's metadata, then this server's (RFC 8414), the
// `resource` it will ask for (RFC 8707), the authorization code flow with PKCE, and the call with
// the token. Its parsers are strict (zod schemas), so a malformed document fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  discoverOAuthProtectedResourceMetadata,
  discoverOAuthServerInfo,
  extractWWWAuthenticateParams,
  selectResourceURL,
  type OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie } from '@/test/helpers/fixtures';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const CALLBACK = 'http://127.0.0.1:9/callback';

/** A pre-registered public client, kept in memory; the authorization URL is handed to the test. */
class Provider implements OAuthClientProvider {
  tokensSaved?: OAuthTokens;
  verifier = '';
  authorizationUrl?: URL;
  constructor(private readonly client: OAuthClientInformationMixed) {}
  get redirectUrl() {
    return CALLBACK;
  }
  get clientMetadata() {
    return { redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.client;
  }
  tokens() {
    return this.tokensSaved;
  }
  saveTokens(t: OAuthTokens) {
    this.tokensSaved = t;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describe('the MCP SDK client discovers and uses the built-in resource /api (RFC 9728)', () => {
  it("RFC 9728 §5.1, §3: the SDK reads resource_metadata from /api's 401, loads the resource's metadata and then this server's metadata", async () => {
    const unauthorized = await fetch(`${srv.url}/api/hello`);
    expect(unauthorized.status).toBe(401);
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(unauthorized);
    expect(resourceMetadataUrl?.href).toBe(`${srv.url}/.well-known/oauth-protected-resource/api`);
    const info = await discoverOAuthServerInfo(`${srv.url}/api/hello`, { resourceMetadataUrl });
    expect(info.resourceMetadata?.resource).toBe(`${srv.url}/api`);
    expect(info.authorizationServerUrl).toBe(srv.url);
    expect(info.authorizationServerMetadata?.issuer).toBe(srv.url);
    // The resource it will ask a token for (RFC 8707): the metadata's, which covers /api/hello.
    expect((await selectResourceURL(`${srv.url}/api/hello`, {} as OAuthClientProvider, info.resourceMetadata))?.href).toBe(`${srv.url}/api`);
  });

  it('RFC 9728 §3.1: without a challenge, the SDK finds the metadata at the well-known path of the resource; RFC 9728 §3.3: the bare well-known path (a resource ISSUER, which is not one) serves nothing, so a path below the resource is found through its 401 challenge', async () => {
    expect((await discoverOAuthProtectedResourceMetadata(`${srv.url}/api`)).resource).toBe(`${srv.url}/api`);
    await expect(discoverOAuthProtectedResourceMetadata(`${srv.url}/api/notes`)).rejects.toThrow();
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(await fetch(`${srv.url}/api/notes`));
    expect((await discoverOAuthProtectedResourceMetadata(`${srv.url}/api/notes`, { resourceMetadataUrl })).resource).toBe(`${srv.url}/api`);
  });

  it('RFC 8707 §2, RFC 7636: the SDK authorizes with resource=ISSUER/api, the scopes of the metadata and PKCE, and its token opens /api/hello', async () => {
    const app = await makeApp({ clientType: 'public', redirectUris: [CALLBACK], grantTypes: ['authorization_code'], skipAuthorization: true });
    const provider = new Provider({ client_id: app.clientId });
    const serverUrl = `${srv.url}/api/hello`;
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(await fetch(serverUrl));
    expect(await auth(provider, { serverUrl, resourceMetadataUrl })).toBe('REDIRECT');
    const url = provider.authorizationUrl!;
    expect(url.origin + url.pathname).toBe(`${srv.url}/o/authorize/`);
    expect(url.searchParams.get('resource')).toBe(`${srv.url}/api`);
    // The SDK asks for the metadata's scopes_supported: the built-in resource's (SCOPES) but introspection.
    expect(url.searchParams.get('scope')).toBe('read write');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    // The browser leg, with a signed-in user's session.
    const user = await makeUser();
    const back = await fetch(url, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    const location = new URL(back.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(CALLBACK);
    const code = location.searchParams.get('code')!;
    expect(await auth(provider, { serverUrl, resourceMetadataUrl, authorizationCode: code })).toBe('AUTHORIZED');

    const hello = await fetch(serverUrl, { headers: { authorization: `Bearer ${provider.tokensSaved!.access_token}` } });
    expect(hello.status).toBe(200);
    expect((await hello.json()).username).toBe(user.username);
  });
});
