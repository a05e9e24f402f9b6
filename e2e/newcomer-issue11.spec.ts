// Issue 11's pages as a newcomer meets them, in Chromium at desktop and phone widths: every action
// says what happened (logout lands on "You are logged out", a session ended elsewhere is explained
// on the login page, a rate limit names the wait), messages are announced (role=alert for errors,
// role=status for outcomes), each page has one h1, repeated buttons say what they act on, the
// current session comes first, and long values wrap instead of widening a 390 px screen.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { E2E_ADMIN, expectNoOverflow, logIn, PASSWORD, signUp, uniqueName } from './helpers';

const UA = {
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};
const PHONE = { width: 390, height: 844 };

/** A fresh browser (own cookies, optionally its own User-Agent) logged in as `username`. */
async function browserAs(browser: Browser, username: string, opts: { password?: string; userAgent?: string } = {}): Promise<Page> {
  const page = await (await browser.newContext(opts.userAgent ? { userAgent: opts.userAgent } : {})).newPage();
  await page.goto('/accounts/login/');
  await logIn(page, username, opts.password ?? PASSWORD);
  await expect(page.getByTestId('whoami')).toContainText(username);
  return page;
}

/** Fills the password change form (the new password twice) and submits it. */
async function changePassword(page: Page, current: string, next: string) {
  await page.getByLabel('Current password').fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Confirm new password').fill(next);
  await submit(page, 'Change password');
}

const endedNotice = (page: Page) => page.getByTestId('session-ended');
/** The form's own error (Next.js' route announcer is a second, empty role=alert on every page). */
const formAlert = (page: Page) => page.getByRole('alert').and(page.getByTestId('form-error'));

/**
 * Clicks a form's submit button and waits until its server action has answered and the form is
 * idle again (React resets the form then: filling it earlier would lose the values).
 */
async function submit(page: Page, name: string) {
  const button = page.getByRole('button', { name, exact: true });
  const answered = page.waitForResponse((r) => r.request().method() === 'POST');
  await button.click();
  await answered;
  await expect(button).toBeEnabled();
}

test.describe('logging out', () => {
  test('OWASP Session Management: after "Log out" the person lands on a page that says they are logged out', async ({ page }) => {
    await signUp(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/accounts\/logout\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are logged out');
    await expect(page.getByRole('status')).toContainText('Your session on this server has ended.');
    await expect(page.getByRole('link', { name: 'Log in again' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
  });

  test('OWASP Session Management: "Log out of this browser" on the sessions page lands on the same page', async ({ page }) => {
    await signUp(page);
    await page.goto('/accounts/sessions/');
    await page.getByRole('button', { name: 'Log out of this browser' }).click();
    await expect(page).toHaveURL(/\/accounts\/logout\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are logged out');
  });

  test('a signed-in person is never told they are logged out by a link: /accounts/logout/?done=1 asks first', async ({ page }) => {
    const { username } = await signUp(page);
    await page.goto('/accounts/logout/?done=1');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log out');
    await expect(page.getByText(`You are signed in as ${username}`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log out' }).last()).toBeVisible();
  });

  test('next-auth’s own sign-out page is ours, in the site’s layout', async ({ page }) => {
    await signUp(page);
    await page.goto('/accounts/auth/signout');
    await expect(page).toHaveURL(/\/accounts\/logout\//);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log out');
  });
});

test.describe('a session ended elsewhere', () => {
  test('OWASP Session Management: a user whose session was ended elsewhere is told why they must log in again', async ({ page, browser }) => {
    const { username } = await signUp(page);
    const laptop = await browserAs(browser, username, { userAgent: UA.firefox });
    await page.goto('/accounts/sessions/');
    await page.getByRole('button', { name: /^Sign out Firefox on Windows/ }).click();
    await page.getByTestId('confirm').getByRole('button', { name: 'Sign out Firefox on Windows' }).click();
    await expect(page.getByRole('status')).toHaveText('Session signed out: that browser must log in again.');

    await laptop.goto('/o/applications/');
    await expect(laptop).toHaveURL(/\/accounts\/login\/\?next=%2Fo%2Fapplications%2F$/);
    await expect(endedNotice(laptop)).toHaveAttribute('role', 'status');
    await expect(endedNotice(laptop)).toHaveText('You were signed out: this session was ended from another browser where you are logged in. Log in again to continue.');
    // Logging in again clears it: the new session is live.
    await logIn(laptop, username);
    await expect(laptop).toHaveURL(/\/o\/applications\/$/);
    await laptop.goto('/accounts/login/');
    await expect(endedNotice(laptop)).toHaveCount(0);
    await laptop.context().close();
  });

  test('OWASP Session Management: a browser signed out by a password change elsewhere is told so', async ({ page, browser }) => {
    const { username } = await signUp(page);
    const phone = await browserAs(browser, username, { userAgent: UA.iphone });
    await page.goto('/accounts/password/');
    await changePassword(page, PASSWORD, 'a brand new password');
    await expect(page.getByRole('status')).toHaveText('Password changed. 1 other session was signed out; this browser stays logged in.');

    await phone.goto('/accounts/sessions/');
    await expect(endedNotice(phone)).toHaveText('You were signed out because your password was changed in another browser. Log in with the new password.');
    await phone.context().close();
  });

  test('OWASP Session Management: a browser signed out by an administrator’s deactivation is told so', async ({ page, browser }) => {
    const username = uniqueName('deact');
    await signUp(page, username);
    const admin = await browserAs(browser, E2E_ADMIN.username, { password: E2E_ADMIN.password });
    await admin.goto(`/admin/users/?q=${username}`);
    // Each row's buttons name the user they act on.
    await admin.getByRole('button', { name: `Deactivate ${username}`, exact: true }).click();
    await admin.getByTestId('confirm').getByRole('button', { name: `Deactivate ${username}`, exact: true }).click();
    await expect(admin.getByRole('status')).toContainText(`Deactivated ${username}`);
    await expect(admin.getByRole('button', { name: `Activate ${username}`, exact: true })).toBeVisible();

    await page.goto('/o/applications/');
    await expect(endedNotice(page)).toHaveText('You were signed out because an administrator deactivated your account.');
    await admin.context().close();
  });

  test('a first visit to the login page explains nothing: there was no session', async ({ page }) => {
    await page.goto('/accounts/login/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in');
    await expect(endedNotice(page)).toHaveCount(0);
  });
});

test.describe('rate limits', () => {
  test('OWASP Authentication: the login form’s rate-limit message says how long to wait, as an alert', async ({ page, browser }) => {
    const { username } = await signUp(page);
    const attacker = await (await browser.newContext()).newPage();
    await attacker.goto('/accounts/login/');
    // RATE_LIMIT_MAX_FAILURES (10) wrong passwords, then one more.
    for (let i = 0; i <= 10; i++) {
      await attacker.getByLabel('Username').fill(username);
      await attacker.getByLabel('Password', { exact: true }).fill(`wrong password ${i}`);
      await submit(attacker, 'Log in');
      if (i === 0) await expect(formAlert(attacker)).toHaveText('Invalid username or password.');
    }
    await expect(formAlert(attacker)).toHaveText(/^Too many failed attempts\. Try again in [1-5] minutes?\.$/);
    await attacker.context().close();
  });

  test('OWASP Authentication: the password form’s rate-limit message says how long to wait, next to the field', async ({ page }) => {
    await signUp(page);
    await page.goto('/accounts/password/');
    const error = page.getByTestId('current_password-error');
    for (let i = 0; i <= 10; i++) {
      await changePassword(page, `not my password ${i}`, 'a brand new password');
      await expect(error).toBeVisible();
    }
    await expect(error).toHaveText(/^Too many failed attempts\. Try again in [1-5] minutes?\.$/);
    await expect(page.getByLabel('Current password')).toHaveAttribute('aria-describedby', 'current_password-error');
  });
});

test.describe('the sessions page', () => {
  test('OWASP Session Management: this browser’s session is listed first and marked, and each "Sign out" button names the session it ends', async ({ page, browser }) => {
    const { username } = await signUp(page);
    const others = [await browserAs(browser, username, { userAgent: UA.firefox }), await browserAs(browser, username, { userAgent: UA.iphone })];
    await page.goto('/accounts/sessions/');
    const rows = page.getByTestId('session');
    await expect(rows).toHaveCount(3);
    await expect(rows.first()).toHaveAttribute('aria-current', 'true');
    await expect(rows.first().getByTestId('this-browser')).toHaveText('This browser');
    await expect(rows.first().getByTestId('this-browser')).toHaveCSS('white-space', 'nowrap');
    await expect(rows.first().getByRole('button', { name: 'Log out of this browser' })).toBeVisible();
    // Two "Sign out" buttons, each named for its session: browser, address, when it logged in.
    const named = /^Sign out (Firefox on Windows|Safari on iOS), 127\.0\.0\.1, logged in \d{4}-\d\d-\d\d \d\d:\d\d UTC$/;
    const buttons = page.getByRole('button', { name: /^Sign out / });
    await expect(buttons).toHaveCount(3); // the two sessions, and "Sign out all other sessions"
    for (const b of await page.getByTestId('session').getByRole('button', { name: /^Sign out / }).all()) await expect(b).toHaveAccessibleName(named);
    await page.getByRole('button', { name: /^Sign out Safari on iOS/ }).click();
    await page.getByTestId('confirm').getByRole('button', { name: 'Sign out Safari on iOS', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Session signed out: that browser must log in again.');
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: 'Firefox on Windows' })).toHaveCount(1);
    for (const p of others) await p.context().close();
  });
});

test.describe('page structure', () => {
  test('WCAG 2.4.6: every account page has exactly one h1, and it names the page', async ({ page }) => {
    const expectOneH1 = async (path: string, name: string) => {
      await page.goto(path);
      await expect(page.locator('h1'), path).toHaveCount(1);
      await expect(page.getByRole('heading', { level: 1 }), path).toHaveText(name);
    };
    await expectOneH1('/accounts/signup/', 'Create an account');
    await expectOneH1('/accounts/login/', 'Log in');
    await expectOneH1('/accounts/logout/', 'You are not logged in');
    await signUp(page);
    await expectOneH1('/accounts/logout/', 'Log out');
    await expectOneH1('/accounts/sessions/', 'Sessions');
    await expectOneH1('/accounts/password/', 'Change password');
    await expectOneH1('/o/applications/999999/delete/', 'Application not found');
  });

  test('WAI-ARIA: an error is role=alert and an outcome role=status, so screen readers announce what happened', async ({ page }) => {
    await page.goto('/accounts/login/');
    await logIn(page, uniqueName('nobody'), 'whatever password');
    await expect(formAlert(page)).toHaveText('Invalid username or password.');
    await signUp(page);
    await page.goto('/accounts/password/');
    await changePassword(page, PASSWORD, 'short');
    // A field's error sits under it and describes it, with the rule (the hint) it broke.
    await expect(page.getByTestId('new_password-error')).toHaveText('Too short. At least 8 characters.');
    await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute('aria-describedby', 'new_password-hint new_password-error');
    await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  });

  test('RFC 9110 §15.5.14: a browser form too large gets a 413 page with one h1, one main landmark and a way home', async ({ page }) => {
    await page.goto('/accounts/signup/');
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.evaluate(() => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = '/accounts/signup/';
      const t = document.createElement('textarea');
      t.name = 'blob';
      t.value = 'x'.repeat(200 * 1024);
      f.append(t);
      document.body.append(f);
      f.submit();
    });
    expect((await response).status()).toBe(413);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Request too large');
    await expect(page.getByRole('main')).toHaveCount(1);
    await expect(page.getByText('The request body is larger than 64 KiB.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to the home page' })).toBeVisible();
  });
});

test.describe('on a 390 px phone', () => {
  test.use({ viewport: PHONE });

  test('WCAG 1.4.10 Reflow: a long username and the session list wrap within the screen', async ({ page, browser }) => {
    const username = uniqueName('l' + 'o'.repeat(90) + 'ngname');
    await signUp(page, username);
    const other = await browserAs(browser, username, { userAgent: UA.firefox });
    for (const path of ['/', '/accounts/sessions/', '/accounts/password/', '/accounts/logout/', '/o/applications/']) {
      await page.goto(path);
      await expectNoOverflow(page);
    }
    await page.goto('/accounts/sessions/');
    await page.getByRole('button', { name: /^Sign out Firefox on Windows/ }).click();
    await expect(page.getByTestId('confirm')).toBeVisible();
    await expectNoOverflow(page); // the confirmation wraps within the screen too
    await page.getByTestId('confirm').getByRole('button', { name: 'Sign out Firefox on Windows' }).click();
    await expect(page.getByRole('status')).toBeVisible();
    await expectNoOverflow(page);
    await other.context().close();
  });

  test('WCAG 1.4.10 Reflow: the admin’s status badges never break inside a word', async ({ browser }) => {
    const admin = await browserAs(browser, E2E_ADMIN.username, { password: E2E_ADMIN.password });
    await admin.setViewportSize(PHONE);
    await admin.goto(`/admin/users/?q=${E2E_ADMIN.username}`);
    const row = admin.getByTestId('user-row').filter({ hasText: E2E_ADMIN.username });
    for (const badge of ['Active', 'Staff']) await expect(row.getByText(badge, { exact: true })).toHaveCSS('white-space', 'nowrap');
    await admin.context().close();
  });
});
