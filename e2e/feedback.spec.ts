// Issue 14 items 3–5, as a person meets them in Chromium: the authorization error page offers its
// owner "Add this callback to the application" (and nobody else, by a signed link); every action says what happened
// in one notice (role="status", read out politely; never text from the URL); every destructive action
// asks first, on the same page, with a button that names what it does (also without JavaScript);
// and the words after registering or regenerating a secret say plainly what to do.
import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN, callbackAfter, loggedInBrowser, logIn, POSTMAN_CALLBACK as POSTMAN, postmanAuthorizeUrl, signUp, uniqueName } from './helpers';
import { pathFor } from '../lib/oauth/paths';

// On the host the app already uses (Postman's): the offer is made only for those and loopback URIs.
const NEW_CALLBACK = 'https://www.getpostman.com/oauth2/second-callback';
const ATTACKER_CALLBACK = 'https://attacker.example/cb';
/** The neutral notice of an add-callback link without a valid signature (lib/apps/add-callback.ts OFFER_INVALID). */
const OFFER_INVALID = /This link has expired or is not valid/;

/** Registers an application through the form; its id, client id and (confidential) secret. */
async function register(page: Page, name: string, opts: { type?: 'Confidential' | 'Public'; uris?: string } = {}) {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel(opts.type ?? 'Confidential', { exact: true }).check();
  await page.getByLabel('Redirect uris', { exact: true }).fill(opts.uris ?? POSTMAN);
  await page.getByRole('button', { name: 'Register application' }).click();
  await expect(page.getByTestId('saved-message')).toContainText(name);
  const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
  const secret = opts.type === 'Public' ? '' : await page.getByLabel('Client secret', { exact: true }).inputValue();
  const open = page.getByRole('link', { name: 'Open application' });
  const id = Number((await open.getAttribute('href'))!.match(/\/o\/applications\/(\d+)\//)![1]);
  return { id, clientId, secret, path: `/o/applications/${id}/` };
}

/** An authorization request for `clientId`, to `redirectUri`. */
const authorizeUrl = (clientId: string, redirectUri = POSTMAN) => postmanAuthorizeUrl(clientId, { redirect_uri: redirectUri });

/** The notice of the last action: one, announced politely (role="status", aria-live="polite"), with these words. */
async function expectNotice(page: Page, words: string | RegExp) {
  const notice = page.getByTestId('notice');
  await expect(notice).toHaveCount(1);
  await expect(notice).toHaveAttribute('role', 'status');
  await expect(notice).toHaveAttribute('aria-live', 'polite');
  await expect(notice).toContainText(words);
  await expect(page.getByRole('status').filter({ hasText: words })).toBeVisible();
}

/** The confirmation that opened: its question (which takes the focus) names the thing. */
async function expectConfirmation(page: Page, question: string) {
  const heading = page.getByRole('heading', { name: question, exact: true });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();
  await expect(page.getByRole('region', { name: question })).toBeVisible();
}

test.describe('item 3: "Add this callback to the application"', () => {
  test('RFC 6749 §3.1.2.4: the owner is offered to add an unregistered callback; it is added only after confirming, and the request can be retried', async ({ page }) => {
    await signUp(page, uniqueName('owner'));
    const name = uniqueName('Callback app');
    const app = await register(page, name);

    const res = await page.goto(authorizeUrl(app.clientId, NEW_CALLBACK));
    expect(res!.status()).toBe(400);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invalid callback URL');
    await expect(page.getByRole('banner').getByRole('link', { name: 'OAuth Provider' })).toHaveAttribute('href', '/');
    await expect(page.getByRole('link', { name: 'Your applications' })).toHaveAttribute('href', '/o/applications/');
    await page.getByRole('link', { name: 'Add this callback to the application' }).click();

    // The confirmation on the application's page: nothing is added yet.
    await expect(page).toHaveURL(new RegExp(`${app.path}\\?confirm=add-callback&`));
    await expectConfirmation(page, `Add this callback to ${name}?`);
    await expect(page.getByTestId('callback-uri')).toHaveText(NEW_CALLBACK);
    await expect(page.locator('dt:text-is("Redirect uris") + dd')).not.toContainText(NEW_CALLBACK);
    // Cancel leaves it as it was; the offer's link opens it again.
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(page).toHaveURL(new RegExp(`${app.path}$`));
    await expect(page.getByTestId('confirm')).toHaveCount(0);
    await page.goBack();
    await page.getByRole('button', { name: `Add this callback to ${name}`, exact: true }).click();

    await expectNotice(page, `Added ${NEW_CALLBACK} to the redirect URIs.`);
    await expect(page.locator('dt:text-is("Redirect uris") + dd')).toContainText(NEW_CALLBACK);
    await page.getByRole('link', { name: 'Retry the authorization request' }).click();
    // The same request goes on: the owner is asked for consent, as any user would be.
    await expect(page).toHaveURL(new RegExp(`${pathFor('consent')}\\?pending=`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Authorize ${name}?`);
  });

  test('another user gets the fix in words and the link to their own applications, never the offer; the confirmation’s address is a 404 to them and refused to staff', async ({ page, browser }) => {
    await signUp(page, uniqueName('owner'));
    const name = uniqueName('Private app');
    const app = await register(page, name);
    // The owner's own signed offer: signed for the owner, so nobody else can use it.
    await page.goto(authorizeUrl(app.clientId, NEW_CALLBACK));
    const confirmUrl = (await page.getByRole('link', { name: 'Add this callback to the application' }).getAttribute('href'))!;
    expect(confirmUrl).toContain('sig=');

    const other = await (await browser.newContext()).newPage();
    await signUp(other, uniqueName('other'));
    await other.goto(authorizeUrl(app.clientId, NEW_CALLBACK));
    await expect(other.getByRole('heading', { level: 1 })).toHaveText('Invalid callback URL');
    await expect(other.getByRole('link', { name: 'Your applications' })).toHaveAttribute('href', '/o/applications/');
    await expect(other.getByRole('link', { name: 'Add this callback to the application' })).toHaveCount(0);
    expect((await other.goto(confirmUrl))!.status()).toBe(404);
    await other.context().close();

    // Staff may open any application, but the owner's offer is not theirs to accept.
    const staff = await loggedInBrowser(browser, E2E_ADMIN.username, E2E_ADMIN.password);
    await staff.goto(authorizeUrl(app.clientId, NEW_CALLBACK));
    await expect(staff.getByRole('link', { name: 'Add this callback to the application' })).toHaveCount(0);
    await staff.goto(confirmUrl);
    await expect(staff.getByTestId('add-callback-invalid')).toHaveText(OFFER_INVALID);
    await expect(staff.getByTestId('confirm')).toHaveCount(0);
    await expect(staff.getByRole('button', { name: `Add this callback to ${name}` })).toHaveCount(0);
    await staff.context().close();
  });

  test('RFC 9700 §4.1 / OWASP: a crafted add-callback link (no valid signature) opens nothing and adds nothing, and the action refuses a signature for another URI', async ({ page }) => {
    await signUp(page, uniqueName('owner'));
    const name = uniqueName('Phish target');
    const app = await register(page, name);
    const redirectUris = page.locator('dt:text-is("Redirect uris") + dd');

    // Written by hand: no signature.
    await page.goto(`${app.path}?confirm=add-callback&uri=${encodeURIComponent(ATTACKER_CALLBACK)}`);
    await expect(page.getByTestId('add-callback-invalid')).toHaveText(OFFER_INVALID);
    await expect(page.getByTestId('confirm')).toHaveCount(0);
    await expect(page.getByRole('button', { name: `Add this callback to ${name}` })).toHaveCount(0);

    // The genuine offer with its uri swapped for the attacker's.
    await page.goto(authorizeUrl(app.clientId, NEW_CALLBACK));
    const offer = new URL((await page.getByRole('link', { name: 'Add this callback to the application' }).getAttribute('href'))!, page.url());
    offer.searchParams.set('uri', ATTACKER_CALLBACK);
    await page.goto(offer.pathname + offer.search);
    await expect(page.getByTestId('add-callback-invalid')).toHaveText(OFFER_INVALID);
    await expect(page.getByTestId('confirm')).toHaveCount(0);

    // A forged post: the genuine confirmation, its hidden uri changed. The action adds nothing and says why.
    offer.searchParams.set('uri', NEW_CALLBACK);
    await page.goto(offer.pathname + offer.search);
    await expectConfirmation(page, `Add this callback to ${name}?`);
    await page.locator('[data-testid="confirm"] input[name="uri"]').evaluate((el, uri) => ((el as HTMLInputElement).value = uri), ATTACKER_CALLBACK);
    await page.getByRole('button', { name: `Add this callback to ${name}`, exact: true }).click();
    await expect(page.getByTestId('add-callback-invalid')).toHaveText(OFFER_INVALID);
    await expect(redirectUris).not.toContainText(ATTACKER_CALLBACK);
    await expect(redirectUris).not.toContainText(NEW_CALLBACK);
  });

  test('a callback the application form would refuse is named with the form’s rule, and no button is offered', async ({ page }) => {
    await signUp(page, uniqueName('owner'));
    const name = uniqueName('Strict app');
    const app = await register(page, name);
    await page.goto(authorizeUrl(app.clientId, 'http://www.getpostman.com/cb'));
    await page.getByRole('link', { name: 'Add this callback to the application' }).click();
    await expect(page.getByTestId('confirm').getByRole('alert')).toContainText('Redirect URI must use https');
    await expect(page.getByRole('button', { name: `Add this callback to ${name}` })).toHaveCount(0);
  });
});

test.describe('item 4: one notice after every action, one confirmation before every destructive one', () => {
  test('edit says "Saved"; delete asks first, naming the application, then says "Deleted <name>"; a crafted notice link shows nothing', async ({ page }) => {
    await signUp(page, uniqueName('dev'));
    const name = uniqueName('Notice app');
    const app = await register(page, name);

    await page.goto(`${app.path}update/`);
    await page.getByLabel('Name', { exact: true }).fill(`${name} v2`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page).toHaveURL(new RegExp(`${app.path}$`));
    await expectNotice(page, `Saved ${name} v2.`);
    // Shown once: the page read again has no notice.
    await page.reload();
    await expect(page.getByTestId('application-name')).toHaveText(`${name} v2`);
    await expect(page.getByTestId('notice')).toHaveCount(0);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expectConfirmation(page, `Delete ${name} v2?`);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(page.getByTestId('confirm')).toHaveCount(0);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByTestId('confirm').getByRole('button', { name: `Delete ${name} v2`, exact: true }).click();
    await expect(page).toHaveURL(/\/o\/applications\/$/);
    await expectNotice(page, `Deleted ${name} v2, with all its tokens, codes and consents.`);
    await expect(page.getByText(`${name} v2`, { exact: true })).toHaveCount(0);

    // Notices travel in a sealed cookie, never in the URL: a link cannot put words on the page.
    for (const q of ['notice=app_deleted', 'notice=deleted&n=3', 'revoked=1', 'done=1']) {
      await page.goto(`/o/applications/?${q}`);
      await expect(page.getByRole('heading', { name: 'Your applications' })).toBeVisible();
      await expect(page.getByTestId('notice')).toHaveCount(0);
    }
  });

  test('deleting asks first and says so without JavaScript too', async ({ browser }) => {
    const js = await (await browser.newContext()).newPage();
    const { username } = await signUp(js, uniqueName('nojs'));
    const name = uniqueName('No script app');
    const app = await register(js, name);
    await js.context().close();

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/accounts/login/');
    await logIn(page, username);
    await expect(page.getByTestId('whoami')).toContainText(username);
    await page.goto(app.path);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByRole('region', { name: `Delete ${name}?` })).toBeVisible();
    await page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    await expect(page).toHaveURL(/\/o\/applications\/$/);
    await expect(page.getByRole('status')).toContainText(`Deleted ${name}`);
    await context.close();
  });

  test('regenerating a secret asks first, then shows the new secret under "Secret regenerated", without "cannot be shown" above it', async ({ page }) => {
    await signUp(page, uniqueName('dev'));
    const name = uniqueName('Secret app');
    const app = await register(page, name);
    await page.goto(app.path);
    await expect(page.getByText('The client secret is hashed and cannot be shown.')).toBeVisible();
    await page.getByRole('button', { name: 'Regenerate secret' }).click();
    await expectConfirmation(page, `Regenerate the secret of ${name}?`);
    await page.getByRole('button', { name: `Regenerate the secret of ${name}` }).click();
    await expectNotice(page, 'Secret regenerated. The old one no longer works');
    const secret = await page.getByLabel('Client secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(secret).not.toBe(app.secret);
    await expect(page.getByText('This is the only time the secret is shown. Copy it now.')).toBeVisible();
    await expect(page.getByText('cannot be shown')).toHaveCount(0);
    await page.getByRole('link', { name: 'Done' }).click();
    await expect(page.getByText('The client secret is hashed and cannot be shown.')).toBeVisible();
    expect(await page.content()).not.toContain(secret);
  });

  test('revoking an authorized application asks first, naming it, and says "Revoked access for <name>"', async ({ page }) => {
    await signUp(page, uniqueName('user'));
    const name = uniqueName('Authorized app');
    const app = await register(page, name);
    await page.route('https://www.getpostman.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback' }));
    await page.goto(authorizeUrl(app.clientId));
    await callbackAfter(page, 'https://www.getpostman.com/', () => page.getByRole('button', { name: 'Authorize' }).click());

    await page.goto('/o/authorized_tokens/');
    const item = page.getByTestId('authorized-app').filter({ hasText: name });
    await item.getByRole('button', { name: `Revoke ${name}` }).click();
    await expectConfirmation(page, `Revoke access for ${name}?`);
    // Not revoked by opening the question.
    await page.reload();
    await expect(page.getByTestId('authorized-app').filter({ hasText: name })).toHaveCount(1);
    await page.getByRole('button', { name: `Revoke access for ${name}`, exact: true }).click();
    await expectNotice(page, `Revoked access for ${name}. It can no longer use your account until you authorize it again.`);
    await expect(page.getByTestId('authorized-app').filter({ hasText: name })).toHaveCount(0);
  });

  test('signing out the other sessions asks first and says how many; logging out says "Logged out"', async ({ page, browser }) => {
    const { username } = await signUp(page, uniqueName('user'));
    const laptop = await loggedInBrowser(browser, username);
    await page.goto('/accounts/sessions/');
    await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await expectConfirmation(page, 'Sign out 1 other session?');
    await page.getByRole('button', { name: 'Sign out 1 other session', exact: true }).click();
    await expectNotice(page, 'Signed out 1 other session. Only this browser is still signed in.');
    await laptop.goto('/o/applications/');
    await expect(laptop).toHaveURL(/\/accounts\/login\//);
    await laptop.context().close();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are logged out');
    await expectNotice(page, 'Logged out.');
  });

  test('staff deactivating a user are asked first, naming the user, and told who was deactivated', async ({ page, browser }) => {
    const victim = await (await browser.newContext()).newPage();
    const { username } = await signUp(victim, uniqueName('victim'));
    await victim.context().close();

    await page.goto('/accounts/login/');
    await logIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await expect(page.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
    await page.goto(`/admin/users/?q=${username}`);
    await page.getByRole('button', { name: `Deactivate ${username}` }).click();
    await expectConfirmation(page, `Deactivate ${username}?`);
    await expect(page.getByTestId('user-row').filter({ hasText: username })).toContainText('Active');
    await page.getByRole('button', { name: `Deactivate ${username}`, exact: true }).click();
    await expectNotice(page, `Deactivated ${username}:`);
    await expect(page).toHaveURL(new RegExp(`/admin/users/\\?q=${username}$`));
    await expect(page.getByTestId('user-row').filter({ hasText: username })).toContainText('Inactive');
  });
});

test.describe('item 5: words that say what to do', () => {
  test('after registering: the heading says "Application registered", the secret is shown once with one plain warning; a public app’s client id has a copy button', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signUp(page, uniqueName('dev'));
    await register(page, uniqueName('Confidential app'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Application registered');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expect(page.getByText('This is the only time the secret is shown. Copy it now.')).toBeVisible();
    await expect(page.getByText('if this is a new secret')).toHaveCount(0);

    const pub = await register(page, uniqueName('Public app'), { type: 'Public', uris: 'https://spa.example.com/cb' });
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Application registered');
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveCount(0);
    await page.getByRole('button', { name: 'Copy client id' }).click();
    await expect(page.getByText('Copied')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pub.clientId);
  });

  test('several bad redirect URIs: one line per bad value, naming it, next to the field', async ({ page }) => {
    await signUp(page, uniqueName('dev'));
    await page.goto('/o/applications/register/');
    await page.getByLabel('Name', { exact: true }).fill('Many callbacks');
    const bad = ['http://a.example/1', 'http://a.example/2', 'http://a.example/3', 'http://a.example/4'];
    await page.getByLabel('Redirect uris', { exact: true }).fill([POSTMAN, ...bad].join('\n'));
    await page.getByRole('button', { name: 'Register application' }).click();
    const lines = page.getByTestId('redirectUris-error').getByRole('listitem');
    await expect(lines).toHaveCount(bad.length);
    for (const [i, uri] of bad.entries()) await expect(lines.nth(i)).toContainText(`'${uri}'`);
    await expect(page.getByLabel('Redirect uris', { exact: true })).toHaveAttribute('aria-describedby', 'redirectUris-hint redirectUris-error');
  });
});
