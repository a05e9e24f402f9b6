// The MCP client's side of e2e/mcp.spec.ts: an OAuthClientProvider for the SDK's
// StreamableHTTPClientTransport (kept in memory, as a desktop agent keeps it in its settings), the
// loopback callback it registers (RFC 8252 §7.3: http://127.0.0.1:<port>/callback, where the
// browser lands with the code), and the Client ID Metadata Document it can be identified by,
// served over https on 127.0.0.1 (the SDK accepts only an https client_id URL; the provider under
// test fetches it with its loopback development setting on and trusts the test's certificate).
import http from 'node:http';
import https from 'node:https';
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export interface ProviderOptions {
  /** The loopback redirect URI, http://127.0.0.1:<port>/callback. */
  redirectUrl: string;
  /** Identify by this Client ID Metadata Document URL (https) instead of registering (RFC 7591). */
  clientMetadataUrl?: string;
  clientName: string;
}

/** An OAuthClientProvider that remembers everything in memory and hands the authorization URL to the test (which opens it in Chromium). */
export class InMemoryOAuthProvider implements OAuthClientProvider {
  private client?: OAuthClientInformationMixed;
  private saved?: OAuthTokens;
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;
  /** The last authorization URL the SDK sent the user to. */
  authorizationUrl?: URL;
  /** How many times the SDK registered a client (RFC 7591) or took the metadata document URL as client_id. */
  registrations = 0;
  readonly clientMetadataUrl?: string;

  constructor(private readonly opts: ProviderOptions) {
    this.clientMetadataUrl = opts.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.opts.redirectUrl;
  }

  /** RFC 7591 §2 client metadata: a public client (PKCE, no secret) with the loopback redirect URI; also the body of its metadata document. */
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.opts.clientName,
      redirect_uris: [this.opts.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.registrations += 1;
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'client') this.client = undefined;
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }
}

/** The authorization response's parameters at the loopback callback (RFC 6749 §4.1.2, RFC 9207 §2 iss). */
export interface CallbackResult {
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
}

export interface LoopbackCallback {
  url: string;
  /** The next authorization response that reaches the callback. */
  next(): Promise<CallbackResult>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:<port>/callback as a native app does (RFC 8252 §7.3) and answers the browser with a page saying it may be closed. */
export async function startLoopbackCallback(port: number): Promise<LoopbackCallback> {
  let waiting: ((r: CallbackResult) => void) | null = null;
  const arrived: CallbackResult[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (u.pathname !== '/callback') return void res.writeHead(404).end();
    const p = u.searchParams;
    const result: CallbackResult = { code: p.get('code') ?? undefined, state: p.get('state') ?? undefined, iss: p.get('iss') ?? undefined, error: p.get('error') ?? undefined };
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Signed in</title><h1>You can close this window</h1>');
    if (waiting) {
      waiting(result);
      waiting = null;
    } else arrived.push(result);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  server.unref();
  return {
    url: `http://127.0.0.1:${port}/callback`,
    next: () => (arrived.length ? Promise.resolve(arrived.shift()!) : new Promise((r) => (waiting = r))),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export interface MetadataDocumentServer {
  /** The document's URL: the client_id (https://127.0.0.1:<port>/client.json). */
  url: string;
  /** How many times the provider under test fetched it. */
  fetches: number;
  close(): Promise<void>;
}

/**
 * Serves a Client ID Metadata Document over https on 127.0.0.1: `client_id` is the document's own
 * URL, the rest the client's metadata (RFC 7591 §2 names). `tls` is the certificate the provider
 * under test trusts (playwright.config.ts: NODE_EXTRA_CA_CERTS).
 */
export async function startMetadataDocumentServer(port: number, tls: { key: string; cert: string }, metadata: OAuthClientMetadata): Promise<MetadataDocumentServer> {
  const url = `https://127.0.0.1:${port}/client.json`;
  const state = { fetches: 0 };
  const server = https.createServer(tls, (req, res) => {
    if (new URL(req.url ?? '/', url).pathname !== '/client.json') return void res.writeHead(404).end();
    state.fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(JSON.stringify({ client_id: url, ...metadata }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  server.unref();
  return {
    url,
    get fetches() {
      return state.fetches;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
