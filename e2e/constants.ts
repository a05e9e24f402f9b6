/** The staff user that playwright.config.ts creates with `npm run createsuperuser` before the server starts. */
export const E2E_ADMIN = { username: 'e2e_admin', password: 'correct horse battery staple' };
