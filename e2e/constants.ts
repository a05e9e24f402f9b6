/** The staff user that playwright.config.ts creates with `npm run createsuperuser` before the server starts. */
export const E2E_ADMIN = { username: 'e2e_admin', password: 'correct horse battery staple' };

/** The production server's port (`npm start`, playwright.config.ts's first webServer). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 8100);
/**
 * Plain `next start` (no server.ts: the App Router's door only), the second webServer. Not
 * E2E_PORT + 1 to + 3: the SPA specs listen there.
 */
export const NEXT_START_PORT = E2E_PORT + 4;

/** The initial access token of RFC 7591 registration on the production server (REGISTRATION=token). */
export const E2E_REGISTRATION_TOKEN = 'e2e-initial-access-token-0123456789abcdef0123456789';
