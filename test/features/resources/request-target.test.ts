// The Connect panel's and the playground's requests for an application restricted to some scopes
// (lib/oauth/resources.ts requestTarget → lib/apps/snippets.ts): the authorization URL shown on the
// application's page works as copied, over real HTTP against the production door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, makeApp, makeUser, sessionCookie } from '@/test/helpers/fixtures';
import { redirectParams } from '@/test/helpers/codeflow';
import { getDb } from '@/lib/db';
import { resources } from '@/lib/db/schema';
import { builtInIdentifier, invalidateResources, requestTarget } from '@/lib/oauth/resources';
import { connectSnippets } from '@/lib/apps/snippets';
import { INTROSPECTION_SCOPE } from '@/lib/oauth/endpoints/introspect';
import { env } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
const ORDERS = 'https://orders.example.com/api';
beforeAll(async () => {
  srv = await startTestServer(settings);
  const db = await getDb();
  await db.insert(resources).values({ identifier: ORDERS, name: 'Orders', scopes: [{ name: 'orders:read', description: 'See your orders' }, { name: 'orders:write', description: 'Place orders' }] });
  await invalidateResources();
});
afterAll(async () => srv?.close());

const PKCE = { verifier: 'v'.repeat(43), challenge: 'c'.repeat(43), state: 'the-state' };

describe('RFC 8707 §2: the example requests name a resource the application may use', () => {
  it('RFC 8707 §2: an application allowed only another resource’s scope gets that resource and scope, and the copied authorization URL returns a code', async () => {
    const app = await makeApp({ skipAuthorization: true, allowedScopes: ['orders:read'], scopePolicy: 'refuse' });
    const target = await requestTarget(app);
    expect(target).toEqual({ resource: ORDERS, scopes: ['orders:read'] });
    const url = new URL(connectSnippets({ ...app, hasSecret: app.clientType === 'confidential' }, env().ISSUER, { scopes: target.scopes, introspectionScope: INTROSPECTION_SCOPE, resource: target.resource }).authorizeUrl(PKCE));
    const user = await makeUser();
    const r = await fetch(`${srv.url}${url.pathname}${url.search}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
    const params = redirectParams(r);
    expect(params.get('error')).toBeNull();
    expect(params.get('code')).toBeTruthy();
  });

  it('RFC 8707 §2: an unrestricted application gets the default resource with every one of its scopes; client credentials as shown are granted', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'], redirectUris: [] });
    const target = await requestTarget(app);
    expect(target.resource).toBe(builtInIdentifier());
    expect(target.scopes).toEqual(env().SCOPES);
    const snippets = connectSnippets({ ...app, hasSecret: app.clientType === 'confidential' }, env().ISSUER, { scopes: target.scopes, introspectionScope: INTROSPECTION_SCOPE, resource: target.resource });
    const form = snippets.request('client_credentials', { code: null, pkce: null, tokens: null }).form as [string, string][];
    const res = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
      body: new URLSearchParams(form),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scope: string };
    expect(body.scope).toBe('read');
  });
});
