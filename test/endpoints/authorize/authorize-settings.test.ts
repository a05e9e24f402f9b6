// The authorization endpoint and the code exchange under non-default settings (this file's own
// process): PKCE_REQUIRED=false, PKCE_ALLOW_PLAIN=true, AUTHORIZATION_CODE_EXPIRE_SECONDS=5,
// SCOPES / DEFAULT_SCOPES customised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { creds, expectOAuthError, getAuthorize, newVerifier, postToken, redirectParams } from '@/test/helpers/codeflow';
import { s256 } from '@/lib/oauth/pkce';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb } from '@/lib/db';
import { authorizationCodes } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let cookie: string;
let app: Awaited<ReturnType<typeof makeApp>>;

beforeAll(async () => {
  srv = await startTestServer({ ...settings,
    PKCE_REQUIRED: 'false',
    PKCE_ALLOW_PLAIN: 'true',
    AUTHORIZATION_CODE_EXPIRE_SECONDS: '5',
    SCOPES: 'read write notes:read',
    DEFAULT_SCOPES: 'notes:read',
  });
  cookie = await sessionCookie(await makeUser());
  app = await makeApp({ skipAuthorization: true });
});
afterAll(async () => srv?.close());

const base = (clientId: string, over: Record<string, string | undefined> = {}) => ({ response_type: 'code', client_id: clientId, redirect_uri: POSTMAN_CALLBACK, state: 's', ...over });
const redeem = (code: string, over: Record<string, string | undefined> = {}) =>
  postToken(srv, { grant_type: 'authorization_code', code, redirect_uri: POSTMAN_CALLBACK, ...over }, creds(app));
const codeRow = async (code: string) => (await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(code))))[0];

describe('PKCE_REQUIRED=false', () => {
  it('lets a confidential client go without PKCE, and redeem without a verifier', async () => {
    const code = redirectParams(await getAuthorize(srv, base(app.clientId), cookie)).get('code')!;
    expect((await codeRow(code)).codeChallenge).toBeNull();
    expect((await redeem(code)).status).toBe(200);
  });

  it('rejects a verifier for a code issued without a challenge (RFC 9700 §2.1.1 downgrade)', async () => {
    const code = redirectParams(await getAuthorize(srv, base(app.clientId), cookie)).get('code')!;
    const body = await expectOAuthError(await redeem(code, { code_verifier: newVerifier() }), 400, 'invalid_grant');
    expect(body.error_description).toContain('code_verifier');
  });

  it('still requires PKCE from a public client, naming code_challenge', async () => {
    const pub = await makeApp({ skipAuthorization: true, clientType: 'public' });
    const p = redirectParams(await getAuthorize(srv, base(pub.clientId), cookie));
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toContain('code_challenge');
    expect(p.get('iss')).toBe(srv.url);
  });

  it('rejects code_challenge_method without a code_challenge', async () => {
    const p = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge_method: 'S256' }), cookie));
    expect(p.get('error')).toBe('invalid_request');
  });

  it('still enforces a challenge that was sent', async () => {
    const v = newVerifier();
    const code = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge: s256(v), code_challenge_method: 'S256' }), cookie)).get('code')!;
    await expectOAuthError(await redeem(code), 400, 'invalid_grant');
  });
});

describe('PKCE_ALLOW_PLAIN=true', () => {
  it('accepts code_challenge_method=plain and verifies the verifier literally (RFC 7636 §4.6)', async () => {
    const v = newVerifier();
    const code = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge: v, code_challenge_method: 'plain' }), cookie)).get('code')!;
    expect((await codeRow(code)).codeChallengeMethod).toBe('plain');
    expect((await redeem(code, { code_verifier: v })).status).toBe(200);
  });

  it('rejects a wrong plain verifier', async () => {
    const v = newVerifier();
    const code = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge: v, code_challenge_method: 'plain' }), cookie)).get('code')!;
    await expectOAuthError(await redeem(code, { code_verifier: newVerifier() }), 400, 'invalid_grant');
  });

  it('RFC 7636 §4.3: an omitted method means plain: the code is bound to the challenge as sent, and the verifier must equal it', async () => {
    const v = newVerifier();
    const code = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge: v }), cookie)).get('code')!;
    expect((await codeRow(code)).codeChallengeMethod).toBe('plain');
    expect((await redeem(code, { code_verifier: v })).status).toBe(200);
    // A client that sent an S256 challenge but forgot the method cannot redeem with its verifier.
    const w = newVerifier();
    const other = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge: s256(w) }), cookie)).get('code')!;
    expect((await codeRow(other)).codeChallengeMethod).toBe('plain');
    await expectOAuthError(await redeem(other, { code_verifier: w }), 400, 'invalid_grant');
  });

  it('does not accept the S256 challenge itself as a verifier of an S256 code', async () => {
    const v = newVerifier();
    const code = redirectParams(await getAuthorize(srv, base(app.clientId, { code_challenge: s256(v), code_challenge_method: 'S256' }), cookie)).get('code')!;
    await expectOAuthError(await redeem(code, { code_verifier: s256(v) }), 400, 'invalid_grant');
  });
});

describe('configurable scopes and code lifetime', () => {
  it('grants DEFAULT_SCOPES when scope is omitted', async () => {
    const code = redirectParams(await getAuthorize(srv, base(app.clientId), cookie)).get('code')!;
    expect((await codeRow(code)).scope).toBe('notes:read');
    expect((await (await redeem(code)).json()).scope).toBe('notes:read');
  });

  it('accepts a scope from SCOPES and rejects one that is not configured', async () => {
    expect(redirectParams(await getAuthorize(srv, base(app.clientId, { scope: 'notes:read write' }), cookie)).get('code')).toBeTruthy();
    expect(redirectParams(await getAuthorize(srv, base(app.clientId, { scope: 'introspection' }), cookie)).get('error')).toBe('invalid_scope');
  });

  it('gives codes the configured lifetime (AUTHORIZATION_CODE_EXPIRE_SECONDS=5) and enforces it', async () => {
    const before = Date.now();
    const code = redirectParams(await getAuthorize(srv, base(app.clientId), cookie)).get('code')!;
    const ttl = (await codeRow(code)).expiresAt.getTime() - before;
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(6_000);
    await new Promise((r) => setTimeout(r, ttl + 200));
    const body = await expectOAuthError(await redeem(code), 400, 'invalid_grant');
    expect(body.error_description).toMatch(/expired/);
  });
});
