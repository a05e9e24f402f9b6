import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_ADMIN, E2E_AUTH_SECRET, E2E_DATA_DIR, E2E_PORT, E2E_REGISTRATION_TOKEN, MCP_TLS_DIR, NEXT_START_PORT } from './e2e/constants';
import { ensureTestCertificate } from './e2e/mcp/tls';

// Debian's Chromium: Playwright's own browser download is not reachable from our machines.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  throw new Error(
    `Chromium not found at ${chromium}. Install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}

export { E2E_PORT, NEXT_START_PORT };
/** The "other origin" pages for the SPA tests are served from here (e2e/spa-server.ts). */
export const SPA_PORT = E2E_PORT + 1;
const dataDir = path.resolve(E2E_DATA_DIR);
const nextStartDataDir = path.resolve(`.data-e2e-${NEXT_START_PORT}`);
const AUTH_SECRET = E2E_AUTH_SECRET;
// e2e/mcp.spec.ts serves a Client ID Metadata Document over https on 127.0.0.1 with this
// self-signed certificate; the production server trusts it (NODE_EXTRA_CA_CERTS below).
const mcpTls = ensureTestCertificate(path.resolve(MCP_TLS_DIR));

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  outputDir: `.playwright-out/${E2E_PORT}`,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: `test-results/e2e-${E2E_PORT}.json` }]],
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: [
    {
      // The production server (custom server + `next build` output) on its own fresh data directory,
      // with one staff user made the way an operator makes it (npm run createsuperuser).
      command:
        `rm -rf ${dataDir} && printf '%s' '${E2E_ADMIN.password}' | npx tsx scripts/createsuperuser.ts ` +
        `--username ${E2E_ADMIN.username} --email admin@example.com --password-stdin && npm start`,
      url: `http://localhost:${E2E_PORT}/accounts/login/`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        PORT: String(E2E_PORT),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        ISSUER: `http://localhost:${E2E_PORT}`,
        AUTH_SECRET,
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_EXTRA_CA_CERTS: mcpTls.certFile,
        // e2e/registration.spec.ts and e2e/mcp.spec.ts serve Client ID Metadata Documents from 127.0.0.1 (a development setting).
        CLIENT_METADATA_ALLOW_LOOPBACK: 'true',
        // RFC 7591: open, so that e2e/mcp.spec.ts's MCP SDK registers without a token; a request carrying
        // REGISTRATION_TOKEN is handled as in token mode (e2e/registration.spec.ts, e2e/device.spec.ts).
        REGISTRATION: 'open',
        REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN,
      },
    },
    {
      // The same build under plain `next start` (no server.ts: no front door, no node:http door),
      // on its own port and fresh data directory; its users sign up through the pages. Ready once
      // the keys answer: the database opens (and migrates) on first use here, not at start.
      command: `rm -rf ${nextStartDataDir} && npx next start --port ${NEXT_START_PORT} --hostname 127.0.0.1`,
      url: `http://localhost:${NEXT_START_PORT}/.well-known/jwks.json`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        DATA_DIR: nextStartDataDir,
        ISSUER: `http://localhost:${NEXT_START_PORT}`,
        AUTH_SECRET,
        NEXT_TELEMETRY_DISABLED: '1',
      },
    },
  ],
});
