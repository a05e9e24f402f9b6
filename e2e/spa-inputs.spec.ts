// Real-world inputs in a real browser: an Allowed origin typed with capitals still lets the page on
// that origin call /o/token/ (RFC 6454), a wrong client_secret sent in the body from that page
// resolves with the JSON error instead of an HTTP sign-in challenge (RFC 6749 §5.2), the form
// refuses a redirect URI that is not in canonical form (RFC 9700 §4.1.3), and the Connect panel's
// snippets run nothing when pasted (OWASP OS Command Injection Defense).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { signUp, uniqueName } from './helpers';
import { startSpaServer, type SpaServer } from './spa-server';

const E2E_PORT = Number(process.env.E2E_PORT ?? 8100);
let spa: SpaServer;

// spa.spec.ts uses E2E_PORT + 1 and + 2.
test.beforeAll(async () => {
  spa = await startSpaServer(E2E_PORT + 3);
});
test.afterAll(async () => {
  await spa?.close();
});

async function openRegisterForm(page: Page, name: string) {
  await page.goto('/o/applications/register/');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Confidential', { exact: true }).check();
}

test.describe('real-world inputs', () => {
  test('RFC 6454 + RFC 6749 §5.2: origin typed in capitals is saved canonically; a wrong client_secret in the body from that page resolves with the JSON error, no challenge', async ({ page, baseURL }) => {
    await signUp(page, uniqueName('cors'));
    await openRegisterForm(page, uniqueName('Browser client'));
    await page.getByLabel('Authorization code', { exact: true }).uncheck();
    await page.getByLabel('Refresh token', { exact: true }).uncheck();
    await page.getByLabel('Client credentials', { exact: true }).check();
    const typed = spa.origin.replace('http://', 'HTTP://');
    await page.getByLabel('Allowed origins', { exact: true }).fill(typed);
    const clientId = await page.getByLabel('Client id', { exact: true }).inputValue();
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.getByTestId('saved-message')).toContainText('registered');
    await page.getByRole('link', { name: 'Open application' }).click();
    // Saved as the browser sends it.
    await expect(page.getByText(spa.origin, { exact: true })).toBeVisible();
    await expect(page.getByText(typed, { exact: true })).toHaveCount(0);

    // A page on the allowed origin sends its (wrong) credentials in the body, as SPAs do.
    await page.goto(`${spa.origin}/`);
    const answer = await page.evaluate(
      async ({ as, clientId }) => {
        const call = fetch(`${as}/o/token/`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'not-the-secret' }),
        }).then(async (r) => ({ status: r.status, challenge: r.headers.get('www-authenticate'), body: await r.json() }));
        // A native sign-in prompt would leave the fetch pending: bound the wait.
        const stalled = new Promise((resolve) => setTimeout(() => resolve('stalled'), 10_000));
        try {
          return await Promise.race([call, stalled]);
        } catch (err) {
          return `fetch failed: ${err}`;
        }
      },
      { as: baseURL!, clientId },
    );
    expect(answer).toEqual({ status: 400, challenge: null, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } });
  });

  test('RFC 9700 §4.1.3: a redirect URI not in canonical form is refused next to its field, naming the form to enter', async ({ page }) => {
    await signUp(page, uniqueName('canon'));
    await openRegisterForm(page, 'Odd spelling');
    await page.getByLabel('Redirect uris', { exact: true }).fill('HTTPS://App.Example:443/cb https://www.getpostman.com/oauth2/callback');
    await page.getByRole('button', { name: 'Register application' }).click();
    const error = page.getByTestId('redirectUris-error');
    await expect(error).toContainText('Redirect URI "HTTPS://App.Example:443/cb" is not in canonical form; enter https://app.example/cb');
    await expect(error).not.toContainText('getpostman');
    await expect(page.getByLabel('Redirect uris', { exact: true })).toHaveAttribute('aria-invalid', 'true');

    await page.getByLabel('Redirect uris', { exact: true }).fill('https://app.example/cb');
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.getByTestId('saved-message')).toContainText('Odd spelling');
  });

  test('OWASP OS Command Injection Defense: the Connect panel snippets of an app with a hostile redirect URI run nothing when pasted', async ({ page }) => {
    // Canonical and accepted by the form, yet "$(…)" and backticks run in a shell if unquoted.
    const hostile = "https://app.example/cb?x=$(touch${IFS}pwned)&y=`touch${IFS}pwned2`";
    await signUp(page, uniqueName('snip'));
    await openRegisterForm(page, 'Hostile callback');
    await page.getByLabel('Public', { exact: true }).check(); // the SPA snippets are a public client's
    await page.getByLabel('Redirect uris', { exact: true }).fill(hostile);
    await page.getByRole('button', { name: 'Register application' }).click();
    await expect(page.getByTestId('saved-message')).toContainText('Hostile callback');
    await page.getByRole('link', { name: 'Open application' }).click();
    const curl = (await page.getByTestId('exchange-curl').textContent())!;
    const spaSnippets = [(await page.getByTestId('spa-sign-in').textContent())!, (await page.getByTestId('spa-callback').textContent())!];

    // bash: syntax, then run with curl replaced by a printer, where no external command exists.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-snippet-'));
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-snippet-bin-'));
    try {
      const env = { PATH: emptyBin, HOME: scratch } as unknown as NodeJS.ProcessEnv;
      const syntax = spawnSync('/bin/bash', ['-n', '-c', curl], { encoding: 'utf8', env, cwd: scratch, timeout: 10_000 });
      expect(syntax.status, syntax.stderr).toBe(0);
      const run = spawnSync('/bin/bash', ['-c', `curl() { printf '%s\\0' "$@"; }\n${curl}`], { encoding: 'utf8', env, cwd: scratch, timeout: 10_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\0')).toContain(`redirect_uri=${hostile}`);
      expect(fs.readdirSync(scratch)).toEqual([]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
      fs.rmSync(emptyBin, { recursive: true, force: true });
    }
    // JavaScript: the snippets parse, and the redirect URI is a string literal holding it exactly.
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => unknown;
    for (const spaSnippet of spaSnippets) {
      expect(() => new AsyncFunction(spaSnippet)).not.toThrow();
      expect(spaSnippet).toContain(`redirect_uri: ${JSON.stringify(hostile)},`);
    }
    expect(spaSnippets[0]).toContain('code_challenge_method: "S256"');
  });
});
