import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, basic, form, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

describe('smoke', () => {
  it('runs the code flow', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const verifier = 'a'.repeat(50);
    const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 'xyz' });
    const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location')!);
    expect(loc.searchParams.get('state')).toBe('xyz');
    const code = loc.searchParams.get('code')!;
    const t = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: form({ grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier }) });
    const body = await t.json();
    expect(t.status, JSON.stringify(body)).toBe(200);
    expect(body.refresh_token).toBeTruthy();
    const t2 = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { authorization: basic(app.clientId, app.secret), 'content-type': 'application/x-www-form-urlencoded' }, body: form({ grant_type: 'refresh_token', refresh_token: body.refresh_token }) });
    expect(t2.status).toBe(200);
  });
});
