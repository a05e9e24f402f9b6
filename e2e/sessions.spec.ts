// Server-side sessions (OWASP Session Management Cheat Sheet), as a person meets them: logging out
// kills the cookie everywhere, the sessions page lists and signs out sessions, a password change and
// an admin's deactivation end the other sessions. Each browser is its own context (its own cookies).
import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN, loggedInBrowser, logIn, logOut, PASSWORD, signUp, uniqueName } from './helpers';

/** Whether this browser's session still opens a page behind login. */
async function expectSignedIn(page: Page, yes: boolean) {
  await page.goto('/o/applications/');
  if (yes) await expect(page.getByRole('heading', { name: 'Your applications' })).toBeVisible();
  else await expect(page).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fapplications%2F/);
}

const sessionRows = (page: Page) => page.getByTestId('session');
const otherSessions = (page: Page) => page.locator('[data-testid="session"][data-current="false"]');

test('OWASP Session Management: logout ends the session server-side: the saved old cookie no longer opens /o/applications/', async ({ page, browser }) => {
  await signUp(page);
  const saved = await page.context().cookies();
  expect(saved.some((c) => c.name.endsWith('authjs.session-token'))).toBe(true);
  // The same cookie in another browser is the same session (until it ends).
  const thief = await (await browser.newContext()).newPage();
  await thief.context().addCookies(saved);
  await expectSignedIn(thief, true);

  await logOut(page);
  await expectSignedIn(page, false);
  // The copy kept from before the logout is dead too.
  await thief.context().clearCookies();
  await thief.context().addCookies(saved);
  await expectSignedIn(thief, false);
  await thief.context().close();
});

test('OWASP Session Management: next-auth’s own sign-out endpoint ends the session server-side too', async ({ page, browser }) => {
  await signUp(page);
  const saved = await page.context().cookies();
  const { csrfToken } = (await (await page.request.get('/accounts/auth/csrf')).json()) as { csrfToken: string };
  const out = await page.request.post('/accounts/auth/signout', { form: { csrfToken }, maxRedirects: 0 });
  expect(out.status()).toBe(303); // RFC 9700 §4.12: the front door answers every POST redirect with 303
  await expectSignedIn(page, false);
  const copy = await (await browser.newContext()).newPage();
  await copy.context().addCookies(saved.filter((c) => c.name.endsWith('authjs.session-token')));
  await expectSignedIn(copy, false);
  await copy.context().close();
});

test('OWASP Session Management: after logout, next-auth’s own session endpoint answers the saved old cookie with no session', async ({ page, browser }) => {
  const { username } = await signUp(page);
  const saved = (await page.context().cookies()).filter((c) => c.name.endsWith('authjs.session-token'));
  const live = (await (await page.request.get('/accounts/auth/session')).json()) as { user?: { name?: string } } | null;
  expect(live?.user?.name).toBe(username);
  await logOut(page);
  const copy = await (await browser.newContext()).newPage();
  await copy.context().addCookies(saved);
  const r = await copy.request.get('/accounts/auth/session');
  expect(r.status()).toBe(200);
  expect(await r.json()).toBeNull(); // no name, e-mail or id for a session that has ended
  await copy.context().close();
});

test('OWASP Session Management: logging in again replaces this browser’s session instead of leaving it alive', async ({ page, browser }) => {
  const { username } = await signUp(page);
  const before = (await page.context().cookies()).filter((c) => c.name.endsWith('authjs.session-token'));
  await page.goto('/accounts/login/');
  await logIn(page, username);
  await page.waitForURL((u) => u.pathname === '/'); // the header already said "Signed in" before
  await page.goto('/accounts/sessions/');
  await expect(sessionRows(page)).toHaveCount(1);
  const copy = await (await browser.newContext()).newPage();
  await copy.context().addCookies(before);
  await expectSignedIn(copy, false);
  await copy.context().close();
});

test('OWASP Session Management: "Sign out" on the sessions page ends the other browser’s session', async ({ page, browser }) => {
  const { username } = await signUp(page);
  const laptop = await loggedInBrowser(browser, username);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
  await expect(page).toHaveURL(/\/accounts\/sessions\/$/);
  await expect(sessionRows(page)).toHaveCount(2);
  const mine = page.locator('[data-testid="session"][data-current="true"]');
  await expect(mine.getByTestId('this-browser')).toHaveText('This browser');
  await expect(mine).toContainText('Chrome on Linux');
  await expect(mine).toContainText('127.0.0.1');
  await expect(mine.getByRole('button', { name: /^Sign out/ })).toHaveCount(0);

  // Its accessible name says which session it ends (several rows have one).
  await otherSessions(page).getByRole('button', { name: /^Sign out Chrome on Linux, 127\.0\.0\.1, logged in / }).click();
  await page.getByTestId('confirm').getByRole('button', { name: 'Sign out Chrome on Linux', exact: true }).click();
  await expect(page.getByTestId('notice')).toHaveText('Session signed out: that browser must log in again.');
  await expect(sessionRows(page)).toHaveCount(1);
  await expectSignedIn(laptop, false);
  await expectSignedIn(page, true);
  await laptop.context().close();
});

test('OWASP Session Management: "Sign out all other sessions" ends every session but this one', async ({ page, browser }) => {
  const { username } = await signUp(page);
  const others = [await loggedInBrowser(browser, username), await loggedInBrowser(browser, username)];

  await page.goto('/accounts/sessions/');
  await expect(sessionRows(page)).toHaveCount(3);
  await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await page.getByTestId('confirm').getByRole('button', { name: 'Sign out 2 other sessions', exact: true }).click();
  await expect(page.getByTestId('notice')).toHaveText('Signed out 2 other sessions. Only this browser is still signed in.');
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Sign out all other sessions' })).toHaveCount(0);
  for (const p of others) {
    await expectSignedIn(p, false);
    await p.context().close();
  }
  await expectSignedIn(page, true);
});

test('OWASP Session Management: a password change ends the other sessions and keeps this one', async ({ page, browser }) => {
  const { username } = await signUp(page);
  const phone = await loggedInBrowser(browser, username);

  await page.goto('/accounts/sessions/');
  await page.getByRole('link', { name: 'Change your password' }).click();
  await expect(page).toHaveURL(/\/accounts\/password\/$/);
  const fill = async (current: string, next: string, again = next) => {
    await page.getByLabel('Current password').fill(current);
    await page.getByLabel('New password', { exact: true }).fill(next);
    await page.getByLabel('Confirm new password').fill(again);
    await page.getByRole('button', { name: 'Change password' }).click();
  };
  // Errors stand next to their fields, and nothing changes.
  await fill(PASSWORD, 'new password 1', 'new password 2');
  await expect(page.getByTestId('new_password2-error')).toHaveText('The two passwords differ.');
  await fill('not my password', 'new password 1');
  await expect(page.getByTestId('current_password-error')).toHaveText('This is not your current password.');
  await fill(PASSWORD, 'short');
  await expect(page.getByTestId('new_password-error')).toContainText('At least 8 characters.');
  await expectSignedIn(phone, true);

  await page.goto('/accounts/password/');
  await fill(PASSWORD, 'a brand new password');
  await expect(page.getByTestId('password-changed')).toHaveText('Password changed. 1 other session was signed out; this browser stays logged in.');
  await expectSignedIn(phone, false);
  await expectSignedIn(page, true);

  // The old password no longer works; the new one does.
  await phone.goto('/accounts/login/');
  await logIn(phone, username, PASSWORD);
  await expect(phone.getByTestId('form-error')).toHaveText('Invalid username or password.');
  await logIn(phone, username, 'a brand new password');
  await expect(phone.getByTestId('whoami')).toContainText(username);
  await phone.context().close();
});

test('OWASP Session Management: an admin’s deactivation ends the user’s sessions, and reactivation does not revive them', async ({ page, browser }) => {
  const username = uniqueName('deact');
  await signUp(page, username);
  const second = await loggedInBrowser(browser, username);

  const admin = await loggedInBrowser(browser, E2E_ADMIN.username, E2E_ADMIN.password);
  await admin.goto('/admin/users/');
  await admin.getByLabel('Search users').fill(username);
  await admin.getByRole('button', { name: 'Search' }).click();
  const row = admin.getByTestId('user-row').filter({ hasText: username });
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await admin.getByTestId('confirm').getByRole('button', { name: `Deactivate ${username}`, exact: true }).click();
  await expect(admin.getByTestId('notice')).toContainText(`Deactivated ${username}`);
  await row.getByRole('button', { name: 'Activate' }).click();
  await expect(admin.getByTestId('notice')).toContainText(`Activated ${username}`);

  for (const p of [page, second]) await expectSignedIn(p, false);
  // The user can log in again, with a new session.
  await page.goto('/accounts/login/');
  await logIn(page, username);
  await expect(page.getByTestId('whoami')).toContainText(username);
  await expectSignedIn(page, true);
  await second.context().close();
  await admin.context().close();
});
