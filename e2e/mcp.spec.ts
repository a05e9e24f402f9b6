// Issue 16 item 10: a real MCP client against an MCP server protected by this provider. The official
// MCP TypeScript SDK is the client (Client + StreamableHTTPClientTransport with an OAuthClientProvider,
// e2e/mcp/oauth-client.ts) and the server (McpServer with one tool over Streamable HTTP on 127.0.0.1,
// e2e/mcp/mcp-server.ts), whose resource is registered as a resource of ours. The client meets a
// 401, discovers the resource's metadata (RFC 9728) and our metadata (RFC 8414), registers (by
// Client ID Metadata Document, and by RFC 7591), sends the user through login and consent in
// Chromium, lands on its loopback callback, gets a token for that resource only (RFC 8707), and
// calls the tool. A token for another resource is refused by the MCP server.
//
// Needs, from the branches merged for issue 16: resources (RFC 8707 `resource` → `aud`,
// introspection's `aud`), registration (REGISTRATION=open, Client ID Metadata Documents with the
// loopback development setting). Until the provider advertises both in its metadata, the flows
// are skipped with that reason (see `needs`).
import { test, expect, type Page } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { E2E_PORT, MCP_PORTS, MCP_TLS_DIR } from './constants';
import { logIn, signUp, uniqueName } from './helpers';
import { ECHO_TOOL, MCP_SCOPE, startMcpServer, type RunningMcpServer } from './mcp/mcp-server';
import { InMemoryOAuthProvider, startLoopbackCallback, startMetadataDocumentServer, type LoopbackCallback } from './mcp/oauth-client';
import { ensureTestCertificate, readTestCertificate } from './mcp/tls';

const ISSUER = `http://localhost:${E2E_PORT}`;

/** Our RFC 8414 metadata, as the SDK reads it. */
async function asMetadata(): Promise<Record<string, unknown>> {
  return (await fetch(`${ISSUER}/.well-known/oauth-authorization-server`)).json();
}

/** Why the flows cannot run yet on this build, or null. */
async function needs(): Promise<string | null> {
  const m = await asMetadata();
  if (m.client_id_metadata_document_supported !== true) return 'the provider does not support Client ID Metadata Documents yet (issue 16 item 6)';
  if (typeof m.registration_endpoint !== 'string') return 'the provider has no registration endpoint yet (REGISTRATION=open, issue 16 item 7)';
  return null;
}

/**
 * A confidential client for the MCP server's introspection calls (RFC 7662 §2.1), registered
 * through the application form by a user of ours, as the MCP server's operator would.
 */
async function registerIntrospectionClient(page: Page): Promise<{ clientId: string; clientSecret: string }> {
  await signUp(page, uniqueName('mcpop'));
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(uniqueName('MCP server'));
  await page.getByLabel('Confidential', { exact: true }).check();
  await page.getByLabel('Authorization code', { exact: true }).setChecked(false);
  await page.getByLabel('Refresh token', { exact: true }).setChecked(false);
  await page.getByLabel('Client credentials', { exact: true }).setChecked(true);
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toBeVisible();
  const clientSecret = await page.getByLabel('Client secret', { exact: true }).inputValue();
  return { clientId, clientSecret };
}

/**
 * Registers the MCP server's resource (its identifier and its one scope) with the provider.
 * TODO(part 2, after the res-admin merge): through the resources admin page as E2E_ADMIN (or
 * `npm run resource -- add … --json`), whichever res-admin ships.
 */
async function registerMcpResource(_page: Page, _mcp: RunningMcpServer): Promise<void> {
  throw new Error('registerMcpResource: to be written after the resources admin is merged');
}

/**
 * The SDK's whole authorization-code flow for `provider`: connect (the 401, discovery and
 * registration happen inside), open the authorization URL in Chromium, log in and consent, take
 * the code from the loopback callback, finishAuth, connect again. Returns the connected client.
 */
async function authorizeAndConnect(page: Page, mcp: RunningMcpServer, provider: InMemoryOAuthProvider, callback: LoopbackCallback, user: { username: string }): Promise<Client> {
  const first = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
  await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  // RFC 9728 §5.1: the first answer was a 401 naming the resource's metadata.
  expect(mcp.refusals[0]).toMatchObject({ status: 401 });
  expect(mcp.refusals[0].challenge).toContain(`resource_metadata="http://127.0.0.1:${MCP_PORTS.mcp}/.well-known/oauth-protected-resource/mcp"`);
  const url = provider.authorizationUrl!;
  expect(url.origin + url.pathname).toBe(`${ISSUER}/o/authorize/`);
  // RFC 8707 §2: the SDK asks for the MCP server's resource; RFC 7636: S256.
  expect(url.searchParams.get('resource')).toBe(mcp.url);
  expect(url.searchParams.get('scope')).toBe(MCP_SCOPE);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');

  await page.goto(url.href);
  await logIn(page, user.username);
  // TODO(part 2): the consent screen's wording after res-proto/reg (the client's host shown for a
  // metadata-document client; the resource's scope sentence).
  await page.getByRole('button', { name: 'Authorize' }).click();
  const landed = await callback.next();
  expect(landed.error).toBeUndefined();
  // RFC 9207 §2: the response names its issuer.
  expect(landed.iss).toBe(ISSUER);
  await transport.finishAuth(landed.code!);

  const client = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
  return client;
}

test.describe('an MCP client (the official SDK) against an MCP server protected by this provider', () => {
  let mcp: RunningMcpServer;
  let callback: LoopbackCallback;

  test.beforeAll(async ({ browser }) => {
    const why = await needs();
    test.skip(why !== null, why ?? '');
    const page = await (await browser.newContext()).newPage();
    const introspection = await registerIntrospectionClient(page);
    mcp = await startMcpServer({ port: MCP_PORTS.mcp, issuer: ISSUER, verify: { introspection } });
    await registerMcpResource(page, mcp);
    callback = await startLoopbackCallback(MCP_PORTS.callback);
    await page.context().close();
  });
  test.afterAll(async () => {
    await mcp?.close();
    await callback?.close();
  });
  test.beforeEach(() => {
    if (mcp) mcp.refusals.length = 0;
  });

  test('RFC 9728 §5.1, RFC 8707 §2: registered by a Client ID Metadata Document, the SDK discovers, authorizes through login and consent, and calls the tool with a token for the MCP server only', async ({ page }) => {
    const user = await signUp(page, uniqueName('agent'));
    await page.getByRole('button', { name: 'Log out' }).click();
    const doc = await startMetadataDocumentServer(MCP_PORTS.metadataDocument, readTestCertificate(ensureTestCertificate(MCP_TLS_DIR)), {
      client_name: 'e2e agent (metadata document)',
      redirect_uris: [callback.url],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    try {
      const provider = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientMetadataUrl: doc.url, clientName: 'e2e agent (metadata document)' });
      const client = await authorizeAndConnect(page, mcp, provider, callback, user);
      // The client_id is the document's URL, which the provider fetched.
      expect(provider.clientInformation()?.client_id).toBe(doc.url);
      expect(doc.fetches).toBeGreaterThan(0);
      const result = await client.callTool({ name: ECHO_TOOL, arguments: { message: 'hello' } });
      expect(result.content).toEqual([{ type: 'text', text: `${user.username} says: hello` }]);
      await client.close();
      // A token for the MCP server only: this provider's own /api refuses it.
      const api = await fetch(`${ISSUER}/api/hello`, { headers: { authorization: `Bearer ${provider.tokens()!.access_token}` } });
      expect(api.status).toBe(401);
      expect(api.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      await doc.close();
    }
  });

  test('RFC 7591 §3: registered dynamically, the SDK discovers, authorizes through login and consent, and calls the tool', async ({ page }) => {
    const user = await signUp(page, uniqueName('agent'));
    await page.getByRole('button', { name: 'Log out' }).click();
    const provider = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientName: 'e2e agent (RFC 7591)' });
    const client = await authorizeAndConnect(page, mcp, provider, callback, user);
    expect(provider.registrations).toBe(1);
    expect(provider.clientInformation()?.client_id).not.toMatch(/^https?:/);
    const result = await client.callTool({ name: ECHO_TOOL, arguments: { message: 'registered' } });
    expect(result.content).toEqual([{ type: 'text', text: `${user.username} says: registered` }]);
    await client.close();
  });

  test('RFC 8707 §2: a token for another resource (this provider\'s /api) is refused by the MCP server with 401 invalid_token and its resource metadata', async () => {
    // TODO(part 2): a user's token for ISSUER/api through the same SDK flow with resource=ISSUER/api,
    // or the introspection client's client_credentials token (its default resource).
    const provider = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientName: 'holder of an /api token' });
    provider.saveTokens({ access_token: await apiToken(), token_type: 'Bearer' });
    const client = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }))).rejects.toThrow();
    expect(mcp.refusals[0]).toMatchObject({ status: 401 });
    expect(mcp.refusals[0].challenge).toMatch(/error="invalid_token".*resource_metadata="/);
  });
});

/** TODO(part 2): an access token for ISSUER/api (see the test above). */
async function apiToken(): Promise<string> {
  throw new Error('apiToken: to be written after the merge');
}
