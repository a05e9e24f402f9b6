// The rules for clients that registered themselves (RFC 7591): asked every time, consents lost on a
// change of name or destination, text fields without control or bidi characters, frozen while suspended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeUser, sessionCookie } from '@/test/helpers/fixtures';
import { expectConsentPage, expectOAuthError, getAuthorize, newVerifier } from '@/test/helpers/codeflow';
import { getDb } from '@/lib/db';
import { applications, consents } from '@/lib/db/schema';
import { saveConsent } from '@/lib/db/queries/tokens';
import { setApplicationSuspended } from '@/lib/db/queries/registration';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

const TOKEN = 'initial-access-token-for-the-self-registered-rules-0123456789';
const CB = 'http://127.0.0.1/callback';
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, REGISTRATION: 'token', REGISTRATION_TOKEN: TOKEN });
});
afterAll(async () => srv?.close());

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const register = (body: unknown) => fetch(`${srv.url}/o/register/`, { method: 'POST', ...json(body, bearer(TOKEN)) });
const publicClient = { client_name: 'CLI tool', redirect_uris: [CB], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] };

async function registered() {
  const r = await register(publicClient);
  expect(r.status).toBe(201);
  const c = (await r.json()) as { client_id: string; registration_access_token: string; registration_client_uri: string };
  const [row] = await (await getDb()).select().from(applications).where(eq(applications.clientId, c.client_id));
  return { ...c, id: row!.id };
}
const put = (c: { client_id: string; registration_access_token: string; registration_client_uri: string }, body: Record<string, unknown>) =>
  fetch(c.registration_client_uri, { method: 'PUT', ...json({ client_id: c.client_id, token_endpoint_auth_method: 'none', ...body }, bearer(c.registration_access_token)) });
const consentCount = async (applicationId: number) => (await (await getDb()).select().from(consents).where(eq(consents.applicationId, applicationId))).length;

describe('self-registered clients: consent', () => {
  it('an RFC 7591 client is asked every time: a remembered consent does not skip the consent page', async () => {
    const c = await registered();
    const user = await makeUser();
    await saveConsent(user.id, c.id, ['read']);
    const cookie = await sessionCookie(user);
    const params = { response_type: 'code', client_id: c.client_id, redirect_uri: CB, scope: 'read', code_challenge: s256(newVerifier()), code_challenge_method: 'S256' };
    await expectConsentPage(srv, await getAuthorize(srv, params, cookie), cookie);
  });

  it('RFC 7592 §2.2: an update that changes the redirect URIs or the name deletes the users’ consents; one that changes neither keeps them', async () => {
    const c = await registered();
    const user = await makeUser();
    await saveConsent(user.id, c.id, ['read']);
    expect((await put(c, { client_name: 'CLI tool', redirect_uris: [CB], logo_uri: 'https://cli.example/logo.png' })).status).toBe(200);
    expect(await consentCount(c.id)).toBe(1);
    expect((await put(c, { client_name: 'CLI tool', redirect_uris: ['http://127.0.0.1/elsewhere'] })).status).toBe(200);
    expect(await consentCount(c.id)).toBe(0);
    await saveConsent(user.id, c.id, ['read']);
    expect((await put(c, { client_name: 'Your Bank', redirect_uris: ['http://127.0.0.1/elsewhere'] })).status).toBe(200);
    expect(await consentCount(c.id)).toBe(0);
  });
});

describe('self-registered clients: text fields', () => {
  it('RFC 7591 §3.2.2: NUL (as \\u0000), U+202E and other control characters in client_name or a URI are invalid_client_metadata, never a 5xx', async () => {
    for (const bad of [
      { ...publicClient, client_name: 'Evil\u0000' },
      { ...publicClient, client_name: 'Evil \u202egnp.exe' },
      { ...publicClient, client_name: 'Evil\u2066x' },
      { ...publicClient, client_uri: 'https://cli.example/\u202e' },
      { ...publicClient, redirect_uris: ['http://127.0.0.1/cb\u0085'] },
    ]) {
      const body = await expectOAuthError(await register(bad), 400, 'invalid_client_metadata');
      expect(body.error_description).toMatch(/control or bidirectional/);
    }
    const c = await registered();
    await expectOAuthError(await put(c, { client_name: 'Evil\u0000', redirect_uris: [CB] }), 400, 'invalid_client_metadata');
  });
});

describe('self-registered clients: suspension', () => {
  it('RFC 7592 §2: a suspended client cannot read, update or delete itself (403 access_denied): the suspension stays', async () => {
    const c = await registered();
    await setApplicationSuspended(c.id, true);
    await expectOAuthError(await fetch(c.registration_client_uri, { headers: bearer(c.registration_access_token) }), 403, 'access_denied');
    await expectOAuthError(await put(c, { client_name: 'Renamed', redirect_uris: [CB] }), 403, 'access_denied');
    await expectOAuthError(await fetch(c.registration_client_uri, { method: 'DELETE', headers: bearer(c.registration_access_token) }), 403, 'access_denied');
    const [row] = await (await getDb()).select().from(applications).where(eq(applications.id, c.id));
    expect(row).toMatchObject({ name: 'CLI tool' });
    expect(row!.suspendedAt).not.toBeNull();
    // Unsuspended: managed again.
    await setApplicationSuspended(c.id, false);
    expect((await fetch(c.registration_client_uri, { headers: bearer(c.registration_access_token) })).status).toBe(200);
  });
});
