// RFC 6749 §4.4: the client credentials grant, over real HTTP against the production door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp } from '@/test/helpers/fixtures';
import { getDb } from '@/lib/db';
import { accessTokens, refreshTokens } from '@/lib/db/schema';
import { sha256b64url } from '@/lib/oauth/random';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const FORM = 'application/x-www-form-urlencoded';

function token(body: Record<string, string | undefined>, headers: Record<string, string> = {}) {
  return fetch(`${srv.url}/o/token/`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body: form(body) });
}

const ccApp = (over: Parameters<typeof makeApp>[0] = {}) => makeApp({ grantTypes: ['client_credentials'], redirectUris: [], ...over });

describe('client credentials grant (RFC 6749 §4.4)', () => {
  it('issues an access token and no refresh token to a confidential client using HTTP Basic (§4.4.3)', async () => {
    const app = await ccApp();
    const r = await token({ grant_type: 'client_credentials' }, { authorization: basic(app.clientId, app.secret) });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read write', expires_in: expect.any(Number) });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // "A refresh token SHOULD NOT be included."
    expect(body).not.toHaveProperty('refresh_token');
    const db = await getDb();
    const [row] = await db.select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(row).toMatchObject({ applicationId: app.id, userId: null, grantType: 'client_credentials', scope: 'read write', familyId: null, revokedAt: null });
    expect(await db.select().from(refreshTokens).where(eq(refreshTokens.applicationId, app.id))).toHaveLength(0);
  });

  it('accepts client_secret_post (§2.3.1)', async () => {
    const app = await ccApp();
    const r = await token({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.secret, scope: 'read' });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('read');
  });

  it('accepts a secret stored unhashed', async () => {
    const app = await ccApp({ secretHashed: false });
    const r = await token({ grant_type: 'client_credentials' }, { authorization: basic(app.clientId, app.secret) });
    expect(r.status).toBe(200);
  });

  it('refuses a public client, which has no credentials (§4.4: "MUST only be used by confidential clients")', async () => {
    const app = await ccApp({ clientType: 'public' });
    for (const body of [
      { grant_type: 'client_credentials', client_id: app.clientId },
      { grant_type: 'client_credentials', client_id: app.clientId, client_secret: '' },
    ]) {
      const r = await token(body);
      // RFC 6749 §5.2: no Authorization header, so 400 and no challenge.
      expect(r.status).toBe(400);
      expect(r.headers.get('www-authenticate')).toBeNull();
      expect((await r.json()).error).toBe('invalid_client');
    }
    const db = await getDb();
    expect(await db.select().from(accessTokens).where(eq(accessTokens.applicationId, app.id))).toHaveLength(0);
  });

  it('refuses a wrong secret with 401 invalid_client and a Basic challenge (§5.2)', async () => {
    const app = await ccApp();
    const r = await token({ grant_type: 'client_credentials' }, { authorization: basic(app.clientId, app.secret + 'x') });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await r.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('refuses an application that does not have the grant with unauthorized_client (§5.2)', async () => {
    const app = await makeApp(); // authorization_code + refresh_token only
    const r = await token({ grant_type: 'client_credentials' }, { authorization: basic(app.clientId, app.secret) });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('unauthorized_client');
  });

  it('limits the scope to the scopes the server offers (§3.3)', async () => {
    const app = await ccApp();
    const auth = { authorization: basic(app.clientId, app.secret) };
    const unknown = await token({ grant_type: 'client_credentials', scope: 'read admin' }, auth);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toBe('invalid_scope');
    // No user, so no identity scopes.
    const oidc = await token({ grant_type: 'client_credentials', scope: 'openid read' }, auth);
    expect(oidc.status).toBe(400);
    expect((await oidc.json()).error).toBe('invalid_scope');
    const ok = await token({ grant_type: 'client_credentials', scope: 'introspection' }, auth);
    expect(ok.status).toBe(200);
    expect((await ok.json()).scope).toBe('introspection');
  });

  it('gives a token the protected API accepts, greeting the application', async () => {
    const app = await ccApp();
    const t = await (await token({ grant_type: 'client_credentials', scope: 'read' }, { authorization: basic(app.clientId, app.secret) })).json();
    const r = await fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${t.access_token}` } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ message: `Hello, application ${app.clientId}!`, username: null, client_id: app.clientId, scope: 'read' });
  });
});
