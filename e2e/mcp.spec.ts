// Issue 16 item 10: a real MCP client against an MCP server protected by this provider. The official
// MCP TypeScript SDK is the client (Client + StreamableHTTPClientTransport with an OAuthClientProvider,
// e2e/mcp/oauth-client.ts) and the server (McpServer with one tool over Streamable HTTP on 127.0.0.1,
// e2e/mcp/mcp-server.ts), whose resource is registered as a resource of ours. The client meets a
// 401, discovers the resource's metadata (RFC 9728) and our metadata (RFC 8414), registers (by
// Client ID Metadata Document, and by RFC 7591), sends the user through login and consent in
// Chromium, lands on its loopback callback, gets a token for that resource only (RFC 8707), and
// calls the tool. A token for another resource is refused by the MCP server.
//
// The provider's settings for it (playwright.config.ts, the first webServer): REGISTRATION=open,
// CLIENT_METADATA_ALLOW_LOOPBACK=true, NODE_EXTRA_CA_CERTS (the metadata document's certificate).
// The MCP server's resource is registered the way staff script it, `npm run resource -- create`,
// which reaches the running server through its control socket in its DATA_DIR.
import { test, expect, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { E2E_AUTH_SECRET, E2E_DATA_DIR, E2E_PORT, MCP_PORTS, MCP_TLS_DIR } from './constants';
import { logIn, signUp, uniqueName } from './helpers';
import { ECHO_TOOL, MCP_SCOPE, startMcpServer, type RunningMcpServer } from './mcp/mcp-server';
import { InMemoryOAuthProvider, startLoopbackCallback, startMetadataDocumentServer, type LoopbackCallback } from './mcp/oauth-client';
import { ensureTestCertificate, readTestCertificate } from './mcp/tls';

const ISSUER = `http://localhost:${E2E_PORT}`;

/** Our RFC 8414 metadata, as the SDK reads it. */
async function asMetadata(): Promise<Record<string, unknown>> {
  return (await fetch(`${ISSUER}/.well-known/oauth-authorization-server`)).json();
}

const run = promisify(execFile);

/** The sentence the consent screen shows for the MCP server's scope (its resource's registration). */
const MCP_SCOPE_SENTENCE = 'Use the tools of the e2e MCP server';

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
 * Registers the MCP server's resource (its identifier, RFC 8707, and its one scope) with the running
 * provider as staff script it: `npm run resource -- create … --json` with the server's DATA_DIR (the
 * embedded database is the server's: the command goes through its control socket).
 */
async function registerMcpResource(mcp: RunningMcpServer, format: 'opaque' | 'jwt' = 'opaque'): Promise<void> {
  const { stdout } = await run(
    path.resolve('node_modules/.bin/tsx'),
    ['scripts/resource.ts', 'create', '--identifier', mcp.url, '--name', 'e2e MCP server', '--scope', `${mcp.scope}=${MCP_SCOPE_SENTENCE}`, '--format', format, '--json'],
    { env: { ...process.env, DATA_DIR: path.resolve(E2E_DATA_DIR), AUTH_SECRET: E2E_AUTH_SECRET, ISSUER }, timeout: 60_000 },
  );
  expect(JSON.parse(stdout).resource).toMatchObject({ identifier: mcp.url, access_token_format: format, scopes: [{ name: mcp.scope, description: MCP_SCOPE_SENTENCE }] });
}

/** RFC 7662 §2.2: what the provider says of a token, asked by the MCP server's confidential client. */
async function introspect(client: { clientId: string; clientSecret: string }, token: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${ISSUER}/o/introspect/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ token }),
  });
  expect(r.status).toBe(200);
  return r.json();
}

/**
 * The SDK's whole authorization-code flow for `provider`: connect (the 401, discovery and
 * registration happen inside), open the authorization URL in Chromium, log in and consent, take
 * the code from the loopback callback, finishAuth, connect again. Returns the connected client.
 */
async function authorizeAndConnect(page: Page, mcp: RunningMcpServer, provider: InMemoryOAuthProvider, callback: LoopbackCallback, user: { username: string }, claimedHost: string): Promise<Client> {
  const first = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
  await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  // RFC 9728 §5.1: the first answer was a 401 naming the resource's metadata.
  expect(mcp.refusals[0]).toMatchObject({ status: 401 });
  expect(mcp.refusals[0].challenge).toContain(`resource_metadata="${new URL(mcp.url).origin}/.well-known/oauth-protected-resource/mcp"`);
  const url = provider.authorizationUrl!;
  expect(url.origin + url.pathname).toBe(`${ISSUER}/o/authorize/`);
  // RFC 8707 §2: the SDK asks for the MCP server's resource; RFC 7636: S256.
  expect(url.searchParams.get('resource')).toBe(mcp.url);
  expect(url.searchParams.get('scope')).toBe(mcp.scope);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');

  await page.goto(url.href);
  await logIn(page, user.username);
  // The consent screen: the MCP server's scope with its registered sentence; a self-registered
  // client is marked unverified, naming first the host the code goes to (its redirect URI's), then
  // the host it claims (its metadata document's) when that differs.
  await expect(page.getByRole('heading', { level: 1 })).toContainText(provider.clientMetadata.client_name!);
  await expect(page.getByText(MCP_SCOPE_SENTENCE)).toBeVisible();
  await expect(page.getByTestId('unverified-client')).toBeVisible();
  const sendsTo = new URL(provider.clientMetadata.redirect_uris[0]).host;
  await expect(page.getByTestId('client-host')).toHaveText(sendsTo);
  if (claimedHost !== sendsTo) await expect(page.getByTestId('client-claims')).toContainText(claimedHost);
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
  test.describe.configure({ mode: 'serial' });
  let mcp: RunningMcpServer;
  let callback: LoopbackCallback;
  let introspection: { clientId: string; clientSecret: string };

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    const page = await (await browser.newContext()).newPage();
    introspection = await registerIntrospectionClient(page);
    await page.context().close();
    mcp = await startMcpServer({ port: MCP_PORTS.mcp, issuer: ISSUER, verify: { introspection } });
    await registerMcpResource(mcp);
    callback = await startLoopbackCallback(MCP_PORTS.callback);
  });
  test.afterAll(async () => {
    await mcp?.close();
    await callback?.close();
  });
  test.beforeEach(() => {
    if (mcp) mcp.refusals.length = 0;
  });

  /** RFC 8707 §2, RFC 7662 §2.2: the token is for the MCP server only (`aud`), with its one scope. */
  async function expectTokenForMcpOnly(provider: InMemoryOAuthProvider): Promise<void> {
    const accessToken = provider.tokens()!.access_token;
    expect(await introspect(introspection, accessToken)).toMatchObject({ active: true, aud: mcp.url, scope: MCP_SCOPE });
    // This provider's own /api refuses it (RFC 9068 §4), naming its own metadata (RFC 9728 §5.1).
    const api = await fetch(`${ISSUER}/api/hello`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(api.headers.get('www-authenticate')).toContain(`resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/api"`);
  }

  test('RFC 9728 §5.1, RFC 8707 §2: registered by a Client ID Metadata Document, the SDK discovers, authorizes through login and consent, and calls the tool with a token for the MCP server only', async ({ page }) => {
    expect((await asMetadata()).client_id_metadata_document_supported).toBe(true);
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
      const client = await authorizeAndConnect(page, mcp, provider, callback, user, new URL(doc.url).host);
      // The client_id is the document's URL, which the provider fetched (over https, trusting the test's certificate).
      expect(provider.clientInformation()?.client_id).toBe(doc.url);
      expect(doc.fetches).toBeGreaterThan(0);
      const result = await client.callTool({ name: ECHO_TOOL, arguments: { message: 'hello' } });
      expect(result.content).toEqual([{ type: 'text', text: `${user.username} says: hello` }]);
      await client.close();
      await expectTokenForMcpOnly(provider);
    } finally {
      await doc.close();
    }
  });

  test('RFC 7591 §3: registered dynamically, the SDK discovers, authorizes through login and consent, and calls the tool with a token for the MCP server only', async ({ page }) => {
    expect((await asMetadata()).registration_endpoint).toBe(`${ISSUER}/o/register/`);
    const user = await signUp(page, uniqueName('agent'));
    await page.getByRole('button', { name: 'Log out' }).click();
    const provider = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientName: 'e2e agent (RFC 7591)' });
    const client = await authorizeAndConnect(page, mcp, provider, callback, user, new URL(callback.url).host);
    expect(provider.registrations).toBe(1);
    expect(provider.clientInformation()?.client_id).not.toMatch(/^https?:/);
    const result = await client.callTool({ name: ECHO_TOOL, arguments: { message: 'registered' } });
    expect(result.content).toEqual([{ type: 'text', text: `${user.username} says: registered` }]);
    await client.close();
    await expectTokenForMcpOnly(provider);
  });

  test('RFC 9068 §4: for an MCP server whose resource has JWT access tokens, the SDK gets a JWT for it only, which the server verifies offline (typ, iss, aud, exp, the JWKS)', async ({ page }) => {
    const jwtMcp = await startMcpServer({ port: MCP_PORTS.jwtMcp, issuer: ISSUER, verify: { jwt: true }, scope: 'mcp:signed-tools' });
    try {
      await registerMcpResource(jwtMcp, 'jwt');
      const user = await signUp(page, uniqueName('agent'));
      await page.getByRole('button', { name: 'Log out' }).click();
      const provider = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientName: 'e2e agent (JWT resource)' });
      const client = await authorizeAndConnect(page, jwtMcp, provider, callback, user, new URL(callback.url).host);
      const jwt = provider.tokens()!.access_token;
      const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      expect(header.typ).toBe('at+jwt');
      expect(payload).toMatchObject({ iss: ISSUER, aud: jwtMcp.url, scope: jwtMcp.scope });
      // RFC 9068 §2.2: `sub` is the user (their id; a JWT carries no username), as introspection confirms.
      expect(await introspect(introspection, jwt)).toMatchObject({ active: true, sub: payload.sub, username: user.username, aud: jwtMcp.url });
      const result = await client.callTool({ name: ECHO_TOOL, arguments: { message: 'signed' } });
      expect(result.content).toEqual([{ type: 'text', text: `${payload.sub} says: signed` }]);
      await client.close();
      // The other MCP server (another resource) refuses it.
      const elsewhere = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientName: 'holder of a JWT for another resource' });
      elsewhere.saveTokens(provider.tokens()!);
      await expect(new Client({ name: 'e2e-mcp-client', version: '1.0.0' }).connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: elsewhere }))).rejects.toThrow();
      expect(mcp.refusals[0].challenge).toContain('error="invalid_token"');
    } finally {
      await jwtMcp.close();
    }
  });

  test("RFC 8707 §2: a token for another resource (this provider's /api) is refused by the MCP server with 401 invalid_token and its resource metadata", async () => {
    // The MCP server operator's client-credentials token: for the default resource, ISSUER/api.
    const r = await fetch(`${ISSUER}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${introspection.clientId}:${introspection.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
    });
    expect(r.status).toBe(200);
    const apiToken = (await r.json()).access_token as string;
    expect(await introspect(introspection, apiToken)).toMatchObject({ active: true, aud: `${ISSUER}/api` });
    const provider = new InMemoryOAuthProvider({ redirectUrl: callback.url, clientName: 'holder of an /api token' });
    provider.saveTokens({ access_token: apiToken, token_type: 'Bearer' });
    const client = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }))).rejects.toThrow();
    expect(mcp.refusals[0]).toMatchObject({ status: 401 });
    expect(mcp.refusals[0].challenge).toMatch(/error="invalid_token".*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
  });
});
