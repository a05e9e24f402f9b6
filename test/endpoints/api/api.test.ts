// Protecting an API with the tokens (RFC 6750): the bearer check behind /api/hello and /api/notes, and
// the Request/Response form (withBearerRoute) an API author uses in a Next route handler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getDb } from '@/lib/db';
import { accessTokens, notes, users, type Application, type User } from '@/lib/db/schema';
import { sha256b64url } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { withBearerRoute, bearerPreflight } from '@/lib/oauth/endpoint';
import { settings } from './settings';

let srv: TestServer;
let app: Application & { secret: string };
beforeAll(async () => {
  srv = await startTestServer(settings);
  app = await makeApp({ skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], allowedOrigins: ['http://spa.test:3000'] });
});
afterAll(async () => srv?.close());

const FORM = 'application/x-www-form-urlencoded';

/** A user's access token with `scope`, through the authorization code flow with PKCE. */
async function userToken(user: User, scope: string): Promise<string> {
  const verifier = 'v'.repeat(64);
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, scope, code_challenge: s256(verifier), code_challenge_method: 'S256' });
  const a = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  const code = new URL(a.headers.get('location')!).searchParams.get('code')!;
  const t = await fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier }),
  });
  expect(t.status).toBe(200);
  return (await t.json()).access_token;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** RFC 9728 §5.1: the auth-param every challenge of the built-in resource ends with. */
const resourceMetadata = () => `resource_metadata="${srv.url}/.well-known/oauth-protected-resource/api"`;
const hello = (headers: Record<string, string> = {}, path = '/api/hello') => fetch(`${srv.url}${path}`, { headers });
const postNote = (token: string, body: string, type = 'application/json') =>
  fetch(`${srv.url}/api/notes`, { method: 'POST', headers: { ...bearer(token), 'content-type': type }, body });

describe('the bearer check at /api/hello (RFC 6750)', () => {
  it('greets the token user by name with the read scope', async () => {
    const user = await makeUser();
    const token = await userToken(user, 'read');
    for (const path of ['/api/hello', '/api/hello/']) {
      const r = await hello(bearer(token), path);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ message: `Hello, ${user.username}!`, username: user.username, client_id: app.clientId, scope: 'read' });
    }
    // The scheme name is case-insensitive (RFC 7235 §2.1).
    expect((await hello({ authorization: `bearer ${token}` })).status).toBe(200);
  });

  it('answers 401 with a Bearer challenge and no error code when no token is sent (RFC 6750 §3.1; a 401 carries a challenge, RFC 9110 §15.5.2)', async () => {
    for (const headers of [{}, { authorization: basic('someone', 'secret') }] as Record<string, string>[]) {
      const r = await hello(headers);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(`Bearer realm="api", ${resourceMetadata()}`);
      expect(await r.json()).toEqual({});
    }
  });

  it('answers 401 invalid_token for an unknown, expired or revoked token, or a deactivated user (§3.1)', async () => {
    const user = await makeUser();
    const expired = await userToken(user, 'read');
    const revoked = await userToken(user, 'read');
    const db = await getDb();
    await db.update(accessTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(accessTokens.tokenHash, sha256b64url(expired)));
    await db.update(accessTokens).set({ revokedAt: new Date() }).where(eq(accessTokens.tokenHash, sha256b64url(revoked)));
    const gone = await makeUser();
    const ofDeactivated = await userToken(gone, 'read');
    await db.update(users).set({ isActive: false }).where(eq(users.id, gone.id));
    const cases: Array<[string, string]> = [
      ['unknown-token', 'The access token is invalid.'],
      [expired, 'The access token has expired.'],
      [revoked, 'The access token has been revoked.'],
      [ofDeactivated, 'The access token is invalid.'],
    ];
    for (const [token, description] of cases) {
      const r = await hello(bearer(token));
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(`Bearer realm="api", error="invalid_token", error_description="${description}", ${resourceMetadata()}`);
      expect(await r.json()).toEqual({ error: 'invalid_token', error_description: description });
    }
  });

  it('answers 403 insufficient_scope naming the scope needed (§3.1)', async () => {
    const token = await userToken(await makeUser(), 'write');
    const r = await hello(bearer(token));
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="read", resource_metadata="[^"]+"$/);
    expect((await r.json()).error).toBe('insufficient_scope');
  });

  it('answers 400 invalid_request for a malformed header or a token in the URL (§3.1, §2.3)', async () => {
    for (const authorization of ['Bearer', 'Bearer two tokens', 'Bearer ä']) {
      const r = await hello({ authorization });
      expect(r.status).toBe(400);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_request"/);
    }
    const q = await hello({}, '/api/hello?access_token=abc');
    expect(q.status).toBe(400);
    expect((await q.json()).error_description).toMatch(/Authorization header/);
  });

  it('answers OPTIONS as a CORS preflight', async () => {
    const r = await fetch(`${srv.url}/api/hello`, { method: 'OPTIONS', headers: { origin: 'http://spa.test:3000', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://spa.test:3000');
    expect(r.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});

describe('/api/notes: a real resource per user', () => {
  it('creates a note with the write scope (201) and lists only the user own notes with read', async () => {
    const alice = await makeUser();
    const bob = await makeUser();
    const aliceRW = await userToken(alice, 'read write');
    const bobRW = await userToken(bob, 'read write');
    const created = await postNote(aliceRW, JSON.stringify({ text: '  Buy milk  ' }));
    expect(created.status).toBe(201);
    const { note } = await created.json();
    expect(note).toEqual({ id: expect.any(Number), text: 'Buy milk', created_at: expect.any(String) });
    expect((await postNote(aliceRW, JSON.stringify({ text: 'Call Bob' }))).status).toBe(201);
    expect((await postNote(bobRW, JSON.stringify({ text: "Bob's secret" }))).status).toBe(201);
    const db = await getDb();
    expect((await db.select().from(notes).where(eq(notes.userId, alice.id))).map((n) => n.text).sort()).toEqual(['Buy milk', 'Call Bob']);

    const aliceRead = await userToken(alice, 'read');
    const list = await fetch(`${srv.url}/api/notes`, { headers: bearer(aliceRead) });
    expect(list.status).toBe(200);
    const body = await list.json();
    expect(body.notes.map((n: { text: string }) => n.text)).toEqual(['Call Bob', 'Buy milk']);
  });

  it('refuses to create with only the read scope (403) and to list with only write (403)', async () => {
    const user = await makeUser();
    const readOnly = await userToken(user, 'read');
    const r = await postNote(readOnly, JSON.stringify({ text: 'nope' }));
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="write"/);
    const writeOnly = await userToken(user, 'write');
    expect((await fetch(`${srv.url}/api/notes`, { headers: bearer(writeOnly) })).status).toBe(403);
    expect(await (await getDb()).select().from(notes).where(eq(notes.userId, user.id))).toHaveLength(0);
  });

  it('validates the JSON body: 400 invalid_request for bad JSON, a missing, empty or too long text, or another content type', async () => {
    const user = await makeUser();
    const token = await userToken(user, 'write');
    const cases: Array<[string, string?]> = [
      ['{not json'],
      ['{}'],
      ['{"text": 42}'],
      ['{"text": "   "}'],
      [JSON.stringify({ text: 'x'.repeat(1001) })],
      ['[]'],
      ['text=hello', 'application/x-www-form-urlencoded'],
    ];
    for (const [body, type] of cases) {
      const r = await postNote(token, body, type);
      expect(r.status, body).toBe(400);
      const json = await r.json();
      expect(json.error).toBe('invalid_request');
      expect(json.error_description).toEqual(expect.any(String));
    }
    expect(await (await getDb()).select().from(notes).where(eq(notes.userId, user.id))).toHaveLength(0);
  });

  it('refuses a client credentials token, which has no user: 401 invalid_token', async () => {
    const t = await fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': FORM, authorization: basic(app.clientId, app.secret) }, body: form({ grant_type: 'client_credentials', scope: 'read write' }) });
    const { access_token } = await t.json();
    const r = await fetch(`${srv.url}/api/notes`, { headers: bearer(access_token) });
    expect(r.status).toBe(401);
    expect((await r.json()).error).toBe('invalid_token');
  });

  it('answers 401 without a token and 405 for other methods', async () => {
    expect((await fetch(`${srv.url}/api/notes`)).status).toBe(401);
    expect((await fetch(`${srv.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' })).status).toBe(401);
    const del = await fetch(`${srv.url}/api/notes`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });
});

describe('withBearerRoute: the one-line guard for a Fetch-API route handler', () => {
  const GET = withBearerRoute({ scopes: ['read'] }, async (request, { user, scope }) => {
    const body = request.method === 'POST' ? await request.json() : null;
    return Response.json({ hi: user?.username, scope, body }, { headers: { 'x-custom': '1' } });
  });

  it('passes the user and the untouched request to the handler, and adds the application CORS headers', async () => {
    const user = await makeUser();
    const token = await userToken(user, 'read');
    const r = await GET(new Request('http://localhost/api/x', { method: 'POST', headers: { ...bearer(token), origin: 'http://spa.test:3000', 'content-type': 'application/json' }, body: '{"a":1}' }));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ hi: user.username, scope: ['read'], body: { a: 1 } });
    expect(r.headers.get('x-custom')).toBe('1');
    expect(r.headers.get('access-control-allow-origin')).toBe('http://spa.test:3000');
    expect(r.headers.get('vary')).toMatch(/Origin/);
  });

  it('answers the RFC 6750 errors itself', async () => {
    const none = await GET(new Request('http://localhost/api/x'));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="api", ${resourceMetadata()}`);
    const bad = await GET(new Request('http://localhost/api/x', { headers: bearer('nope') }));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const pre = await bearerPreflight(new Request('http://localhost/api/x', { method: 'OPTIONS', headers: { origin: 'http://spa.test:3000' } }));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://spa.test:3000');
  });
});
