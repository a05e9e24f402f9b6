// RFC 7591 dynamic client registration and RFC 7592 client management over real HTTP, in each
// REGISTRATION mode, and the registered client used at the token endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { expectOAuthError, postToken } from '@/test/helpers/codeflow';
import { withSettings } from '@/test/helpers/settings';
import { getDb } from '@/lib/db';
import { applications } from '@/lib/db/schema';
import { sha256b64url } from '@/lib/oauth/random';
import { settings } from './settings';

const TOKEN = 'initial-access-token-for-the-registration-tests-0123456789';
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, REGISTRATION: 'token', REGISTRATION_TOKEN: TOKEN });
});
afterAll(async () => srv?.close());

const register = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}/o/register/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const publicClient = { client_name: 'CLI tool', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] };

async function rowOf(clientId: string) {
  const db = await getDb();
  const [row] = await db.select().from(applications).where(eq(applications.clientId, clientId));
  return row;
}

describe('RFC 7591: registration in each REGISTRATION mode', () => {
  it('RFC 7591 §3.1, RFC 7591 §3.2.1, RFC 7591 §2: with the initial access token (REGISTRATION=token), a confidential client gets 201 with client_id, client_secret, client_id_issued_at, the metadata (unknown fields ignored) and RFC 7592 management details; nothing is stored in the clear', async () => {
    const r = await register({ client_name: 'Backend', redirect_uris: [POSTMAN_CALLBACK], grant_types: ['authorization_code', 'client_credentials'], unknown_field: 'ignored' }, bearer(TOKEN));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({
      client_name: 'Backend',
      redirect_uris: [POSTMAN_CALLBACK],
      grant_types: ['authorization_code', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret_expires_at: 0,
      registration_client_uri: `${srv.url}/o/register/${body.client_id}/`,
    });
    expect(body.unknown_field).toBeUndefined();
    expect(typeof body.client_secret).toBe('string');
    expect(typeof body.registration_access_token).toBe('string');
    expect(Math.abs(body.client_id_issued_at - Date.now() / 1000)).toBeLessThan(120);

    const row = (await rowOf(body.client_id))!;
    expect(row).toMatchObject({ registrationMethod: 'dynamic', userId: null, clientType: 'confidential', secretHashed: true, skipAuthorization: false });
    expect(row.clientSecret).not.toContain(body.client_secret);
    expect(row.registrationAccessTokenHash).toBe(sha256b64url(body.registration_access_token));

    // The secret works at the token endpoint.
    const t = await postToken(srv, { grant_type: 'client_credentials', scope: 'read' }, { id: body.client_id, secret: body.client_secret });
    expect(t.status).toBe(200);
  });

  it('RFC 7591 §3, RFC 6750 §3.1: REGISTRATION=token refuses a request without the initial access token (401 challenge) and with a wrong one (invalid_token)', async () => {
    const none = await register(publicClient);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectOAuthError(await register(publicClient, bearer('wrong-token')), 401, 'invalid_token');
  });

  it('REGISTRATION=closed (the default) refuses every registration with 403 access_denied, and discovery names no registration_endpoint', async () => {
    await withSettings({ REGISTRATION: 'closed' }, async () => {
      const body = await expectOAuthError(await register(publicClient, bearer(TOKEN)), 403, 'access_denied');
      expect(body.error_description).toMatch(/not enabled/);
      const m = await (await fetch(`${srv.url}/.well-known/oauth-authorization-server`)).json();
      expect(m.registration_endpoint).toBeUndefined();
      expect(m.client_id_metadata_document_supported).toBe(true);
    });
    const m = await (await fetch(`${srv.url}/.well-known/openid-configuration`)).json();
    expect(m.registration_endpoint).toBe(`${srv.url}/o/register/`);
  });

  it('REGISTRATION=open: anyone registers a public client with loopback or https redirect URIs; an omitted auth method becomes none', async () => {
    await withSettings({ REGISTRATION: 'open' }, async () => {
      const r = await register({ redirect_uris: ['https://app.example/cb', 'http://localhost/cb'] });
      const body = await r.json();
      expect(r.status, JSON.stringify(body)).toBe(201);
      expect(body.token_endpoint_auth_method).toBe('none');
      expect(body.client_secret).toBeUndefined();
      expect((await rowOf(body.client_id))!.clientType).toBe('public');
    });
  });

  it('RFC 7591 §3.2.2: REGISTRATION=open refuses confidential clients (invalid_client_metadata) and redirect URIs that are neither https nor loopback (invalid_redirect_uri)', async () => {
    await withSettings({ REGISTRATION: 'open' }, async () => {
      const conf = await expectOAuthError(await register({ redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_basic' }), 400, 'invalid_client_metadata');
      expect(conf.error_description).toMatch(/public clients only/);
      await expectOAuthError(await register({ ...publicClient, redirect_uris: ['http://app.example/cb'] }), 400, 'invalid_redirect_uri');
      await expectOAuthError(await register({ ...publicClient, redirect_uris: ['com.example.app:/cb'] }), 400, 'invalid_redirect_uri');
    });
  });

  it('RFC 7591 §3.2.2: invalid metadata is refused with the RFC\'s error codes: bad redirect URIs, unknown auth method, unsupported grant, response types that disagree with the grants (RFC 7591 §2.1), non-JSON', async () => {
    const auth = bearer(TOKEN);
    await expectOAuthError(await register({ ...publicClient, redirect_uris: ['https://app.example/cb#frag'] }, auth), 400, 'invalid_redirect_uri');
    await expectOAuthError(await register({ ...publicClient, redirect_uris: [] }, auth), 400, 'invalid_redirect_uri');
    await expectOAuthError(await register({ ...publicClient, redirect_uris: 'https://app.example/cb' }, auth), 400, 'invalid_redirect_uri');
    await expectOAuthError(await register({ ...publicClient, token_endpoint_auth_method: 'private_key_jwt' }, auth), 400, 'invalid_client_metadata');
    await expectOAuthError(await register({ ...publicClient, grant_types: ['password'] }, auth), 400, 'invalid_client_metadata');
    await expectOAuthError(await register({ ...publicClient, grant_types: ['client_credentials'] }, auth), 400, 'invalid_client_metadata');
    await expectOAuthError(await register({ ...publicClient, response_types: ['token'] }, auth), 400, 'invalid_client_metadata');
    await expectOAuthError(await register({ ...publicClient, logo_uri: 'javascript:alert(1)' }, auth), 400, 'invalid_client_metadata');
    await expectOAuthError(await register('not json', auth), 400, 'invalid_client_metadata');
    await expectOAuthError(await register([1, 2], auth), 400, 'invalid_client_metadata');
    const form = await fetch(`${srv.url}/o/register/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: 'client_name=x' });
    await expectOAuthError(form, 400, 'invalid_client_metadata');
  });

  it('RFC 7591 §3: in REGISTRATION=open an empty or malformed Bearer header (an unset $REGISTRATION_TOKEN) is a 400 that says the initial access token is optional and to leave the header out', async () => {
    await withSettings({ REGISTRATION: 'open' }, async () => {
      for (const authorization of ['Bearer ', 'Bearer', 'Bearer two tokens']) {
        const body = await expectOAuthError(await register(publicClient, { authorization }), 400, 'invalid_request');
        expect(body.error_description).toMatch(/registration is open: leave the Authorization header out/);
        expect(body.error_description).toMatch(/optional, RFC 7591 section 3/);
      }
      expect((await register(publicClient)).status).toBe(201);
    });
    // In token mode the same header stays the plain RFC 6750 malformed-request answer.
    const t = await expectOAuthError(await register(publicClient, { authorization: 'Bearer ' }), 400, 'invalid_request');
    expect(t.error_description).not.toMatch(/open/);
  });

  it('RFC 7591 §2: scope is stored as the allowed scopes and echoed; an unknown scope is invalid_client_metadata; omitted, the default resource\'s DEFAULT_SCOPES (never every scope), and the omitted auth method is echoed as none', async () => {
    await withSettings({ REGISTRATION: 'open' }, async () => {
      const r = await register({ redirect_uris: ['https://app.example/cb'] });
      const body = await r.json();
      expect(r.status, JSON.stringify(body)).toBe(201);
      expect(body.token_endpoint_auth_method).toBe('none');
      expect(body.scope).toBe('read write');
      expect((await rowOf(body.client_id))!.allowedScopes).toEqual(['read', 'write']);

      const chosen = await (await register({ ...publicClient, scope: 'openid introspection read' })).json();
      expect(chosen.scope).toBe('introspection read');
      expect((await rowOf(chosen.client_id))!.allowedScopes).toEqual(['introspection', 'read']);

      const bad = await expectOAuthError(await register({ ...publicClient, scope: 'read admin:all' }), 400, 'invalid_client_metadata');
      expect(bad.error_description).toMatch(/'admin:all' is not a scope of any resource/);
    });
  });

  it('RFC 6749 §5.2: a refused redirect URI is quoted once, in plain ASCII quotes, in the error_description (no ? for our own punctuation)', async () => {
    const body = await expectOAuthError(await register({ ...publicClient, redirect_uris: ['https://app.example/cb#frag'] }, bearer(TOKEN)), 400, 'invalid_redirect_uri');
    expect(body.error_description).toBe("Refused: Redirect URI must not contain a fragment (#...): 'https://app.example/cb#frag'");
  });

  it('REGISTRATION=open is rate-limited per source: over REGISTRATION_MAX_PER_IP in the window, 429 with Retry-After', async () => {
    // A source of its own (through a trusted proxy's header), so that the file's other open-mode registrations do not count.
    await withSettings({ REGISTRATION: 'open', REGISTRATION_MAX_PER_IP: '3', TRUST_PROXY: '1' }, async () => {
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      for (let i = 0; i < 3; i++) expect((await register(publicClient, from('198.51.100.7'))).status).toBe(201);
      const r = await register(publicClient, from('198.51.100.7'));
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another source is not affected, and the initial access token is not counted.
      expect((await register(publicClient, from('198.51.100.8'))).status).toBe(201);
      expect((await register(publicClient, { ...from('198.51.100.7'), ...bearer(TOKEN) })).status).toBe(201);
    });
  });

  it('RFC 7591 §3: wrong initial access tokens count per source (RATE_LIMIT_MAX_FAILURES): past it, 429 even for the right one from there; right ones count nothing, even in a burst; other sources are not affected', async () => {
    await withSettings({ RATE_LIMIT_MAX_FAILURES: '3', TRUST_PROXY: '1' }, async () => {
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      for (let i = 0; i < 3; i++) await expectOAuthError(await register(publicClient, { ...from('198.51.100.21'), ...bearer(`wrong-${i}`) }), 401, 'invalid_token');
      expect((await register(publicClient, { ...from('198.51.100.21'), ...bearer(TOKEN) })).status).toBe(201);
      const wrong = await register(publicClient, { ...from('198.51.100.21'), ...bearer('wrong-again') });
      expect(wrong.status).toBe(429);
      expect((await wrong.json()).error_description).toBe('Too many wrong initial access tokens from this address; retry after the time in Retry-After.');
      const over = await register(publicClient, { ...from('198.51.100.21'), ...bearer(TOKEN) });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await register(publicClient, { ...from('198.51.100.22'), ...bearer(TOKEN) })).status).toBe(201);
      // A script registering several clients at once from one source: none refused.
      const burst = await Promise.all(Array.from({ length: 8 }, () => register(publicClient, { ...from('198.51.100.23'), ...bearer(TOKEN) })));
      expect(burst.map((r) => r.status)).toEqual(Array(8).fill(201));
    });
  });

  it("Fetch CORS: a self-registered client may call the token endpoint from its redirect URIs' origins, and from no other", async () => {
    const r = await register({ ...publicClient, redirect_uris: ['https://spa.example/callback', 'http://127.0.0.1:5173/cb'] }, bearer(TOKEN));
    expect(r.status).toBe(201);
    const c = await r.json();
    expect((await rowOf(c.client_id)).allowedOrigins).toEqual(['https://spa.example', 'http://127.0.0.1:5173']);
    const exchange = (origin: string) =>
      fetch(`${srv.url}/o/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', client_id: c.client_id, redirect_uri: 'https://spa.example/callback', code_verifier: 'v'.repeat(43) }),
      });
    const from = await exchange('https://spa.example');
    expect(from.status).toBe(400);
    expect(from.headers.get('access-control-allow-origin')).toBe('https://spa.example');
    expect((await exchange('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a registration body over its limit is refused before it is read (the manifest\'s body limit)', async () => {
    const r = await register({ ...publicClient, client_name: 'x'.repeat(20_000) }, bearer(TOKEN));
    expect(r.status).toBe(413);
  });
});

describe('RFC 7592: client read, update and delete with the registration access token', () => {
  async function registered() {
    const r = await register(publicClient, bearer(TOKEN));
    expect(r.status).toBe(201);
    return (await r.json()) as { client_id: string; registration_access_token: string; registration_client_uri: string };
  }

  it('RFC 7592 §2, RFC 7592 §2.1, RFC 7592 §3: GET with the registration access token at registration_client_uri reads the client\'s metadata', async () => {
    const c = await registered();
    const r = await fetch(c.registration_client_uri, { headers: bearer(c.registration_access_token) });
    const body = await r.json();
    expect(r.status).toBe(200);
    expect(body).toMatchObject({ client_id: c.client_id, client_name: 'CLI tool', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none', registration_client_uri: c.registration_client_uri });
  });

  it('RFC 7592 §2.1: without the token, with a wrong one, another client\'s token or an unknown client_id, 401 invalid_token alike', async () => {
    const a = await registered();
    const b = await registered();
    const none = await fetch(a.registration_client_uri);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectOAuthError(await fetch(a.registration_client_uri, { headers: bearer('wrong') }), 401, 'invalid_token');
    await expectOAuthError(await fetch(a.registration_client_uri, { headers: bearer(b.registration_access_token) }), 401, 'invalid_token');
    await expectOAuthError(await fetch(`${srv.url}/o/register/unknown-client/`, { headers: bearer(a.registration_access_token) }), 401, 'invalid_token');
    await expectOAuthError(await fetch(a.registration_client_uri, { method: 'DELETE', headers: bearer(b.registration_access_token) }), 401, 'invalid_token');
    expect(await rowOf(a.client_id)).toBeDefined();
  });

  it('RFC 7592 §2.2: PUT replaces the metadata; the client_id must match, server fields are refused, a public client stays public', async () => {
    const c = await registered();
    const put = (body: unknown) => fetch(c.registration_client_uri, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(c.registration_access_token) }, body: JSON.stringify(body) });
    const r = await put({ client_id: c.client_id, client_name: 'Renamed', redirect_uris: ['https://cli.example/cb'], token_endpoint_auth_method: 'none' });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ client_name: 'Renamed', redirect_uris: ['https://cli.example/cb'], registration_access_token: c.registration_access_token });
    expect((await rowOf(c.client_id))!).toMatchObject({ name: 'Renamed', redirectUris: ['https://cli.example/cb'] });

    await expectOAuthError(await put({ client_id: 'other', redirect_uris: ['https://cli.example/cb'] }), 400, 'invalid_client_metadata');
    await expectOAuthError(await put({ client_id: c.client_id, redirect_uris: ['https://cli.example/cb'], registration_access_token: 'x' }), 400, 'invalid_client_metadata');
    await expectOAuthError(await put({ client_id: c.client_id, redirect_uris: ['https://cli.example/cb'], token_endpoint_auth_method: 'client_secret_basic' }), 400, 'invalid_client_metadata');
    await expectOAuthError(await put({ client_id: c.client_id, redirect_uris: ['http://cli.example/cb'] }), 400, 'invalid_redirect_uri');
  });

  it('RFC 7592 §2.3: DELETE with the token removes the client (204); its token then no longer works', async () => {
    const c = await registered();
    const r = await fetch(c.registration_client_uri, { method: 'DELETE', headers: bearer(c.registration_access_token) });
    expect(r.status).toBe(204);
    expect(await rowOf(c.client_id)).toBeUndefined();
    await expectOAuthError(await fetch(c.registration_client_uri, { headers: bearer(c.registration_access_token) }), 401, 'invalid_token');
  });

  it('RFC 7592: a client registered on the form cannot be managed through the client configuration endpoint', async () => {
    const db = await getDb();
    const [app] = await db
      .insert(applications)
      .values({ clientId: 'form-client-7592', name: 'Form', clientType: 'public', grantTypes: ['authorization_code'], redirectUris: [POSTMAN_CALLBACK], registrationAccessTokenHash: sha256b64url('guess') })
      .returning();
    await expectOAuthError(await fetch(`${srv.url}/o/register/${app!.clientId}/`, { headers: bearer('guess') }), 401, 'invalid_token');
  });

  it('the registration and client configuration endpoints refuse other methods with 405 and Allow', async () => {
    const r = await fetch(`${srv.url}/o/register/`, { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST, OPTIONS');
    const c = await fetch(`${srv.url}/o/register/x/`, { method: 'POST', headers: { authorization: basic('a', 'b') } });
    expect(c.status).toBe(405);
    expect(c.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
  });
});
