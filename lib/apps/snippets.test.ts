// The Connect panel's snippets are pasted into shells and browser consoles by whoever views the
// application (staff see other users' applications). OWASP OS Command Injection Defense: every
// value is quoted for its language, so a hostile redirect URI, client id or issuer comes out as data.
// The curl snippets are checked by bash itself: `bash -n`, then run with curl replaced by a function
// that prints its arguments, in an environment where no external command can be found. The JS
// snippet is parsed and run with location, sessionStorage and fetch stubbed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSnippets, jsString, shellQuote, type SnippetApp } from './snippets';

/** Values that break out of unquoted or wrongly quoted shell words and JS strings. */
const HOSTILE = [
  '$(echo INJECTED >&2)',
  '`echo INJECTED >&2`',
  "'; echo INJECTED >&2; '",
  "'; rm -rf ~; '",
  '"; echo INJECTED >&2; "',
  'a\necho INJECTED >&2\nb',
  'back\\slash \\\' \\"',
  '${HOME} $IFS !! *',
  "'); alert(1); ('",
  '"); alert(1); ("',
  '</script>\u2028\u2029',
];

// External commands cannot run: PATH names an empty directory, and ~ is a scratch directory.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'snippets-'));
const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'snippets-bin-'));
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(emptyBin, { recursive: true, force: true });
});

function bash(args: string[]) {
  return spawnSync('/bin/bash', args, { encoding: 'utf8', cwd: scratch, env: { PATH: emptyBin, HOME: scratch } as unknown as NodeJS.ProcessEnv, timeout: 10_000 });
}

/** Runs a curl snippet with curl replaced by a function that prints each argument NUL-terminated. */
function curlArgs(snippet: string): string[] {
  const syntax = bash(['-n', '-c', snippet]);
  expect(syntax.status, syntax.stderr).toBe(0);
  const run = bash(['-c', `curl() { printf '%s\\0' "$@"; }\n${snippet}`]);
  expect(run.stderr, 'nothing but curl may run').toBe('');
  expect(run.status).toBe(0);
  return run.stdout.split('\0').slice(0, -1);
}

/** Runs the SPA snippet with browser stubs; returns where it navigated and what it POSTed. */
async function runSpa(snippet: string) {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const fn = new AsyncFunction('location', 'sessionStorage', 'fetch', snippet); // a syntax error throws here
  const store = new Map<string, string>();
  const seen: { assigned?: string; fetched?: { url: string; body: URLSearchParams } } = {};
  const location = {
    search: '',
    assign(url: string) {
      seen.assigned = url;
      // The authorization server sends the browser back with a code and the same state.
      const state = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('state') ?? '';
      location.search = `?${new URLSearchParams({ code: 'THE_CODE', state })}`;
    },
  };
  const sessionStorage = {
    setItem: (k: string, v: string) => void store.set(k, v),
    getItem: (k: string) => store.get(k) ?? null,
    removeItem: (k: string) => void store.delete(k),
  };
  const fetch = async (url: string, init: { body: URLSearchParams }) => {
    seen.fetched = { url, body: new URLSearchParams(init.body) };
    return { json: async () => ({}) };
  };
  await fn(location, sessionStorage, fetch);
  return seen;
}

describe('shellQuote and jsString', () => {
  it('POSIX shell: single quotes, each quote written as \'\\\'\'', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it.each(HOSTILE)('bash reads %j back unchanged, running nothing', (v) => {
    const run = bash(['-c', `printf '%s' ${shellQuote(v)}`]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(v);
  });

  it.each(HOSTILE)('JavaScript reads %j back unchanged', (v) => {
    expect(new Function(`return ${jsString(v)};`)()).toBe(v);
  });
});

describe('OWASP OS Command Injection Defense: every value in every Connect snippet is quoted for its language', () => {
  const confidential = (redirect: string, clientId = 'A'.repeat(40)): SnippetApp => ({ clientId, clientType: 'confidential', redirectUris: [redirect] });

  it.each(HOSTILE)('curl (code exchange, confidential): passes bash -n and passes %j through as data', (h) => {
    const issuer = `http://issuer.example/${h}`;
    const s = connectSnippets(confidential(`https://app.example/cb?x=${h}`, `id${h}`), issuer);
    expect(curlArgs(s.curlCode)).toEqual([
      '-X', 'POST', `${issuer}/o/token/`,
      '-u', `id${h}:CLIENT_SECRET`,
      '-d', 'grant_type=authorization_code',
      '-d', 'code=AUTHORIZATION_CODE',
      '--data-urlencode', `redirect_uri=https://app.example/cb?x=${h}`,
      '-d', 'code_verifier=CODE_VERIFIER',
    ]);
  });

  it.each(HOSTILE)('curl (code exchange, public): the client id goes in the body, quoted (%j)', (h) => {
    const s = connectSnippets({ clientId: `id${h}`, clientType: 'public', redirectUris: [h] }, 'http://localhost:8000');
    const args = curlArgs(s.curlCode);
    expect(args).toContain(`client_id=id${h}`);
    expect(args).toContain(`redirect_uri=${h}`);
  });

  it.each(HOSTILE)('curl (client credentials): passes bash -n and passes %j through as data', (h) => {
    const s = connectSnippets(confidential('https://app.example/cb', `id${h}`), `http://issuer.example/${h}`);
    expect(curlArgs(s.curlClientCredentials)).toEqual([
      '-X', 'POST', `http://issuer.example/${h}/o/token/`,
      '-u', `id${h}:CLIENT_SECRET`,
      '-d', 'grant_type=client_credentials',
      '-d', 'scope=read',
    ]);
  });

  it.each(HOSTILE)('SPA fetch(): parses, and %j reaches the authorization request and the token request unchanged', async (h) => {
    const issuer = `http://issuer.example/${h}`;
    const redirect = `https://app.example/cb?x=${h}`;
    const s = connectSnippets({ clientId: `id${h}`, clientType: 'public', redirectUris: [redirect] }, issuer);
    const seen = await runSpa(s.spaFetch);
    const authPrefix = `${issuer}/o/authorize/?`;
    expect(seen.assigned!.startsWith(authPrefix)).toBe(true);
    const q = new URLSearchParams(seen.assigned!.slice(authPrefix.length));
    expect(q.get('client_id')).toBe(`id${h}`);
    expect(q.get('redirect_uri')).toBe(redirect);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(seen.fetched!.url).toBe(`${issuer}/o/token/`);
    expect(Object.fromEntries(seen.fetched!.body)).toMatchObject({ grant_type: 'authorization_code', code: 'THE_CODE', redirect_uri: redirect, client_id: `id${h}` });
  });

  it.each(HOSTILE)('the authorization URL carries %j URL-encoded, with code_challenge_method=S256', (h) => {
    const s = connectSnippets(confidential(h, `id${h}`), 'http://localhost:8000');
    const u = new URL(s.authorizeUrl);
    expect(u.origin + u.pathname).toBe('http://localhost:8000/o/authorize/');
    expect(u.searchParams.get('redirect_uri')).toBe(h);
    expect(u.searchParams.get('client_id')).toBe(`id${h}`);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('without a redirect URI the snippets use the REDIRECT_URI placeholder, and name no callback origin', () => {
    const s = connectSnippets({ clientId: 'abc', clientType: 'confidential', redirectUris: [] }, 'http://localhost:8000');
    expect(s.callback).toBeNull();
    expect(s.callbackOrigin).toBeNull();
    expect(curlArgs(s.curlCode)).toContain('redirect_uri=REDIRECT_URI');
  });

  it('names the canonical origin of an http(s) callback for Allowed origins, and none for a private-use scheme', () => {
    expect(connectSnippets(confidential('https://App.Example:443/cb'), 'http://x').callbackOrigin).toBe('https://app.example');
    expect(connectSnippets(confidential('com.example.app:/cb'), 'http://x').callbackOrigin).toBeNull();
  });
});
