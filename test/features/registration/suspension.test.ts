// Staff suspension of an application (applications.suspended_at): the one notion of a suspended
// client (lib/db/queries/clients.ts appSuspended) is refused at the token endpoint, the
// authorization endpoint and by its tokens, like the client of a deactivated owner; unsuspending
// restores it. Self-registered clients show in the staff's list without an owner, marked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { startDocumentServer, type DocumentServer } from '@/test/helpers/document-server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { expectOAuthError, getAuthorize, newVerifier, postToken } from '@/test/helpers/codeflow';
import { withSettings } from '@/test/helpers/settings';
import { s256 } from '@/lib/oauth/pkce';
import * as admin from '@/lib/admin/service';
import type { StaffActor } from '@/lib/admin/service';
import { parseAppFilters } from '@/lib/admin/schema';
import { DOCUMENT_PORTS, settings } from './settings';

let srv: TestServer;
let docs: DocumentServer;
let staff: StaffActor;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, REGISTRATION: 'open' });
  docs = await startDocumentServer(DOCUMENT_PORTS.suspension);
  const s = await makeUser({ isStaff: true });
  staff = { id: s.id, isStaff: true, ip: '192.0.2.1' };
});
afterAll(async () => {
  await docs?.close();
  await srv?.close();
});

const authorizeParams = (clientId: string, verifier = newVerifier()) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: POSTMAN_CALLBACK,
  code_challenge: s256(verifier),
  code_challenge_method: 'S256',
});

async function expectSuspendedPage(r: Response) {
  const html = await r.text();
  expect(r.status, html.slice(0, 200)).toBe(403);
  expect(r.headers.get('location')).toBeNull();
  expect(html).toMatch(/Application suspended/);
  expect(html).toMatch(/suspended by the administrators/);
}

describe('staff suspension refuses a client everywhere, and unsuspending restores it', () => {
  it('RFC 6749 §5.2: a suspended client gets invalid_client at the token endpoint, an error page at authorize, and its access token is refused; unsuspended, all work again', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const cc = async () => postToken(srv, { grant_type: 'client_credentials', scope: 'read' }, { id: app.clientId, secret: app.secret });
    const before = await cc();
    expect(before.status).toBe(200);
    const { access_token } = await before.json();
    const hello = () => fetch(`${srv.url}/api/hello`, { headers: { authorization: `Bearer ${access_token}` } });
    expect((await hello()).status).toBe(200);

    expect(await admin.setApplicationSuspended(staff, app.id, true)).toEqual({ name: app.name });
    const refused = await expectOAuthError(await cc(), 401, 'invalid_client');
    expect(refused.error_description).toBe('This application is suspended.');
    await expectSuspendedPage(await getAuthorize(srv, authorizeParams(app.clientId), await sessionCookie(user)));
    const api = await hello();
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expect((await admin.getApplicationForAdmin(staff, app.id)).suspended).toBe(true);

    await admin.setApplicationSuspended(staff, app.id, false);
    expect((await cc()).status).toBe(200);
    expect((await hello()).status).toBe(200);
    expect((await getAuthorize(srv, authorizeParams(app.clientId), await sessionCookie(user))).status).toBe(302);
  });

  it('only staff can suspend: anyone else is told the application does not exist', async () => {
    const app = await makeApp();
    const user = await makeUser();
    await expect(admin.setApplicationSuspended({ id: user.id, isStaff: true }, app.id, true)).rejects.toThrow();
    expect((await admin.getApplicationForAdmin(staff, app.id)).suspended).toBe(false);
  });

  it('a suspended metadata-document client stays suspended when its document is fetched again', async () => {
    await withSettings({ limits: { clientMetadataMinCacheSeconds: 0 } }, async () => {
      const clientId = docs.json('/suspended.json', (url) => ({ client_id: url, redirect_uris: [POSTMAN_CALLBACK], token_endpoint_auth_method: 'none' }), { 'cache-control': 'no-store' });
      const cookie = await sessionCookie(await makeUser());
      expect((await getAuthorize(srv, authorizeParams(clientId), cookie)).status).toBe(302);
      const found = await admin.listApplications(staff, parseAppFilters({ q: clientId }));
      expect(found.rows).toHaveLength(1);
      await admin.setApplicationSuspended(staff, found.rows[0]!.id, true);
      await expectSuspendedPage(await getAuthorize(srv, authorizeParams(clientId), cookie));
      expect(docs.hits('/suspended.json')).toBeGreaterThanOrEqual(2);
    });
  });

  it('the staff list shows self-registered clients (RFC 7591, metadata document) without an owner, with how they registered', async () => {
    const r = await fetch(`${srv.url}/o/register/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Listed DCR', redirect_uris: ['http://127.0.0.1/cb'] }) });
    expect(r.status).toBe(201);
    const { client_id } = await r.json();
    const { rows } = await admin.listApplications(staff, parseAppFilters({ q: client_id }));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Listed DCR', ownerUsername: null, registrationMethod: 'dynamic', suspended: false, suspendedAt: null });
  });
});
