import { test, expect } from '@playwright/test';
import { signUp, logIn, logOut, uniqueName, PASSWORD } from './helpers';

test.describe('accounts', () => {
  test('a person signs up, logs out, and logs in again', async ({ page }) => {
    const { username } = await signUp(page);
    await expect(page.getByRole('link', { name: 'Register an application' })).toBeVisible();
    await logOut(page);
    await page.goto('/accounts/login/');
    await logIn(page, username);
    await expect(page.getByTestId('whoami')).toContainText(username);
  });

  test('login with ?next= returns to the page that was asked for', async ({ page }) => {
    const { username } = await signUp(page);
    await logOut(page);
    await page.goto('/accounts/login/?next=/o/applications/');
    await logIn(page, username);
    await expect(page).toHaveURL(/\/o\/applications\/$/);
  });

  test('a wrong password and an unknown user get the same message', async ({ page }) => {
    const { username } = await signUp(page);
    await logOut(page);
    await page.goto('/accounts/login/');
    await logIn(page, username, 'not-the-password');
    const wrongPassword = await page.getByTestId('form-error').textContent();
    expect(wrongPassword).toContain('Invalid username or password');
    await page.goto('/accounts/login/');
    await logIn(page, uniqueName('nobody'), PASSWORD);
    await expect(page.getByTestId('form-error')).toHaveText(wrongPassword!);
  });

  for (const evil of ['https://evil.example/', '//evil.example/', '/\\evil.example/', 'javascript:alert(1)']) {
    test(`an open-redirect next=${evil} lands on / after login`, async ({ page }) => {
      const { username } = await signUp(page);
      await logOut(page);
      await page.goto(`/accounts/login/?next=${encodeURIComponent(evil)}`);
      await logIn(page, username);
      await expect(page.getByTestId('whoami')).toContainText(username);
      const url = new URL(page.url());
      expect(url.host).toBe(new URL(test.info().project.use.baseURL!).host);
      expect(url.pathname).toBe('/');
    });
  }

  test('sign-up errors stand next to their fields and keep the values', async ({ page }) => {
    await page.goto('/accounts/signup/');
    const name = uniqueName();
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password').fill('different');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByTestId('email-error')).toBeVisible();
    await expect(page.getByTestId('password-error')).toContainText('At least 8');
    await expect(page.getByLabel('Username')).toHaveValue(name);
  });
});
