// Resources (RFC 8707 resource indicators), per-application allowed scopes and RFC 9068 JWT access
// tokens, over real HTTP against the production door and a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, newVerifier, postToken, redirectParams } from '@/test/helpers/codeflow';
import { getDb } from '@/lib/db';
import { accessTokens, applications, authorizationCodes, refreshTokens, resources } from '@/lib/db/schema';
import { invalidateClient } from '@/lib/db/queries/clients';
import { invalidateResources, resourcesWithScope } from '@/lib/oauth/resources';
import { decideDevice, enterUserCode, loadDeviceConsent } from '@/lib/oauth/device';
import { sha256b64url } from '@/lib/oauth/random';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

let srv: TestServer;
const MCP = 'https://mcp.example.com/mcp';
const BILLING = 'https://billing.example.com/';
beforeAll(async () => {
  srv = await startTestServer(settings);
  const db = await getDb();
  await db.insert(resources).values([
    { identifier: MCP, name: 'MCP tools', scopes: [{ name: 'mcp:tools', description: 'Use the tools' }], accessTokenFormat: 'jwt', accessTokenLifetimeSeconds: 600 },
    { identifier: BILLING, name: 'Billing', scopes: [{ name: 'invoices', description: 'See your invoices' }, { name: 'pay', description: 'Pay invoices' }] },
  ]);
  await invalidateResources();
});
afterAll(async () => srv?.close());

const ccApp = (over: Parameters<typeof makeApp>[0] = {}) => makeApp({ grantTypes: ['client_credentials'], redirectUris: [], ...over });

/** POST /o/token/ with repeated parameters (`resource`), client_secret_basic. */
function tokenWith(pairs: [string, string][], app: { clientId: string; secret: string }) {
  return fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
    body: new URLSearchParams(pairs),
  });
}

/** POST to a form endpoint of ours with repeated parameters, client_secret_basic. */
function tokenWithPath(path: string, pairs: [string, string][], app: { clientId: string; secret: string }) {
  return fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
    body: new URLSearchParams(pairs),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const jwks = () => createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`));

/** A code for `user` on a skip-authorization app, with these query pairs added (repeats allowed). */
async function codeWith(app: { clientId: string }, user: Parameters<typeof sessionCookie>[0], extra: [string, string][]) {
  const verifier = newVerifier();
  const q = new URLSearchParams([
    ['response_type', 'code'],
    ['client_id', app.clientId],
    ['redirect_uri', POSTMAN_CALLBACK],
    ['code_challenge', s256(verifier)],
    ['code_challenge_method', 'S256'],
    ['state', 'st'],
    ...extra,
  ]);
  const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  return { params: redirectParams(r), verifier };
}

describe('RFC 8707 resource indicators', () => {
  it('RFC 8707 §2: an unknown resource is invalid_target at the token endpoint', async () => {
    const app = await ccApp();
    const body = await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['resource', 'https://nowhere.example/']], app), 400, 'invalid_target');
    expect(body.error_description).toMatch(/Unknown resource/);
  });

  it('RFC 8707 §2: a resource that is not an absolute URI, or has a fragment, is invalid_target', async () => {
    const app = await ccApp();
    for (const bad of ['/api', 'mcp.example.com', `${MCP}#frag`]) {
      await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['resource', bad]], app), 400, 'invalid_target');
    }
  });

  it('RFC 8707 §2: without resource the token is for the default resource (/api), opaque, with the default scopes', async () => {
    const app = await ccApp();
    const r = await tokenWith([['grant_type', 'client_credentials']], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.scope).toBe('read write');
    const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(row.audience).toEqual([`${srv.url}/api`]);
    expect((await fetch(`${srv.url}/api/hello`, { headers: bearer(body.access_token) })).status).toBe(200);
  });

  it('RFC 8707 §2: a repeated resource gives a token for both, with only their scopes', async () => {
    const app = await ccApp();
    const r = await tokenWith([['grant_type', 'client_credentials'], ['resource', BILLING], ['resource', `${srv.url}/api`], ['scope', 'invoices read']], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('invoices read');
    const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(row.audience).toEqual([BILLING, `${srv.url}/api`]);
  });

  it('RFC 8707 §2, RFC 8707 §3: the audience is only resources with a granted scope: a named resource that gets none of its scopes is invalid_target naming it, at the token, authorization and device authorization endpoints', async () => {
    const app = await ccApp();
    const cc = await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['resource', BILLING], ['resource', MCP], ['scope', 'invoices']], app), 400, 'invalid_target');
    expect(cc.error_description).toBe(`No scope was granted for the resource '${MCP}': request one of its scopes (mcp:tools) or leave the resource out (RFC 8707 section 2).`);
    // Narrowed away by the application's allowed scopes: the same refusal, not a token whose aud names MCP.
    const narrow = await ccApp({ allowedScopes: ['invoices'], scopePolicy: 'narrow' });
    await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['resource', BILLING], ['resource', MCP], ['scope', 'invoices mcp:tools']], narrow), 400, 'invalid_target');
    // Both scoped: both in the audience.
    const ok = await (await tokenWith([['grant_type', 'client_credentials'], ['resource', BILLING], ['resource', MCP], ['scope', 'invoices mcp:tools']], app)).json();
    const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(ok.access_token)));
    expect(row.audience).toEqual([BILLING, MCP]);

    const user = await makeUser();
    const web = await makeApp({ skipAuthorization: true });
    const { params } = await codeWith(web, user, [['resource', BILLING], ['resource', MCP], ['scope', 'invoices']]);
    expect(params.get('error')).toBe('invalid_target');
    expect(params.get('code')).toBeNull();

    const device = await makeApp({ grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], redirectUris: [] });
    await expectOAuthError(await tokenWithPath('/o/device-authorization/', [['resource', MCP], ['resource', BILLING], ['scope', 'invoices']], device), 400, 'invalid_target');
    // At consent, a resource whose scopes the user all unchecked leaves the code's resources.
    expect(await resourcesWithScope([BILLING, MCP], ['invoices', 'openid'])).toEqual([BILLING]);
    expect(await resourcesWithScope([], ['invoices'])).toEqual([]);
    // Without any resource parameter, OIDC scopes alone are still for the default resource.
    const plain = await codeWith(web, user, [['scope', 'openid']]);
    expect(plain.params.get('code')).toBeTruthy();
  });

  it('RFC 8707 §2: a scope of a resource that was not requested is invalid_scope', async () => {
    const app = await ccApp();
    const body = await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['scope', 'invoices']], app), 400, 'invalid_scope');
    expect(body.error_description).toContain(BILLING);
  });

  it('RFC 8707 §2: an unknown resource at authorize is invalid_target at the verified redirect URI', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const { params } = await codeWith(app, user, [['resource', 'https://nowhere.example/']]);
    expect(params.get('error')).toBe('invalid_target');
    expect(params.get('state')).toBe('st');
    const { params: frag } = await codeWith(app, user, [['resource', `${MCP}#x`]]);
    expect(frag.get('error')).toBe('invalid_target');
  });

  it('RFC 8707 §2: the code carries its resources; the token request may name some of them, not others', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const c = await codeWith(app, user, [['resource', BILLING], ['resource', `${srv.url}/api`], ['scope', 'invoices read']]);
    const code = c.params.get('code')!;
    const [row] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(code)));
    expect(row.resources).toEqual([BILLING, `${srv.url}/api`]);
    const pairs: [string, string][] = [['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', POSTMAN_CALLBACK], ['code_verifier', c.verifier]];

    const r = await tokenWith([...pairs, ['resource', BILLING]], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('invoices');
    const [at] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(at.audience).toEqual([BILLING]);
    // The refresh token keeps the whole grant (RFC 8707 §2.2).
    const [rt] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(body.refresh_token)));
    expect(rt).toMatchObject({ resources: [BILLING, `${srv.url}/api`], scope: 'invoices read' });
    // A token for BILLING only is not for /api.
    const api = await fetch(`${srv.url}/api/hello`, { headers: bearer(body.access_token) });
    expect(api.status).toBe(401);

    const c2 = await codeWith(app, user, [['resource', BILLING], ['scope', 'invoices']]);
    const other = await tokenWith(
      [['grant_type', 'authorization_code'], ['code', c2.params.get('code')!], ['redirect_uri', POSTMAN_CALLBACK], ['code_verifier', c2.verifier], ['resource', MCP]],
      app,
    );
    await expectOAuthError(other, 400, 'invalid_target');
  });

  it('RFC 8707 §2.2: a refresh may narrow the resources, never widen them', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const c = await codeWith(app, user, [['resource', BILLING], ['resource', `${srv.url}/api`], ['scope', 'invoices pay read']]);
    const first = await (
      await tokenWith([['grant_type', 'authorization_code'], ['code', c.params.get('code')!], ['redirect_uri', POSTMAN_CALLBACK], ['code_verifier', c.verifier]], app)
    ).json();
    expect(first.scope).toBe('invoices pay read');

    const widened = await tokenWith([['grant_type', 'refresh_token'], ['refresh_token', first.refresh_token], ['resource', MCP]], app);
    await expectOAuthError(widened, 400, 'invalid_target');
    // Refused before spending: the same refresh token still works.
    const r = await tokenWith([['grant_type', 'refresh_token'], ['refresh_token', first.refresh_token], ['resource', `${srv.url}/api`]], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('read');
    expect((await fetch(`${srv.url}/api/hello`, { headers: bearer(body.access_token) })).status).toBe(200);
    const [rt] = await (await getDb()).select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256b64url(body.refresh_token)));
    expect(rt.resources).toEqual([BILLING, `${srv.url}/api`]);

    // RFC 8707 §2, RFC 8707 §3: two resources named with a scope of only one is invalid_target naming the other, before spending.
    const both: [string, string][] = [['grant_type', 'refresh_token'], ['refresh_token', body.refresh_token], ['resource', BILLING], ['resource', `${srv.url}/api`]];
    const bare = await expectOAuthError(await tokenWith([...both, ['scope', 'invoices']], app), 400, 'invalid_target');
    expect(bare.error_description).toBe(`No scope was granted for the resource '${srv.url}/api': request one of its scopes (read write introspection) or leave the resource out (RFC 8707 section 2).`);
    const scoped = await tokenWith([...both, ['scope', 'invoices read']], app);
    const scopedBody = await scoped.json();
    expect(scoped.status, JSON.stringify(scopedBody)).toBe(200);
    const [at] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(scopedBody.access_token)));
    expect(at.audience).toEqual([BILLING, `${srv.url}/api`]);
    expect(scopedBody.scope).toBe('invoices read');

    // The same rule after the allowed scopes' narrowing ('narrow'): the owner later allowed only
    // invoices, so /api would keep no scope: invalid_target, not a token whose aud names it.
    const narrowing = await makeApp({ skipAuthorization: true, allowedScopes: ['invoices', 'read'], scopePolicy: 'narrow' });
    const c2 = await codeWith(narrowing, user, [['resource', BILLING], ['resource', `${srv.url}/api`], ['scope', 'invoices read']]);
    const t2 = await (
      await tokenWith([['grant_type', 'authorization_code'], ['code', c2.params.get('code')!], ['redirect_uri', POSTMAN_CALLBACK], ['code_verifier', c2.verifier]], narrowing)
    ).json();
    await (await getDb()).update(applications).set({ allowedScopes: ['invoices'] }).where(eq(applications.id, narrowing.id));
    await invalidateClient(narrowing.clientId);
    const narrowed: [string, string][] = [['grant_type', 'refresh_token'], ['refresh_token', t2.refresh_token], ['resource', BILLING], ['resource', `${srv.url}/api`], ['scope', 'invoices read']];
    await expectOAuthError(await tokenWith(narrowed, narrowing), 400, 'invalid_target');
  });
});

describe('RFC 8707 at the device authorization endpoint', () => {
  it('RFC 8707 §2: the device code carries its resources; an unknown one is invalid_target; the poll may name some of them', async () => {
    const app = await makeApp({ grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], redirectUris: [] });
    const start = (pairs: [string, string][]) => tokenWithPath('/o/device-authorization/', pairs, app);
    await expectOAuthError(await start([['resource', 'https://nowhere.example/']]), 400, 'invalid_target');
    const d = await (await start([['resource', MCP], ['resource', BILLING], ['scope', 'mcp:tools invoices']])).json();
    const user = await makeUser();
    expect((await enterUserCode({ userId: user.id, ip: '192.0.2.77' }, d.user_code)).ok).toBe(true);
    // The approval page shows the scopes as the consent screen does: grouped by resource, each with its sentence.
    const consent = await loadDeviceConsent(user.id, d.user_code);
    expect(consent!.groups.map((g) => [g.title, g.host, g.scopes.map((x) => [x.name, x.description])])).toEqual([
      ['MCP tools', 'mcp.example.com', [['mcp:tools', 'Use the tools']]],
      ['Billing', 'billing.example.com', [['invoices', 'See your invoices']]],
    ]);
    expect((await decideDevice({ userId: user.id, ip: '192.0.2.77' }, d.user_code, 'approve')).ok).toBe(true);
    const r = await tokenWith([['grant_type', 'urn:ietf:params:oauth:grant-type:device_code'], ['device_code', d.device_code], ['resource', BILLING]], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('invoices');
    const [at] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(at.audience).toEqual([BILLING]);
  });
});

describe('per-application allowed scopes', () => {
  it("allowed scopes 'refuse': a scope outside them is invalid_scope naming it", async () => {
    const app = await ccApp({ allowedScopes: ['read'], scopePolicy: 'refuse' });
    const body = await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['scope', 'read write']], app), 400, 'invalid_scope');
    expect(body.error_description).toContain('write');
    const ok = await (await tokenWith([['grant_type', 'client_credentials'], ['scope', 'read']], app)).json();
    expect(ok.scope).toBe('read');
  });

  it("allowed scopes 'narrow': other scopes are dropped and RFC 6749 §5.1 scope says what was granted", async () => {
    const app = await ccApp({ allowedScopes: ['read'], scopePolicy: 'narrow' });
    const r = await tokenWith([['grant_type', 'client_credentials'], ['scope', 'read write']], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('read');
    await expectOAuthError(await tokenWith([['grant_type', 'client_credentials'], ['scope', 'write']], app), 400, 'invalid_scope');
  });

  it("allowed scopes at authorize: 'refuse' is invalid_scope at the redirect URI, 'narrow' narrows the code", async () => {
    const user = await makeUser();
    const refusing = await makeApp({ skipAuthorization: true, allowedScopes: ['read'], scopePolicy: 'refuse' });
    const { params } = await codeWith(refusing, user, [['scope', 'read write']]);
    expect(params.get('error')).toBe('invalid_scope');
    const narrowing = await makeApp({ skipAuthorization: true, allowedScopes: ['read'], scopePolicy: 'narrow' });
    const c = await codeWith(narrowing, user, [['scope', 'openid read write']]);
    const r = await postToken(srv, { grant_type: 'authorization_code', code: c.params.get('code')!, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier }, creds(narrowing));
    expect((await r.json()).scope).toBe('openid read');
  });
});

describe('RFC 9068 JWT access tokens', () => {
  it('RFC 9068 §2: a JWT resource gets a signed at+jwt with iss, sub, aud, client_id, scope, jti, exp, iat, verified with jose against the JWKS', async () => {
    const app = await ccApp();
    const r = await tokenWith([['grant_type', 'client_credentials'], ['resource', MCP]], app);
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.expires_in).toBe(600); // the resource's lifetime
    expect(body.scope).toBe('mcp:tools');
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await jwtVerify(body.access_token, jwks(), { issuer: srv.url, audience: MCP, typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: srv.url, aud: MCP, sub: app.clientId, client_id: app.clientId, scope: 'mcp:tools' });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Stored as its SHA-256, like an opaque token.
    const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(row.audience).toEqual([MCP]);
  });

  it('RFC 9068 §2.2: a JWT from the code flow has the user as sub and auth_time', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true });
    const c = await codeWith(app, user, [['resource', MCP], ['scope', 'mcp:tools']]);
    const r = await postToken(srv, { grant_type: 'authorization_code', code: c.params.get('code')!, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier }, creds(app));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.expires_in).toBe(600);
    const { payload } = await jwtVerify(body.access_token, jwks(), { issuer: srv.url, audience: MCP, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: user.id, client_id: app.clientId, scope: 'mcp:tools', auth_time: expect.any(Number) });
    const [row] = await (await getDb()).select().from(accessTokens).where(eq(accessTokens.tokenHash, sha256b64url(body.access_token)));
    expect(row.audience).toEqual([MCP]);
    // Refreshing gives another JWT for the same resource.
    const again = await (await postToken(srv, { grant_type: 'refresh_token', refresh_token: body.refresh_token }, creds(app))).json();
    expect(decodeProtectedHeader(again.access_token).typ).toBe('at+jwt');
  });

  it('RFC 7662 and RFC 7009: a JWT access token is introspected, then revoked, then inactive', async () => {
    const app = await ccApp();
    const rs = await ccApp();
    const body = await (await tokenWith([['grant_type', 'client_credentials'], ['resource', MCP]], app)).json();
    const introspect = async () =>
      (
        await fetch(`${srv.url}/o/introspect/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(rs.clientId, rs.secret) },
          body: form({ token: body.access_token }),
        })
      ).json();
    expect(await introspect()).toMatchObject({ active: true, aud: MCP, scope: 'mcp:tools', client_id: app.clientId, sub: app.clientId });
    const revoked = await fetch(`${srv.url}/o/revoke_token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.clientId, app.secret) },
      body: form({ token: body.access_token }),
    });
    expect(revoked.status).toBe(200);
    expect(await introspect()).toEqual({ active: false });
  });

  it('RFC 9068 §4: /api refuses a token for another audience with 401 invalid_token, JWT or opaque', async () => {
    const app = await ccApp();
    for (const resource of [MCP, BILLING]) {
      const body = await (await tokenWith([['grant_type', 'client_credentials'], ['resource', resource]], app)).json();
      const r = await fetch(`${srv.url}/api/hello`, { headers: bearer(body.access_token) });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/invalid_token/);
    }
  });
});

describe('discovery', () => {
  it('RFC 8414 §2: scopes_supported lists every resource’s scopes and the OIDC scopes', async () => {
    const m = await (await fetch(`${srv.url}/.well-known/openid-configuration`)).json();
    expect(m.scopes_supported).toEqual(expect.arrayContaining(['read', 'write', 'introspection', 'mcp:tools', 'invoices', 'pay', 'openid', 'profile', 'email']));
  });
});
