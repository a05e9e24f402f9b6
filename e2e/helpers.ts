// Shared steps for the e2e specs, done as a person does them (labels and button names).
import { expect, type Page } from '@playwright/test';
import crypto from 'node:crypto';
export { E2E_ADMIN } from './constants';

export const uniqueName = (prefix = 'user') => `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
export const PASSWORD = 'correct horse battery staple';

export async function signUp(page: Page, username = uniqueName(), password = PASSWORD) {
  await page.goto('/accounts/signup/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('whoami')).toContainText(username);
  return { username, password };
}

export async function logIn(page: Page, username: string, password = PASSWORD) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })).toBeVisible();
}

/** Nothing on the page reaches past the right edge of the viewport (no sideways scrolling); code blocks scroll on their own. */
export async function expectNoOverflow(page: Page) {
  const wide = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > vw + 1 && !e.closest('.overflow-x-auto, pre'))
      .map((e) => `<${e.tagName.toLowerCase()}> ${(e.textContent ?? '').trim().slice(0, 40)}`);
    return { scroll: document.documentElement.scrollWidth, vw, out: out.slice(0, 5) };
  });
  expect(wide.out, `${page.url()}: elements past ${wide.vw} px`).toEqual([]);
  expect(wide.scroll, page.url()).toBeLessThanOrEqual(wide.vw);
}
