// A small MCP server for e2e/mcp.spec.ts, protected by the provider under test the way an MCP server
// of someone else's is (the MCP authorization specification): the SDK's McpServer with one tool over
// Streamable HTTP, on 127.0.0.1, serving its own RFC 9728 metadata that names the provider as its
// authorization server, answering 401 with `resource_metadata` (RFC 9728 §5.1), and accepting only
// tokens for its own resource: checked by introspection (RFC 7662, as a confidential client of the
// provider) or, for a resource with JWT access tokens, offline (RFC 9068 §4: typ, iss, aud, exp,
// from the provider's JWKS). Its lifetime is bounded: it closes itself after `maxLifetimeMs`.
import http from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { metadataUrlOf, protectedResourceMetadata, resourceMetadataParam, type ProtectedResource } from '../../lib/oauth/protected-resource';

/** The one scope the tool needs. */
export const MCP_SCOPE = 'mcp:tools';
/** The one tool: echoes its message, signed with the token's user. */
export const ECHO_TOOL = 'echo';

export interface McpServerOptions {
  port: number;
  /** The provider's issuer (its ISSUER): the authorization server of this resource. */
  issuer: string;
  /** How tokens are checked: introspection with this confidential client's credentials, or JWT (RFC 9068) from the issuer's JWKS. */
  verify: { introspection: { clientId: string; clientSecret: string } } | { jwt: true };
  maxLifetimeMs?: number;
  /** The one scope its tool needs (default MCP_SCOPE): a scope name belongs to one resource only, so each server has its own. */
  scope?: string;
}

export interface RunningMcpServer {
  /** The one scope its tool needs. */
  scope: string;
  /** The MCP endpoint, and the RFC 8707 resource identifier of this server: http://127.0.0.1:<port>/mcp */
  url: string;
  resource: ProtectedResource;
  /** Every refusal it sent, for the spec's assertions: status and WWW-Authenticate. */
  refusals: Array<{ status: number; challenge: string }>;
  close(): Promise<void>;
}

/** What the server knows of a token: who, for which client, with which scopes, for which resources. */
interface CheckedToken {
  active: boolean;
  clientId?: string;
  username?: string;
  scopes: string[];
  audience: string[];
  exp?: number;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

async function introspect(issuer: string, token: string, client: { clientId: string; clientSecret: string }): Promise<CheckedToken> {
  const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
  const r = await fetch(metadata.introspection_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}` },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  if (!r.ok) throw new Error(`introspection answered ${r.status}`);
  const body = await r.json();
  return { active: body.active === true, clientId: body.client_id, username: body.username, scopes: String(body.scope ?? '').split(' ').filter(Boolean), audience: asList(body.aud), exp: body.exp };
}

function jwtChecker(issuer: string, resource: string) {
  let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;
  return async (token: string): Promise<CheckedToken> => {
    jwks ??= createRemoteJWKSet(new URL((await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()).jwks_uri));
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: resource, typ: 'at+jwt' });
      return { active: true, clientId: String(payload.client_id), username: typeof payload.username === 'string' ? payload.username : String(payload.sub ?? ''), scopes: String(payload.scope ?? '').split(' ').filter(Boolean), audience: asList(payload.aud), exp: payload.exp };
    } catch {
      return { active: false, scopes: [], audience: [] };
    }
  };
}

/** The Node request as a Fetch Request (the web-standard transport's input). */
async function toRequest(req: http.IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && chunks.length > 0;
  return new Request(new URL(req.url ?? '/', origin), { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

async function send(res: http.ServerResponse, r: Response): Promise<void> {
  res.writeHead(r.status, Object.fromEntries(r.headers));
  if (r.body) for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

/** A fresh McpServer with the echo tool, for one stateless request. */
function mcpServer(): McpServer {
  const server = new McpServer({ name: 'e2e-mcp-server', version: '1.0.0' });
  server.registerTool(ECHO_TOOL, { description: 'Echoes a message, signed with the caller.', inputSchema: { message: z.string() } }, async ({ message }, extra) => ({
    content: [{ type: 'text', text: `${String(extra.authInfo?.extra?.username ?? '?')} says: ${message}` }],
  }));
  return server;
}

export async function startMcpServer(opts: McpServerOptions): Promise<RunningMcpServer> {
  const origin = `http://127.0.0.1:${opts.port}`;
  const scope = opts.scope ?? MCP_SCOPE;
  const resource: ProtectedResource = { identifier: `${origin}/mcp`, authorizationServers: [opts.issuer], scopes: [scope], name: 'e2e MCP server' };
  const metadataUrl = metadataUrlOf(resource);
  const metadataPath = new URL(metadataUrl).pathname;
  const check = 'jwt' in opts.verify ? jwtChecker(opts.issuer, resource.identifier) : (t: string) => introspect(opts.issuer, t, (opts.verify as { introspection: { clientId: string; clientSecret: string } }).introspection);
  const refusals: RunningMcpServer['refusals'] = [];

  /** RFC 6750 §3 + RFC 9728 §5.1: a Bearer challenge naming this resource's metadata. */
  const refuse = (status: number, error?: string, description?: string, scope?: string): Response => {
    const parts = [error && `error="${error}"`, description && `error_description="${description}"`, scope && `scope="${scope}"`, resourceMetadataParam(metadataUrl)].filter(Boolean);
    const challenge = `Bearer ${parts.join(', ')}`;
    refusals.push({ status, challenge });
    return Response.json(error ? { error, error_description: description } : {}, { status, headers: { 'www-authenticate': challenge } });
  };

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === metadataPath) return Response.json(protectedResourceMetadata(resource), { headers: { 'access-control-allow-origin': '*' } });
    if (pathname !== '/mcp') return new Response('not found', { status: 404 });
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(request.headers.get('authorization') ?? '');
    if (!m) return refuse(401);
    const token = await check(m[1]);
    if (!token.active) return refuse(401, 'invalid_token', 'The access token is not active.');
    // RFC 8707 §2, RFC 9068 §4: only tokens whose audience (introspection's or the JWT's `aud`)
    // names this resource; a token for the provider's /api is refused.
    if (!token.audience.includes(resource.identifier)) return refuse(401, 'invalid_token', 'The access token is not for this resource.');
    if (!token.scopes.includes(scope)) return refuse(403, 'insufficient_scope', `The tool needs the ${scope} scope.`, scope);
    const authInfo: AuthInfo = { token: m[1], clientId: token.clientId ?? '', scopes: token.scopes, expiresAt: token.exp, resource: new URL(resource.identifier), extra: { username: token.username } };
    // Stateless: a transport and a server per request.
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const server = mcpServer();
    await server.connect(transport);
    return transport.handleRequest(request, { authInfo });
  }

  const server = http.createServer((req, res) => {
    toRequest(req, origin)
      .then(handle)
      .then((r) => send(res, r))
      .catch((err) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const timer = setTimeout(() => void close(), opts.maxLifetimeMs ?? 5 * 60_000);
  timer.unref();
  server.unref();
  let closing: Promise<void> | null = null;
  function close() {
    clearTimeout(timer);
    server.closeAllConnections();
    return (closing ??= new Promise<void>((r) => server.close(() => r())));
  }
  return { url: resource.identifier, scope, resource, refusals, close };
}
