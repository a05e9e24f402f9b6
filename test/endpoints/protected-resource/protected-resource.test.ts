// Protected resource metadata (RFC 9728): the built-in resource ISSUER/api's document at its
// well-known paths, the resource_metadata parameter of every Bearer challenge of /api/*, and
// `protectedResource`, which gives a route of the app the same (its document, its challenges, and
// only tokens for it: RFC 8707 §2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp } from '@/test/helpers/fixtures';
import { pathFor, urlFor } from '@/lib/oauth/paths';
import { protectedResourceMetadataUrl } from '@/lib/oauth/protected-resource';
import { bearerPreflight, protectedResource, withBearerRoute } from '@/lib/oauth/endpoint';
import { findResourceRow, insertResource, updateResource } from '@/lib/db/queries/resources';
import { invalidateResources } from '@/lib/oauth/resources';
import { settings } from './settings';

let srv: TestServer;
let app: Awaited<ReturnType<typeof makeApp>>;
beforeAll(async () => {
  srv = await startTestServer(settings);
  app = await makeApp({ grantTypes: ['client_credentials'] });
});
afterAll(async () => srv?.close());

const METADATA_PATHS = ['/.well-known/oauth-protected-resource/api'];
/** RFC 9728 §3.3: the bare path would describe a resource `ISSUER`, which is not one: not served. */
const BARE_PATH = '/.well-known/oauth-protected-resource';

/** A client-credentials access token with `scope`, for `resource` (RFC 8707; default: the default resource). */
async function token(scope: string, resource?: string): Promise<string> {
  const r = await fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
    body: form({ grant_type: 'client_credentials', scope, ...(resource ? { resource } : {}) }),
  });
  expect(r.status).toBe(200);
  return (await r.json()).access_token;
}

/** The auth-params of a Bearer challenge (RFC 9110 §11.2: name=quoted-string, comma separated). */
function challengeParams(header: string | null): Record<string, string> {
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe("the built-in resource's metadata document (RFC 9728 §3)", () => {
  it('RFC 9728 §3.1, §3.2: ISSUER/api\'s metadata is served at the well-known path with /api appended (RFC 9728 §3.3: not at the bare path, whose resource would be ISSUER): resource, authorization_servers, scopes_supported (the built-in resource\'s: SCOPES), bearer_methods_supported, resource_name, as JSON', async () => {
    expect(pathFor('protected_resource_metadata')).toBe(METADATA_PATHS[0]);
    expect((await fetch(`${srv.url}${BARE_PATH}`)).status).toBe(404);
    for (const p of METADATA_PATHS) {
      const r = await fetch(`${srv.url}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await r.json()).toEqual({
        resource: `${srv.url}/api`,
        authorization_servers: [srv.url],
        scopes_supported: ['read', 'write'], // not introspection: it is for this server's introspection endpoint
        bearer_methods_supported: ['header'],
        resource_name: 'API',
      });
    }
  });

  it("RFC 9728 §2: resource_name is the built-in resource's row (staff may rename it): the document follows a change of the resources", async () => {
    const row = (await findResourceRow(`${srv.url}/api`))!;
    const values = { identifier: row.identifier, name: row.name, scopes: row.scopes, accessTokenFormat: row.accessTokenFormat, accessTokenLifetimeSeconds: row.accessTokenLifetimeSeconds };
    await updateResource(row.id, { ...values, name: 'Example API' });
    await invalidateResources();
    try {
      const doc = await (await fetch(`${srv.url}${METADATA_PATHS[0]}`)).json();
      expect(doc.resource_name).toBe('Example API');
      expect(doc.resource).toBe(`${srv.url}/api`);
    } finally {
      await updateResource(row.id, values);
      await invalidateResources();
    }
    expect((await (await fetch(`${srv.url}${METADATA_PATHS[0]}`)).json()).resource_name).toBe('API');
  });

  it('RFC 9728 §3.3: the document at the location derived from its resource (§3.1) names that same resource', async () => {
    const doc = await (await fetch(`${srv.url}${METADATA_PATHS[0]}`)).json();
    expect(protectedResourceMetadataUrl(doc.resource)).toBe(urlFor('protected_resource_metadata', srv.url));
  });

  it('RFC 9728 §3: the document is public and cacheable: any origin may read it (CORS *), HEAD has no content, other methods get 405', async () => {
    const r = await fetch(`${srv.url}${METADATA_PATHS[0]}`, { headers: { origin: 'https://agent.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    const pre = await fetch(`${srv.url}${METADATA_PATHS[0]}`, { method: 'OPTIONS', headers: { origin: 'https://agent.example', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const head = await fetch(`${srv.url}${METADATA_PATHS[0]}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${srv.url}${METADATA_PATHS[0]}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('the resource_metadata parameter of /api/* challenges (RFC 9728 §5.1)', () => {
  it('RFC 9728 §5.1: every 401 and 403 of /api/hello and /api/notes names the metadata URL, alongside realm and the RFC 6750 error', async () => {
    const read = await token('read');
    const cases: Array<{ path: string; init: RequestInit; status: number; error?: string }> = [
      { path: '/api/hello', init: {}, status: 401 },
      { path: '/api/hello', init: { headers: { authorization: 'Bearer unknown-token' } }, status: 401, error: 'invalid_token' },
      { path: '/api/hello', init: { headers: { authorization: `Bearer ${await token('write')}` } }, status: 403, error: 'insufficient_scope' },
      { path: '/api/notes', init: {}, status: 401 },
      // A client-credentials token has no user; /api/notes needs one.
      { path: '/api/notes', init: { headers: { authorization: `Bearer ${read}` } }, status: 401, error: 'invalid_token' },
      { path: '/api/notes', init: { method: 'POST', headers: { authorization: `Bearer ${read}`, 'content-type': 'application/json' }, body: '{}' }, status: 403, error: 'insufficient_scope' },
    ];
    for (const c of cases) {
      const r = await fetch(`${srv.url}${c.path}`, c.init);
      const what = `${c.init.method ?? 'GET'} ${c.path} ${c.error ?? 'no token'}`;
      expect(r.status, what).toBe(c.status);
      const params = challengeParams(r.headers.get('www-authenticate'));
      expect(params.realm, what).toBe('api');
      expect(params.error, what).toBe(c.error);
      expect(params.resource_metadata, what).toBe(`${srv.url}/.well-known/oauth-protected-resource/api`);
    }
  });

  it('RFC 9728 §5.1: the metadata URL of a 401 serves the document of the resource that answered, naming this server as its authorization server', async () => {
    const r = await fetch(`${srv.url}/api/hello`);
    const doc = await (await fetch(challengeParams(r.headers.get('www-authenticate')).resource_metadata)).json();
    expect(doc.resource).toBe(`${srv.url}/api`);
    expect(doc.authorization_servers).toEqual([srv.url]);
    // RFC 8414 §3: the authorization server's own metadata is where the client goes next.
    const as = await (await fetch(`${doc.authorization_servers[0]}/.well-known/oauth-authorization-server`)).json();
    expect(as.issuer).toBe(srv.url);
  });

  it('RFC 9728 §5.1: other endpoints that take a bearer token are not the resource and name no resource metadata (UserInfo, introspection)', async () => {
    const userinfo = await fetch(`${srv.url}/o/userinfo/`);
    expect(userinfo.headers.get('www-authenticate')).toBe('Bearer realm="userinfo"');
    const introspect = await fetch(`${srv.url}/o/introspect/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer unknown' }, body: 'token=x' });
    expect(introspect.headers.get('www-authenticate')).not.toMatch(/resource_metadata/);
  });
});

describe('protectedResource and withBearerRoute: a route of the app as a protected resource', () => {
  const reports = protectedResource({ identifier: '/reports', scopes: ['read'], name: 'Reports' });
  const GET = reports.withBearer({ scopes: ['read'] }, async (_request, { scope }) => Response.json({ scope }));

  it("RFC 9728 §3.2: protectedResource's metadata route answers the resource's document under ISSUER, public and cacheable", async () => {
    const r = await reports.metadata.GET(new Request('http://localhost/.well-known/oauth-protected-resource/reports', { headers: { origin: 'https://agent.example' } }));
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await r.json()).toEqual({ resource: `${srv.url}/reports`, authorization_servers: [srv.url], scopes_supported: ['read'], bearer_methods_supported: ['header'], resource_name: 'Reports' });
    const head = await reports.metadata.HEAD(new Request('http://localhost/x', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await reports.metadata.POST(new Request('http://localhost/x', { method: 'POST' }))).status).toBe(405);
    expect(reports.describe().identifier).toBe(`${srv.url}/reports`);
  });

  it("RFC 9728 §5.1: protectedResource's bearer check names its own metadata URL (the §3.1 location of its identifier) in every challenge", async () => {
    const none = await GET(new Request('http://localhost/reports'));
    expect(none.status).toBe(401);
    expect(challengeParams(none.headers.get('www-authenticate')).resource_metadata).toBe(`${srv.url}/.well-known/oauth-protected-resource/reports`);
    const bad = await GET(new Request('http://localhost/reports', { headers: { authorization: 'Bearer nope' } }));
    expect(challengeParams(bad.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', resource_metadata: `${srv.url}/.well-known/oauth-protected-resource/reports` });
    expect((await bearerPreflight(new Request('http://localhost/reports', { method: 'OPTIONS' }))).status).toBe(204);
  });

  it('RFC 8707 §2, RFC 9068 §4: a token for the default resource ISSUER/api is refused by another resource (401 invalid_token), whatever its scopes, and accepted by withBearerRoute', async () => {
    const t = await token('read write');
    const elsewhere = await GET(new Request('http://localhost/reports', { headers: { authorization: `Bearer ${t}` } }));
    expect(elsewhere.status).toBe(401);
    expect(challengeParams(elsewhere.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', error_description: 'The access token is not for this resource.' });
    const api = withBearerRoute({ scopes: ['read'] }, async () => Response.json({ ok: true }));
    const here = await api(new Request('http://localhost/api/things', { headers: { authorization: `Bearer ${t}` } }));
    expect(here.status).toBe(200);
    expect(await here.json()).toEqual({ ok: true });
    // The built-in /api itself accepts it.
    expect((await fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(200);
  });

  it('RFC 8707 §2: once its identifier is registered as a resource, a token for it is accepted by protectedResource and refused by /api and withBearerRoute', async () => {
    const identifier = `${srv.url}/reports`;
    await insertResource({ identifier, name: 'Reports', scopes: [{ name: 'reports:read', description: 'Read reports' }], accessTokenFormat: 'opaque', accessTokenLifetimeSeconds: null });
    await invalidateResources();
    const ownScope = protectedResource({ identifier: '/reports', scopes: ['reports:read'] }).withBearer({ scopes: ['reports:read'] }, async (_r, { audience, scope }) => Response.json({ audience, scope }));
    const t = await token('reports:read', identifier);
    const ok = await ownScope(new Request('http://localhost/reports', { headers: { authorization: `Bearer ${t}` } }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ audience: [identifier], scope: ['reports:read'] });
    const api = await fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${t}` } });
    expect(api.status).toBe(401);
    expect(challengeParams(api.headers.get('www-authenticate'))).toMatchObject({ error: 'invalid_token', resource_metadata: `${srv.url}/.well-known/oauth-protected-resource/api` });
    const mine = withBearerRoute({}, async () => Response.json({ ok: true }));
    expect((await mine(new Request('http://localhost/api/things', { headers: { authorization: `Bearer ${t}` } }))).status).toBe(401);
  });
});
