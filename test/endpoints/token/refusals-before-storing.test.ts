// Every check that can refuse an issuance runs before anything is stored, in the token store's one
// statement (lib/oauth/store.ts): an inactive user, or an ID token that cannot be signed, used to be
// found by attachIdToken after the code was spent and the tokens saved (issue 13). Each test checks
// the tables, not only the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { form, makeApp, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, exchange, expectOAuthError, obtainCode, postToken } from '@/test/helpers/codeflow';
import { query, sql } from '@/lib/db';
import { invalidateClient } from '@/lib/db/queries/clients';
import { sha256b64url } from '@/lib/oauth/random';
import { decideDevice, enterUserCode } from '@/lib/oauth/device';
import { GRANT_DEVICE_CODE } from '@/lib/oauth/grants/catalogue';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

async function stored(appId: number) {
  const [r] = await query<{ access: number; refresh: number }>(sql`
    SELECT (SELECT count(*) FROM access_tokens WHERE application_id = ${appId})::int AS access,
           (SELECT count(*) FROM refresh_tokens WHERE application_id = ${appId})::int AS refresh`);
  return r;
}
const deactivate = (userId: string) => query(sql`UPDATE users SET is_active = false WHERE id = ${userId}`);

/** A device code approved by `user` for the public device client `app`. */
async function approvedDeviceCode(app: { clientId: string }, user: { id: string }, scope: string) {
  const r = await fetch(`${srv.url}/o/device-authorization/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ client_id: app.clientId, scope }),
  });
  const d = await r.json();
  expect(r.status, JSON.stringify(d)).toBe(200);
  expect((await enterUserCode({ userId: user.id, ip: '192.0.2.10' }, d.user_code)).ok).toBe(true);
  expect(await decideDevice({ userId: user.id, ip: '192.0.2.10' }, d.user_code, 'approve')).toEqual({ ok: true, decision: 'approved' });
  return d.device_code as string;
}
const poll = (app: { clientId: string }, deviceCode: string) => postToken(srv, { grant_type: GRANT_DEVICE_CODE, device_code: deviceCode, client_id: app.clientId });
const deviceStatus = async (deviceCode: string) =>
  (await query<{ status: string }>(sql`SELECT status FROM device_codes WHERE device_code_hash = ${sha256b64url(deviceCode)}`))[0].status;

describe('an inactive user is refused before any token is stored', () => {
  it("OIDC Core §3.1.3.3 / RFC 6749 §5.2: an inactive user's code is refused and no token is stored", async () => {
    for (const scope of ['openid read', 'read']) {
      const user = await makeUser();
      const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
      const c = await obtainCode(srv, app, user, { scope });
      await deactivate(user.id); // in the database directly: the code is not voided
      const body = await expectOAuthError(await exchange(srv, app, c), 400, 'invalid_grant');
      expect(body.error_description, scope).toBe('The user account is inactive.');
      expect(await stored(app.id), scope).toEqual({ access: 0, refresh: 0 });
      // The code is spent all the same.
      const [code] = await query<{ used: boolean }>(sql`SELECT consumed_at IS NOT NULL AS used FROM authorization_codes WHERE code_hash = ${sha256b64url(c.code)}`);
      expect(code.used).toBe(true);
    }
  });

  it("OIDC Core §12.2 / RFC 6749 §5.2: an inactive user's refresh token is refused, not spent, and no token is stored", async () => {
    for (const scope of ['openid read', 'read']) {
      const user = await makeUser();
      const app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
      const c = await obtainCode(srv, app, user, { scope });
      const t = await (await exchange(srv, app, c)).json();
      expect(t.refresh_token, scope).toBeTruthy();
      await deactivate(user.id);
      const body = await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, creds(app)), 400, 'invalid_grant');
      expect(body.error_description, scope).toBe('The user account is inactive.');
      expect(await stored(app.id), scope).toEqual({ access: 1, refresh: 1 });
      const [rt] = await query<{ rotated: boolean }>(sql`SELECT rotated_at IS NOT NULL AS rotated FROM refresh_tokens WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
      expect(rt.rotated, scope).toBe(false);
    }
  });

  it("RFC 8628 §3.5 / RFC 6749 §5.2: an inactive user's approved device code is refused and no token is stored", async () => {
    const user = await makeUser();
    const app = await makeApp({ clientType: 'public', grantTypes: [GRANT_DEVICE_CODE, 'refresh_token'], redirectUris: [], algorithm: 'RS256' });
    const deviceCode = await approvedDeviceCode(app, user, 'openid read');
    await deactivate(user.id);
    const body = await expectOAuthError(await poll(app, deviceCode), 400, 'invalid_grant');
    expect(body.error_description).toBe('The user account is inactive.');
    expect(await stored(app.id)).toEqual({ access: 0, refresh: 0 });
    expect(await deviceStatus(deviceCode)).toBe('approved');
  });
});

describe('an ID token that cannot be signed is refused before any token is stored', () => {
  // HS256 signs with the client secret: a public client has none (lib/oauth/oidc/id-token.ts hs256Problem).
  const unsignable = { algorithm: 'HS256' as const, clientType: 'public' as const };

  it('OIDC Core §3.1.3.3: a code exchange whose ID token cannot be signed answers server_error and stores no token', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true, ...unsignable });
    const c = await obtainCode(srv, app, user, { scope: 'openid read' });
    await expectOAuthError(await postToken(srv, { grant_type: 'authorization_code', code: c.code, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier, client_id: app.clientId }), 500, 'server_error');
    expect(await stored(app.id)).toEqual({ access: 0, refresh: 0 });
  });

  it('OIDC Core §12.2: a refresh whose ID token cannot be signed answers server_error, does not spend the token and stores nothing', async () => {
    const user = await makeUser();
    const app = await makeApp({ skipAuthorization: true }); // no ID token algorithm yet, a hashed secret
    const t = await (await exchange(srv, app, await obtainCode(srv, app, user, { scope: 'openid read' }))).json();
    expect(t.refresh_token).toBeTruthy();
    // The application switches to HS256, which cannot sign with a hashed secret.
    await query(sql`UPDATE applications SET algorithm = 'HS256' WHERE id = ${app.id}`);
    await invalidateClient(app.clientId);
    await expectOAuthError(await postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token }, creds(app)), 500, 'server_error');
    expect(await stored(app.id)).toEqual({ access: 1, refresh: 1 });
    const [rt] = await query<{ rotated: boolean }>(sql`SELECT rotated_at IS NOT NULL AS rotated FROM refresh_tokens WHERE token_hash = ${sha256b64url(t.refresh_token)}`);
    expect(rt.rotated).toBe(false);
    // A refresh that narrows the scope to leave openid out needs no ID token.
    expect((await postToken(srv, { grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: 'read' }, creds(app))).status).toBe(200);
  });

  it('RFC 8628 §3.5 / OIDC Core §3.1.3.3: a device code whose ID token cannot be signed answers server_error and stores no token', async () => {
    const user = await makeUser();
    const app = await makeApp({ grantTypes: [GRANT_DEVICE_CODE], redirectUris: [], ...unsignable });
    const deviceCode = await approvedDeviceCode(app, user, 'openid read');
    await expectOAuthError(await poll(app, deviceCode), 500, 'server_error');
    expect(await stored(app.id)).toEqual({ access: 0, refresh: 0 });
    expect(await deviceStatus(deviceCode)).toBe('approved');
  });
});
