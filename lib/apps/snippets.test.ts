// The Connect panel's snippets: which ones an application gets (every grant it has, and only those),
// the PKCE values and pasted answers they are filled with, and their quoting. They are pasted into
// shells, Node and browser consoles by whoever views the application (staff see other users'
// applications). OWASP OS Command Injection Defense: every value is quoted for its language, so a
// hostile redirect URI, client id, issuer or pasted token comes out as data. The curl snippets are
// checked by bash itself: `bash -n`, then run with curl replaced by a function that records its
// arguments, where no other command but sed and sleep can be found. The Node and browser snippets
// are parsed and run with fetch, process, console and the browser's objects stubbed.
// e2e/connect-snippets.spec.ts runs each of them against the real server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isValidCodeChallenge, isValidCodeVerifier, s256 } from '../oauth/pkce';
import { GRANT_AUTHORIZATION_CODE, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE, GRANT_PASSWORD, GRANT_REFRESH_TOKEN } from '../oauth/grants/catalogue';
import {
  COMMAND_KINDS,
  SECRET_SETUP,
  connectPlan,
  connectSnippets,
  idTokenPossible,
  jsString,
  newPkceValues,
  readCallback,
  readTokenResponse,
  shellQuote,
  type CommandKind,
  type SnippetApp,
  type SnippetInputs,
} from './snippets';

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

const SERVER = { scopes: ['read', 'write', 'introspection'], introspectionScope: 'introspection' };
const ISSUER = 'http://localhost:8000';
const PKCE = { verifier: 'v'.repeat(43), challenge: 'c'.repeat(43), state: 'the-state' };
const ALL_GRANTS = [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN, GRANT_CLIENT_CREDENTIALS, GRANT_DEVICE_CODE];

function app(over: Partial<SnippetApp> = {}): SnippetApp {
  const clientType = over.clientType ?? 'confidential';
  return {
    clientId: 'A'.repeat(40),
    clientType,
    redirectUris: ['https://www.getpostman.com/oauth2/callback'],
    grantTypes: [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN],
    algorithm: 'RS256',
    hasSecret: clientType === 'confidential',
    secretHashed: clientType === 'confidential',
    ...over,
  };
}

// External commands cannot run but sed and sleep (the device flow's loop): PATH names a directory
// holding only those two, and ~ is a scratch directory.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'snippets-'));
const onlyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'snippets-bin-'));
for (const cmd of ['sed', 'sleep']) {
  const found = ['/usr/bin', '/bin'].map((d) => path.join(d, cmd)).find((p) => fs.existsSync(p));
  if (found) fs.symlinkSync(found, path.join(onlyBin, cmd));
}
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(onlyBin, { recursive: true, force: true });
});

function bash(args: string[], input?: string, env: Record<string, string> = {}) {
  return spawnSync('/bin/bash', args, {
    encoding: 'utf8',
    cwd: scratch,
    input,
    env: { PATH: onlyBin, HOME: scratch, ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    timeout: 10_000,
  });
}

/**
 * Runs a curl snippet with curl replaced by a function that writes each argument NUL-terminated to
 * fd 3 and answers `answer` (a device code and tokens at once, so the device loop ends at once).
 * @returns the arguments of each curl call
 */
function curlCalls(snippet: string, env: Record<string, string> = { CLIENT_SECRET: 'S' }): string[][] {
  const syntax = bash(['-n', '-c', snippet]);
  expect(syntax.status, syntax.stderr).toBe(0);
  const answer = '{"device_code":"D","user_code":"U","verification_uri_complete":"V","interval":0,"access_token":"T"}';
  const run = bash(['-c', `curl() { printf '%s\\0' "$@" >&3; printf '\\1'>&3; printf '%s' '${answer}'; }\n${snippet}`], undefined, env);
  expect(run.stderr, 'nothing but curl, sed and sleep may run').toBe('');
  expect(run.status).toBe(0);
  expect(fs.readdirSync(scratch)).toEqual([]);
  const recorded = String(run.output[3]);
  return recorded
    .split('\u0001')
    .slice(0, -1)
    .map((call) => call.split('\0').slice(0, -1));
}

interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Record<string, string>;
}

/** Runs a Node snippet with fetch, process, console and setTimeout stubbed; returns its requests and what it printed. */
async function runNode(snippet: string, env: Record<string, string> = { CLIENT_SECRET: 'S' }) {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const fn = new AsyncFunction('fetch', 'process', 'console', 'setTimeout', snippet); // a syntax error throws here
  const calls: FetchCall[] = [];
  const printed: unknown[][] = [];
  const fetch = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: URLSearchParams } = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: init.headers ?? {}, body: Object.fromEntries(new URLSearchParams(init.body ?? '')) });
    return { status: 200, json: async () => ({ device_code: 'D', user_code: 'U', verification_uri_complete: 'V', interval: 0, access_token: 'T' }), text: async () => '' };
  };
  await fn(fetch, { env }, { log: (...a: unknown[]) => printed.push(a) }, (f: () => void) => f());
  return { calls, printed };
}

const every = (kinds: readonly CommandKind[]) => kinds.map((k) => [k] as const);

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

describe('the Connect panel offers a snippet for every grant the application has, and only those', () => {
  it('a confidential app with code and refresh: the code flow, refresh, introspection, UserInfo and revocation; no client credentials, device or SPA', () => {
    const plan = connectPlan(app(), SERVER);
    expect(plan.commands).toEqual(['exchange', 'refresh', 'introspect', 'userinfo', 'revoke']);
    expect(plan).toMatchObject({ codeFlow: true, spa: false, usesSecret: true, introspectsWithBearer: false, userScope: 'openid read' });
    expect(plan.endpoints).toEqual(['authorization', 'token', 'introspection', 'userinfo', 'revocation']);
  });

  it('a confidential app with every grant: client credentials (scope without openid: no user) and the device flow too', () => {
    const plan = connectPlan(app({ grantTypes: ALL_GRANTS }), SERVER);
    expect(plan.commands).toEqual([...COMMAND_KINDS]);
    expect(plan.clientScope).toBe('read');
    expect(plan.endpoints).toEqual(['authorization', 'token', 'device_authorization', 'introspection', 'userinfo', 'revocation']);
  });

  it('a device-only public app: the device flow and the token commands only; no code flow, no PKCE, no SPA, no secret', () => {
    const plan = connectPlan(app({ clientType: 'public', grantTypes: [GRANT_DEVICE_CODE], redirectUris: [] }), SERVER);
    expect(plan.commands).toEqual(['device', 'introspect', 'userinfo', 'revoke']);
    expect(plan).toMatchObject({ codeFlow: false, spa: false, usesSecret: false });
    expect(plan.endpoints).not.toContain('authorization');
  });

  it('RFC 7662 §2.1: a public client introspects with its own token, so its requests ask for the introspection scope; without that scope on the server, no introspection', () => {
    const pub = app({ clientType: 'public' });
    expect(connectPlan(pub, SERVER)).toMatchObject({ spa: true, introspectsWithBearer: true, userScope: 'openid read introspection' });
    const without = connectPlan(pub, { scopes: ['read', 'write'], introspectionScope: 'introspection' });
    expect(without.commands).toEqual(['exchange', 'refresh', 'userinfo', 'revoke']);
    expect(without.userScope).toBe('openid read');
  });

  it('RFC 6749 §4.4.3: client credentials alone come with no refresh token and no user: introspection and revocation, no refresh, no UserInfo', () => {
    const plan = connectPlan(app({ grantTypes: [GRANT_CLIENT_CREDENTIALS, GRANT_REFRESH_TOKEN], redirectUris: [] }), SERVER);
    expect(plan.commands).toEqual(['client_credentials', 'introspect', 'revoke']);
  });

  it('RFC 6749 §4.4: a public client never gets a client credentials command, even if the grant is stored', () => {
    expect(connectPlan(app({ clientType: 'public', grantTypes: [GRANT_CLIENT_CREDENTIALS] }), SERVER).commands).toEqual([]);
  });

  it('OIDC Core §5.3: UserInfo (and openid) only when an ID token can be issued: not for HS256 with a hashed secret', () => {
    expect(connectPlan(app({ algorithm: 'HS256', secretHashed: true }), SERVER)).toMatchObject({ userScope: 'read' });
    expect(connectPlan(app({ algorithm: 'HS256', secretHashed: true }), SERVER).commands).not.toContain('userinfo');
    expect(connectPlan(app({ algorithm: 'HS256', secretHashed: false }), SERVER).commands).toContain('userinfo');
    expect(connectPlan(app({ algorithm: 'RS256' }), SERVER).commands).toContain('userinfo');
  });

  it('OIDC Core §3.1.2.1: without an ID token algorithm no openid, no nonce and no UserInfo (the one rule: idTokenPossible)', () => {
    const none = app({ algorithm: '' });
    expect(idTokenPossible(none)).toBe(false);
    expect(connectPlan(none, SERVER).userScope).toBe('read');
    expect(connectPlan(none, SERVER).commands).not.toContain('userinfo');
    expect(connectPlan(none, SERVER).endpoints).not.toContain('userinfo');
    expect(connectPlan(app({ algorithm: '', clientType: 'public' }), SERVER).userScope).toBe('read introspection');
    const snippets = connectSnippets(none, ISSUER, SERVER);
    expect(snippets.authorizeUrl(PKCE)).not.toContain('openid');
    expect(idTokenPossible(app({ algorithm: 'RS256' }))).toBe(true);
  });

  it('names the grants it has no snippet for (the deprecated password grant)', () => {
    expect(connectPlan(app({ grantTypes: [GRANT_AUTHORIZATION_CODE, GRANT_PASSWORD] }), SERVER).withoutSnippets).toEqual(['Password (deprecated)']);
  });

  it('asks for the first scope the server knows when it has no "read"', () => {
    expect(connectPlan(app(), { scopes: ['notes'], introspectionScope: 'introspection' })).toMatchObject({ userScope: 'openid notes', clientScope: 'notes' });
  });

  it('names the canonical origin of an http(s) callback for Allowed origins, and none for a private-use scheme or no redirect URI', () => {
    expect(connectPlan(app({ redirectUris: ['https://App.Example:443/cb'] }), SERVER).callbackOrigin).toBe('https://app.example');
    expect(connectPlan(app({ redirectUris: ['com.example.app:/cb'] }), SERVER).callbackOrigin).toBeNull();
    expect(connectPlan(app({ redirectUris: [] }), SERVER)).toMatchObject({ callback: null, callbackOrigin: null });
  });
});

describe('RFC 8707 §2: the requests name the resource the application may use', () => {
  const withResource = { ...SERVER, resource: 'https://orders.example.com/api', scopes: ['orders:read'] };
  it('RFC 8707 §2: the authorization URL, client credentials and the device authorization carry `resource`, with that resource’s allowed scope', () => {
    const all = app({ grantTypes: ALL_GRANTS });
    const snippets = connectSnippets(all, ISSUER, withResource);
    const u = new URL(snippets.authorizeUrl(PKCE));
    expect(u.searchParams.getAll('resource')).toEqual(['https://orders.example.com/api']);
    expect(u.searchParams.get('scope')?.split(' ')).toContain('orders:read');
    expect(u.searchParams.get('scope')?.split(' ')).not.toContain('read');
    for (const kind of ['client_credentials', 'device_authorization'] as const) {
      const form = snippets.request(kind, { code: null, pkce: null, tokens: null }).form;
      expect(form).toContainEqual(['resource', 'https://orders.example.com/api']);
    }
    expect(snippets.request('client_credentials', { code: null, pkce: null, tokens: null }).form).toContainEqual(['scope', 'orders:read']);
    expect(snippets.command('client_credentials', 'curl', { code: null, pkce: null, tokens: null })).toContain('resource=');
  });
  it('without a resource nothing is added (the server’s default resource applies)', () => {
    const u = new URL(connectSnippets(app(), ISSUER, SERVER).authorizeUrl(PKCE));
    expect(u.searchParams.has('resource')).toBe(false);
  });
});

describe('RFC 7636: the PKCE values the page makes', () => {
  it('RFC 7636 §4.2: the challenge is BASE64URL(SHA-256(verifier)) of a §4.1 verifier of 43 characters; the state is fresh each time', async () => {
    const a = await newPkceValues();
    const b = await newPkceValues();
    expect(a.verifier).toHaveLength(43);
    expect(isValidCodeVerifier(a.verifier)).toBe(true);
    expect(isValidCodeChallenge(a.challenge, 'S256')).toBe(true);
    expect(a.challenge).toBe(s256(a.verifier));
    expect(a.state).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b.verifier).not.toBe(a.verifier);
    expect(b.state).not.toBe(a.state);
  });

  it('without Web Crypto (a page on plain http that is not localhost) says to open the page over https or on localhost', async () => {
    await expect(newPkceValues({ getRandomValues: crypto.getRandomValues.bind(crypto) } as unknown as Crypto)).rejects.toThrow('https or on localhost');
  });

  it('RFC 7636 §4.3: the authorization URL carries the S256 challenge, the method and the state, with the plan’s scope', () => {
    const u = new URL(connectSnippets(app(), ISSUER, SERVER).authorizeUrl(PKCE));
    expect(u.origin + u.pathname).toBe('http://localhost:8000/o/authorize/');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'A'.repeat(40),
      redirect_uri: 'https://www.getpostman.com/oauth2/callback',
      scope: 'openid read',
      state: 'the-state',
      code_challenge: PKCE.challenge,
      code_challenge_method: 'S256',
    });
  });

  it('RFC 7636 §4.5: the exchange carries the page’s verifier and the pasted code', async () => {
    const s = connectSnippets(app(), ISSUER, SERVER);
    const inputs: SnippetInputs = { code: 'THE_CODE', pkce: PKCE, tokens: null };
    expect(curlCalls(s.command('exchange', 'curl', inputs))[0]).toEqual(expect.arrayContaining(['code=THE_CODE', `code_verifier=${PKCE.verifier}`]));
    const { calls } = await runNode(s.command('exchange', 'node', inputs));
    expect(calls[0].body).toMatchObject({ code: 'THE_CODE', code_verifier: PKCE.verifier, client_secret: 'S' });
  });
});

describe('reading what the user pastes', () => {
  const expected = { state: 'the-state', issuer: ISSUER };

  it('RFC 6749 §4.1.2: reads the code of a callback URL whose state is the one sent (RFC 9207: and whose iss is this server)', () => {
    const url = `https://www.getpostman.com/oauth2/callback?code=abc-123&state=the-state&iss=${encodeURIComponent(ISSUER)}`;
    expect(readCallback(`  ${url}\n`, expected)).toEqual({ ok: true, value: 'abc-123' });
  });

  it('RFC 6749 §10.12: refuses a callback with another state, saying to open the authorization URL again', () => {
    const r = readCallback('https://x.example/cb?code=abc&state=other', expected);
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('open that URL again') });
  });

  it('RFC 9207 §2.4: refuses a callback whose iss is another server', () => {
    const r = readCallback('https://x.example/cb?code=abc&state=the-state&iss=https%3A%2F%2Fevil.example', expected);
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('another server') });
  });

  it('RFC 6749 §4.1.2.1: an error response is reported with its description, not as a missing code', () => {
    const r = readCallback('https://x.example/cb?error=access_denied&error_description=The+user+denied&state=the-state', expected);
    expect(r).toEqual({ ok: false, message: 'The server answered access_denied: The user denied.' });
  });

  it('says what to paste when it is not a URL, or has no code', () => {
    expect(readCallback('abc', expected)).toMatchObject({ ok: false, message: expect.stringContaining('not a URL') });
    expect(readCallback('https://x.example/cb?state=the-state', expected)).toMatchObject({ ok: false, message: expect.stringContaining('no code') });
  });

  it('RFC 6749 §5.1: reads the tokens of a pasted token response, with or without a refresh token, ignoring text around the JSON', () => {
    expect(readTokenResponse('HTTP 200\n{"access_token":"at","token_type":"Bearer","refresh_token":"rt"}\n$ ')).toEqual({
      ok: true,
      value: { accessToken: 'at', refreshToken: 'rt' },
    });
    expect(readTokenResponse('{\n  "access_token": "at"\n}')).toEqual({ ok: true, value: { accessToken: 'at', refreshToken: null } });
  });

  it('RFC 6749 §5.2: an error answer is named as such, and anything else says what to paste', () => {
    expect(readTokenResponse('{"error":"invalid_grant","error_description":"The code was already used."}')).toMatchObject({
      ok: false,
      message: expect.stringContaining('invalid_grant: The code was already used.'),
    });
    expect(readTokenResponse('{"token_type":"Bearer"}')).toMatchObject({ ok: false, message: 'This JSON has no access_token.' });
    expect(readTokenResponse('not json {')).toMatchObject({ ok: false, message: expect.stringContaining('Paste the JSON') });
  });
});

describe('the client secret stays out of the snippets', () => {
  const s = connectSnippets(app({ grantTypes: ALL_GRANTS }), ISSUER, SERVER);
  const inputs: SnippetInputs = { code: 'C', pkce: PKCE, tokens: { accessToken: 'AT', refreshToken: 'RT' } };

  it('the set-up command reads the secret without echo into an exported CLIENT_SECRET that node sees', () => {
    const secret = `s3cr'et $(x) "y"`;
    const run = spawnSync('/bin/bash', ['-c', `${SECRET_SETUP}\nbash -c 'printf %s "$CLIENT_SECRET"'`], { input: `${secret}\n`, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(secret);
  });

  it.each(every(['exchange', 'client_credentials', 'device', 'refresh', 'introspect', 'revoke']))(
    'RFC 6749 §2.3.1: %s sends client_secret from $CLIENT_SECRET, and an unset one stops the command with how to set it before any request',
    async (kind) => {
      const curl = s.command(kind, 'curl', inputs);
      expect(curlCalls(curl).every((args) => args.includes('client_secret=S'))).toBe(true);
      const unset = bash(['-c', `curl() { echo CALLED; }\n${curl}`]);
      expect(unset.stdout).not.toContain('CALLED');
      expect(unset.stderr).toContain('CLIENT_SECRET: set it first');
      const { calls } = await runNode(s.command(kind, 'node', inputs));
      expect(calls.every((c) => c.body.client_secret === 'S')).toBe(true);
      await expect(runNode(s.command(kind, 'node', inputs), {})).rejects.toThrow('Set CLIENT_SECRET first: read -rs CLIENT_SECRET && export CLIENT_SECRET');
    },
  );

  it('a public client’s commands send only its client_id', async () => {
    const pub = connectSnippets(app({ clientType: 'public', grantTypes: [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN, GRANT_DEVICE_CODE] }), ISSUER, SERVER);
    for (const kind of pub.plan.commands) {
      const curl = pub.command(kind, 'curl', inputs);
      expect(curl).not.toContain('CLIENT_SECRET');
      expect(pub.command(kind, 'node', inputs)).not.toContain('CLIENT_SECRET');
      for (const args of curlCalls(curl, {})) expect(args.some((a) => a.startsWith('client_secret='))).toBe(false);
    }
    // RFC 7662 §2.1: its introspection is authorized by its own token (which has the introspection scope).
    const { calls } = await runNode(pub.command('introspect', 'node', inputs));
    expect(calls[0]).toMatchObject({ headers: { Authorization: 'Bearer AT' }, body: { token: 'AT' } });
  });
});

describe('what each command sends (the e2e runs them against the server)', () => {
  const s = connectSnippets(app({ grantTypes: ALL_GRANTS }), ISSUER, SERVER);
  const inputs: SnippetInputs = { code: 'C', pkce: PKCE, tokens: { accessToken: 'AT', refreshToken: 'RT' } };

  it('RFC 8628 §3.4: the device flow asks for a device code, then polls the token endpoint with it', async () => {
    const [start, poll] = curlCalls(s.command('device', 'curl', inputs));
    expect(start).toEqual(['-sS', '-X', 'POST', `${ISSUER}/o/device-authorization/`, '--data-urlencode', 'scope=openid read', '-d', `client_id=${'A'.repeat(40)}`, '--data-urlencode', 'client_secret=S']);
    expect(poll).toEqual(expect.arrayContaining([`${ISSUER}/o/token/`, 'grant_type=urn:ietf:params:oauth:grant-type:device_code', 'device_code=D']));
    const { calls, printed } = await runNode(s.command('device', 'node', inputs));
    expect(calls.map((c) => c.url)).toEqual([`${ISSUER}/o/device-authorization/`, `${ISSUER}/o/token/`]);
    expect(calls[1].body).toMatchObject({ grant_type: GRANT_DEVICE_CODE, device_code: 'D' });
    expect(printed[0][0]).toBe('Open V in a browser and approve the code U.');
  });

  it('RFC 8628 §3.5: the device loop keeps polling on authorization_pending, slows down on slow_down, and prints the final answer', () => {
    const answers = ['{"device_code":"D","user_code":"U","verification_uri_complete":"V","interval":0}', '{"error":"authorization_pending"}', '{"error":"slow_down"}', '{"access_token":"T"}'];
    // Each curl runs in a command substitution (a subshell): the answer counter lives in a file.
    const counter = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snippets-n-')), 'n');
    fs.writeFileSync(counter, '0');
    const stub = `answers=(${answers.map(shellQuote).join(' ')}); curl() { read -r n < ${shellQuote(counter)}; echo $((n + 1)) > ${shellQuote(counter)}; printf '%s' "\${answers[$n]}"; }; sleep() { echo "sleep $1" >&2; }`;
    const run = bash(['-c', `${stub}\n${s.command('device', 'curl', inputs)}`], undefined, { CLIENT_SECRET: 'S' });
    fs.rmSync(path.dirname(counter), { recursive: true, force: true });
    expect(run.stdout).toBe('Open V in a browser and approve the code U.\n{"access_token":"T"}\n');
    expect(run.stderr).toBe('sleep 0\nsleep 0\nsleep 5\n');
  });

  it('RFC 7009 §2.1: revocation sends the refresh token (which ends the grant), or the access token when the response had none; it prints the status', async () => {
    expect(curlCalls(s.command('revoke', 'curl', inputs))[0]).toEqual(expect.arrayContaining([`${ISSUER}/o/revoke_token/`, 'token=RT', 'token_type_hint=refresh_token', '-w', 'HTTP %{http_code}\\n']));
    const accessOnly = { ...inputs, tokens: { accessToken: 'AT', refreshToken: null } };
    expect(curlCalls(s.command('revoke', 'curl', accessOnly))[0]).toEqual(expect.arrayContaining(['token=AT', 'token_type_hint=access_token']));
    const { calls, printed } = await runNode(s.command('revoke', 'node', inputs));
    expect(calls[0].url).toBe(`${ISSUER}/o/revoke_token/`);
    expect(printed).toEqual([['HTTP 200']]);
  });

  it('OIDC Core §5.3.1: UserInfo is a GET with the access token as a bearer token (RFC 6750 §2.1)', async () => {
    expect(curlCalls(s.command('userinfo', 'curl', inputs))[0]).toEqual(['-sS', `${ISSUER}/o/userinfo/`, '-H', 'Authorization: Bearer AT', '-w', '\\n']);
    const { calls } = await runNode(s.command('userinfo', 'node', inputs));
    expect(calls[0]).toMatchObject({ url: `${ISSUER}/o/userinfo/`, method: 'GET', headers: { Authorization: 'Bearer AT' } });
  });

  it('before anything is pasted, the commands name what goes where (placeholders)', () => {
    const empty: SnippetInputs = { code: null, pkce: PKCE, tokens: null };
    expect(s.command('exchange', 'curl', empty)).toContain('code=AUTHORIZATION_CODE');
    expect(s.command('refresh', 'curl', empty)).toContain('refresh_token=REFRESH_TOKEN');
    expect(s.command('introspect', 'curl', empty)).toContain('token=ACCESS_TOKEN');
  });
});

describe('OWASP OS Command Injection Defense: every value in every Connect snippet is quoted for its language', () => {
  const hostileApp = (h: string, clientType: 'confidential' | 'public') =>
    app({ clientId: `id${h}`, clientType, redirectUris: [`https://app.example/cb?x=${h}`], grantTypes: ALL_GRANTS });
  const hostileInputs = (h: string): SnippetInputs => ({ code: `c${h}`, pkce: PKCE, tokens: { accessToken: `at${h}`, refreshToken: `rt${h}` } });

  it.each(HOSTILE)('curl, every command, both client types: passes bash -n and passes %j through as data', (h) => {
    const issuer = `http://issuer.example/${h}`;
    for (const clientType of ['confidential', 'public'] as const) {
      const s = connectSnippets(hostileApp(h, clientType), issuer, SERVER);
      for (const kind of s.plan.commands) {
        const calls = curlCalls(s.command(kind, 'curl', hostileInputs(h)));
        expect(calls.length, kind).toBeGreaterThan(0);
        for (const args of calls) {
          expect(args.some((a) => a.startsWith(`${issuer}/o/`)), kind).toBe(true);
          if (kind !== 'userinfo' && !(kind === 'introspect' && clientType === 'public')) expect(args, kind).toContain(`client_id=id${h}`);
        }
        if (kind === 'exchange') expect(calls[0]).toEqual(expect.arrayContaining([`code=c${h}`, `redirect_uri=https://app.example/cb?x=${h}`]));
        if (kind === 'refresh') expect(calls[0]).toContain(`refresh_token=rt${h}`);
        if (kind === 'introspect' || kind === 'userinfo') expect(calls[0]).toContain(kind === 'introspect' ? `token=at${h}` : `Authorization: Bearer at${h}`);
      }
    }
  });

  it.each(HOSTILE)('Node fetch(), every command: parses, and %j reaches the requests unchanged', async (h) => {
    const issuer = `http://issuer.example/${h}`;
    const s = connectSnippets(hostileApp(h, 'confidential'), issuer, SERVER);
    for (const kind of s.plan.commands) {
      const { calls } = await runNode(s.command(kind, 'node', hostileInputs(h)));
      expect(calls.every((c) => c.url.startsWith(`${issuer}/o/`)), kind).toBe(true);
      if (kind === 'exchange') expect(calls[0].body).toMatchObject({ client_id: `id${h}`, code: `c${h}`, redirect_uri: `https://app.example/cb?x=${h}` });
      if (kind === 'userinfo') expect(calls[0].headers).toEqual({ Authorization: `Bearer at${h}` });
      if (kind === 'revoke') expect(calls[0].body).toMatchObject({ token: `rt${h}` });
    }
  });

  it.each(HOSTILE)('SPA fetch(): both snippets parse, and %j reaches the authorization request and the token request unchanged', async (h) => {
    const issuer = `http://issuer.example/${h}`;
    const redirect = `https://app.example/cb?x=${h}`;
    const s = connectSnippets(app({ clientId: `id${h}`, clientType: 'public', redirectUris: [redirect] }), issuer, SERVER);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    const store = new Map<string, string>();
    const sessionStorage = { setItem: (k: string, v: string) => void store.set(k, v), getItem: (k: string) => store.get(k) ?? null, removeItem: (k: string) => void store.delete(k) };
    const location = { search: '', assigned: '', assign: (url: string) => void (location.assigned = url) };
    const fetched: { url: string; body: URLSearchParams }[] = [];
    const fetch = async (url: string, init: { body: URLSearchParams }) => (fetched.push({ url, body: init.body }), { json: async () => ({ access_token: 'T' }) });
    const logged: unknown[] = [];

    await new AsyncFunction('location', 'sessionStorage', s.spaSignIn)(location, sessionStorage);
    const authPrefix = `${issuer}/o/authorize/?`;
    expect(location.assigned.startsWith(authPrefix)).toBe(true);
    const q = new URLSearchParams(location.assigned.slice(authPrefix.length));
    expect(Object.fromEntries(q)).toMatchObject({ client_id: `id${h}`, redirect_uri: redirect, code_challenge_method: 'S256', scope: 'openid read introspection' });
    expect(q.get('code_challenge')).toBe(s256(JSON.parse(store.get('pkce')!).verifier));

    // The server sends the browser back with a code and the same state.
    location.search = `?${new URLSearchParams({ code: 'THE_CODE', state: q.get('state')! })}`;
    await new AsyncFunction('location', 'sessionStorage', 'fetch', 'console', s.spaCallback)(location, sessionStorage, fetch, { log: (v: unknown) => logged.push(v) });
    expect(fetched[0].url).toBe(`${issuer}/o/token/`);
    expect(Object.fromEntries(fetched[0].body)).toMatchObject({ grant_type: 'authorization_code', code: 'THE_CODE', redirect_uri: redirect, client_id: `id${h}` });
    expect(logged).toEqual([{ access_token: 'T' }]);
  });

  it.each(HOSTILE)('the authorization URL carries %j URL-encoded, with code_challenge_method=S256', (h) => {
    const s = connectSnippets(app({ clientId: `id${h}`, redirectUris: [h] }), ISSUER, SERVER);
    const u = new URL(s.authorizeUrl(PKCE));
    expect(u.searchParams.get('redirect_uri')).toBe(h);
    expect(u.searchParams.get('client_id')).toBe(`id${h}`);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
  });
});
