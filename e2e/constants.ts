/** The staff user that playwright.config.ts creates with `npm run createsuperuser` before the server starts. */
export const E2E_ADMIN = { username: 'e2e_admin', password: 'correct horse battery staple' };

/** The production server's port (`npm start`, playwright.config.ts's first webServer). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 8100);
/**
 * Plain `next start` (no server.ts: the App Router's door only), the second webServer. Not
 * E2E_PORT + 1 to + 3: the SPA specs listen there.
 */
export const NEXT_START_PORT = E2E_PORT + 4;

/** e2e/mcp.spec.ts's servers: the MCP server, the loopback callback, the client metadata document (the brief's 8510-8519 for E2E_PORT 8500). */
export const MCP_PORTS = { mcp: E2E_PORT + 10, callback: E2E_PORT + 11, metadataDocument: E2E_PORT + 12, jwtMcp: E2E_PORT + 13 } as const;
/** The self-signed certificate of the client metadata document's https server (e2e/mcp/tls.ts), trusted by the first webServer. */
export const MCP_TLS_DIR = `.data-e2e-${E2E_PORT}-tls`;

/** The first webServer's data directory (relative to the checkout) and AUTH_SECRET: the CLI (`npm run resource`) reaches that server through its control socket there. */
export const E2E_DATA_DIR = `.data-e2e-${E2E_PORT}`;
export const E2E_AUTH_SECRET = 'e2e-secret-e2e-secret-e2e-secret-e2e-secret';

/** The initial access token of RFC 7591 registration on the production server (REGISTRATION=token). */
export const E2E_REGISTRATION_TOKEN = 'e2e-initial-access-token-0123456789abcdef0123456789';
