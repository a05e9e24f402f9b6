// Findings of the security review, each pinned by a test.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, basic, form, loginSession, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { authorizeOutcome, consentOutcome } from '@/test/helpers/codeflow';
import { logUnexpected } from '@/lib/oauth/errors';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, ALLOW_PASSWORD_GRANT: 'true' });
});
afterAll(async () => srv?.close());

const post = (body: URLSearchParams, auth?: string) =>
  fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) }, body });

describe('hardening', () => {
  it('answers a NUL byte in any token-endpoint parameter with invalid_request, never a 500 (RFC 6749 §5.2)', async () => {
    const app = await makeApp({ grantTypes: ['authorization_code', 'password'] });
    for (const body of [
      form({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://a\u0000b' }),
      form({ grant_type: 'password', username: 'a\u0000b', password: 'p' }),
    ]) {
      const r = await post(body, basic(app.clientId, app.secret));
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe('invalid_request');
    }
  });

  it('logs an unexpected query failure without its parameters', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    logUnexpected(new Error('Failed query: select 1 where x = $1\nparams: the-code-verifier-value'));
    const logged = spy.mock.calls.flat().join(' ');
    spy.mockRestore();
    expect(logged).toContain('Failed query');
    expect(logged).not.toContain('the-code-verifier-value');
  });

  it('does not let the consent decision skip the re-login that prompt=login or max_age asks for (OIDC Core §3.1.2.1)', async () => {
    const user = await makeUser();
    const app = await makeApp();
    const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256('v'.repeat(43)), code_challenge_method: 'S256', scope: 'read' });
    const { session } = await loginSession(user, Math.floor(Date.now() / 1000) - 3600);
    for (const extra of [{ prompt: 'login' }, { max_age: '60' }] as Record<string, string>[]) {
      const url = new URL(`/o/authorize/?${q}&${new URLSearchParams(extra)}`, srv.url);
      const first = await authorizeOutcome({ url, session, ip: '127.0.0.1' });
      expect(first.kind === 'redirect' && first.location).toMatch(/^\/accounts\/login\/\?next=/);
      const pendingId = new URLSearchParams(new URL(new URL((first as { location: string }).location, srv.url).searchParams.get('next')!, srv.url).search).get('pending');
      // The consent form's POST for that pending request, from the same old login.
      const o = await consentOutcome({ pendingId, session, ip: '127.0.0.1', decision: 'allow' });
      expect(o.kind === 'redirect' && o.location).toMatch(/^\/accounts\/login\/\?next=/);
    }
  });
});

describe('rate limits hold under a parallel burst', () => {
  it('refuses most of 30 parallel wrong client secrets with 429 instead of verifying them all (RFC 9700 §4.15)', async () => {
    const app = await makeApp();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(form({ grant_type: 'client_credentials' }), basic(app.clientId, `wrong-${i}`)).then((r) => r.status)),
    );
    // RATE_LIMIT_MAX_FAILURES defaults to 10: at most 10 attempts reach argon2.
    expect(results.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(results.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
  });
});
