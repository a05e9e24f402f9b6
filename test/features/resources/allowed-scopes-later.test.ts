// The application's allowed scopes hold for every token issued, also from a grant made before the
// owner narrowed them: a refresh token or an approved device code cannot bring a removed scope back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, newVerifier, postToken, redirectParams } from '@/test/helpers/codeflow';
import { getDb } from '@/lib/db';
import { applications } from '@/lib/db/schema';
import { invalidateClient } from '@/lib/db/queries/clients';
import { decideDevice, enterUserCode } from '@/lib/oauth/device';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

/** The owner changes the application's allowed scopes (as the form does) after the grant. */
async function narrowTo(app: { id: number; clientId: string }, allowedScopes: string[], scopePolicy: 'refuse' | 'narrow') {
  await (await getDb()).update(applications).set({ allowedScopes, scopePolicy }).where(eq(applications.id, app.id));
  await invalidateClient(app.clientId);
}

/** Code flow on a skip-authorization app for `scope`: the token response. */
async function tokensFor(app: Awaited<ReturnType<typeof makeApp>>, scope: string) {
  const user = await makeUser();
  const verifier = newVerifier();
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 's', scope });
  const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  const code = redirectParams(r).get('code')!;
  const t = await postToken(srv, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier }, creds(app));
  const body = await t.json();
  expect(t.status, JSON.stringify(body)).toBe(200);
  return body as { refresh_token: string; scope: string };
}

/** A device code approved by a user for `scope`. */
async function approvedDeviceCode(app: Awaited<ReturnType<typeof makeApp>>, scope: string) {
  const r = await fetch(`${srv.url}/o/device-authorization/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: app.clientId, client_secret: app.secret, scope }),
  });
  const d = await r.json();
  expect(r.status, JSON.stringify(d)).toBe(200);
  const user = await makeUser();
  expect((await enterUserCode({ userId: user.id, ip: '192.0.2.9' }, d.user_code)).ok).toBe(true);
  expect((await decideDevice({ userId: user.id, ip: '192.0.2.9' }, d.user_code, 'approve')).ok).toBe(true);
  return d.device_code as string;
}

describe('allowed scopes narrowed after the grant', () => {
  it("RFC 6749 §6: a refresh after the owner removed a scope under 'refuse' is invalid_scope, not spent; a narrower scope is then issued", async () => {
    const app = await makeApp({ skipAuthorization: true });
    const first = await tokensFor(app, 'openid read write');
    expect(first.scope).toBe('openid read write');
    await narrowTo(app, ['read'], 'refuse');
    const refused = await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, creds(app));
    await expectOAuthError(refused, 400, 'invalid_scope');
    // Not spent: the client may ask for the scopes it is still allowed.
    const r = await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'openid read' }, creds(app));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('openid read');
  });

  it("RFC 6749 §6: a refresh after the owner removed a scope under 'narrow' gets an access token without it", async () => {
    const app = await makeApp({ skipAuthorization: true });
    const first = await tokensFor(app, 'openid read write');
    await narrowTo(app, ['read'], 'narrow');
    const r = await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, creds(app));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('openid read');
  });

  it("allowed scopes 'narrow' with nothing of the grant left: the refresh is invalid_scope", async () => {
    const app = await makeApp({ skipAuthorization: true });
    const first = await tokensFor(app, 'write');
    await narrowTo(app, ['read'], 'narrow');
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, creds(app)), 400, 'invalid_scope');
  });

  it("RFC 8628 §3.5: a device code approved before the owner removed a scope: 'refuse' is invalid_scope, 'narrow' drops it", async () => {
    const refusing = await makeApp({ grantTypes: [DEVICE], redirectUris: [] });
    const code = await approvedDeviceCode(refusing, 'read write');
    await narrowTo(refusing, ['read'], 'refuse');
    await expectOAuthError(await postToken(srv, { grant_type: DEVICE, device_code: code }, creds(refusing)), 400, 'invalid_scope');

    const narrowing = await makeApp({ grantTypes: [DEVICE], redirectUris: [] });
    const code2 = await approvedDeviceCode(narrowing, 'read write');
    await narrowTo(narrowing, ['read'], 'narrow');
    const r = await postToken(srv, { grant_type: DEVICE, device_code: code2 }, creds(narrowing));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('read');
  });
});
