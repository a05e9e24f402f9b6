// Starts the production front door (node:http → lib/oauth) on a random port with a fresh database.
// Pages (Next.js) are not mounted here: they are covered by the Playwright e2e suite.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from './db';
import { useTestSettings, type SettingOverrides } from './settings';
import { closeDb, getHandle } from '@/lib/db';
import { createFrontDoor } from '@/lib/server/front-door';
import { flushAudit } from '@/lib/db/queries/audit';

export interface TestServer {
  url: string;
  db: TestDatabase;
  close: () => Promise<void>;
}

/**
 * Starts the server on a fresh database with test settings (./settings.ts) for that database and
 * port, changed by `overrides` (`{ ALLOW_PASSWORD_GRANT: 'true' }`), installed for this test process.
 */
export async function startTestServer(overrides: SettingOverrides = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const port = await freePort();
  useTestSettings({ ...db.env, PORT: String(port), ISSUER: `http://127.0.0.1:${port}`, ...overrides });
  await getHandle();
  // The production front door (client IP, body limits, the node:http door serving the route
  // manifest). Requests it hands to Next.js (pages) answer 404 with a marker the tests can check.
  const server = createFrontDoor((_rq, rs) => {
    rs.writeHead(404, { 'content-type': 'text/plain', 'x-test-handoff': 'next' });
    rs.end('handled by Next.js in production');
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await flushAudit();
      await closeDb();
      await db.drop();
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server of the test's own). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
