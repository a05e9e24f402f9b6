// RFC 8707 §2: a code exchanged with a resource it was not for is refused (invalid_target) without
// being spent, as a refresh is: the client may retry with the right resource. A request that is
// also wrong in its bindings (redirect_uri, code_verifier) still spends the code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, newVerifier, postToken, redirectParams } from '@/test/helpers/codeflow';
import { getDb } from '@/lib/db';
import { resources } from '@/lib/db/schema';
import { invalidateResources } from '@/lib/oauth/resources';
import { s256 } from '@/lib/oauth/pkce';
import { settings } from './settings';

const OTHER = 'https://other-resource.example/';
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
  await (await getDb()).insert(resources).values({ identifier: OTHER, name: 'Other', scopes: [{ name: 'other:use', description: 'Use it' }] }).onConflictDoNothing();
  await invalidateResources();
});
afterAll(async () => srv?.close());

async function code(app: Awaited<ReturnType<typeof makeApp>>) {
  const user = await makeUser();
  const verifier = newVerifier();
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: s256(verifier), code_challenge_method: 'S256', scope: 'read' });
  const r = await fetch(`${srv.url}/o/authorize/?${q}`, { headers: { cookie: await sessionCookie(user) }, redirect: 'manual' });
  return { code: redirectParams(r).get('code')!, verifier };
}

describe('authorization code and resource', () => {
  it('RFC 8707 §2.2: a code redeemed with a resource it was not for is invalid_target and not spent; the retry without it succeeds', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const c = await code(app);
    const base = { grant_type: 'authorization_code', code: c.code, redirect_uri: POSTMAN_CALLBACK, code_verifier: c.verifier };
    await expectOAuthError(await postToken(srv, { ...base, resource: OTHER }, creds(app)), 400, 'invalid_target');
    const r = await postToken(srv, base, creds(app));
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe('read');
  });

  it('RFC 7636 §4.6: a wrong resource together with a wrong code_verifier still spends the code', async () => {
    const app = await makeApp({ skipAuthorization: true });
    const c = await code(app);
    const base = { grant_type: 'authorization_code', code: c.code, redirect_uri: POSTMAN_CALLBACK, code_verifier: newVerifier() };
    await expectOAuthError(await postToken(srv, { ...base, resource: OTHER }, creds(app)), 400, 'invalid_grant');
    await expectOAuthError(await postToken(srv, { ...base, code_verifier: c.verifier }, creds(app)), 400, 'invalid_grant');
  });
});
