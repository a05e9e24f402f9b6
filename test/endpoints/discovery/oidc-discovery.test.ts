// Discovery (OpenID Connect Discovery 1.0 §3/§4, RFC 8414 §2/§3), the JWKS (RFC 7517 §5), and the
// signing keys behind it: created once, encrypted at rest, rotated without breaking older tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { withSettings } from '@/test/helpers/settings';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { exchange, obtainCode } from '@/test/helpers/codeflow';
import { env } from '@/lib/env';
import { query } from '@/lib/db';
import { discoveryMetadata } from '@/lib/oauth/oidc/discovery';
import { decryptPrivateJwk, generateSigningKey, KeyDecryptionError, reloadKeys, resetKeysForTests, rotateSigningKey } from '@/lib/oauth/oidc/keys';
import { insertFirstKey } from '@/lib/db/queries/signing-keys';
import type { Application, User } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const get = (path: string, init: RequestInit = {}) => fetch(`${srv.url}${path}`, init);

interface KeyRow extends Record<string, unknown> {
  kid: string;
  private_jwk_enc: string;
  public_jwk: unknown;
  retired: boolean;
}
const keyRows = () => query<KeyRow>(sql`SELECT kid, private_jwk_enc, public_jwk, retired_at IS NOT NULL AS retired FROM signing_keys ORDER BY created_at`);

describe('Discovery metadata', () => {
  it('is served at /.well-known/openid-configuration with every endpoint and capability (Discovery §3, RFC 8414 §2)', async () => {
    const r = await get('/.well-known/openid-configuration');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    const m = await r.json();
    const iss = srv.url;
    expect(m).toMatchObject({
      issuer: iss,
      authorization_endpoint: `${iss}/o/authorize/`,
      token_endpoint: `${iss}/o/token/`,
      userinfo_endpoint: `${iss}/o/userinfo/`,
      jwks_uri: `${iss}/.well-known/jwks.json`,
      revocation_endpoint: `${iss}/o/revoke_token/`,
      introspection_endpoint: `${iss}/o/introspect/`,
      end_session_endpoint: `${iss}/o/logout/`,
      device_authorization_endpoint: `${iss}/o/device-authorization/`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'HS256'],
      authorization_response_iss_parameter_supported: true,
      request_uri_parameter_supported: false,
    });
    // A set: RFC 8414 §2 gives the array no order.
    expect([...m.grant_types_supported].sort()).toEqual(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'].sort());
    // openid profile email plus the configured SCOPES (read write introspection by default).
    expect(m.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', ...env().SCOPES]));
    expect(m.claims_supported).toEqual(expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'preferred_username', 'name', 'email', 'email_verified']));
  });

  it('RFC 8414 §3: is the same document at DOT’s /o/.well-known/openid-configuration/ and at RFC 8414’s path', async () => {
    const a = await (await get('/.well-known/openid-configuration')).json();
    for (const path of ['/o/.well-known/openid-configuration/', '/o/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(await r.json()).toEqual(a);
    }
  });

  it('reflects ALLOW_PASSWORD_GRANT and PKCE_ALLOW_PLAIN', () => {
    const m = discoveryMetadata({ ...env(), ALLOW_PASSWORD_GRANT: true, PKCE_ALLOW_PLAIN: true });
    expect(m.grant_types_supported).toContain('password');
    expect(m.code_challenge_methods_supported).toEqual(['S256', 'plain']);
  });

  it('answers a CORS preflight for any origin, and refuses POST', async () => {
    const pre = await get('/.well-known/openid-configuration', { method: 'OPTIONS', headers: { origin: 'https://spa.example', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const post = await get('/.well-known/openid-configuration', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
  });
});

describe('JWKS and signing keys', () => {
  let app: Application & { secret: string };
  let user: User;
  beforeAll(async () => {
    app = await makeApp({ skipAuthorization: true, algorithm: 'RS256' });
    user = await makeUser();
  });

  async function idToken(): Promise<string> {
    const c = await obtainCode(srv, app, user, { scope: 'openid' });
    const body = await (await exchange(srv, app, c)).json();
    expect(body.id_token, JSON.stringify(body)).toBeTruthy();
    return body.id_token;
  }
  const fetchJwks = async (path = '/.well-known/jwks.json') => {
    const r = await get(path);
    expect(r.status).toBe(200);
    return { r, jwks: (await r.json()) as JSONWebKeySet };
  };

  it('creates one key at first use and publishes only its public half (RFC 7517 §5)', async () => {
    const { r, jwks } = await fetchJwks();
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(jwks.keys).toHaveLength(1);
    const [k] = jwks.keys;
    expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(k.kid).toBeTruthy();
    for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(p);
    const rows = await keyRows();
    expect(rows.map((x) => x.kid)).toEqual([k.kid]);
    // DOT's path serves the same set.
    expect((await fetchJwks('/o/.well-known/jwks.json/')).jwks).toEqual(jwks);
  });

  it('stores the private key encrypted with a key derived from AUTH_SECRET', async () => {
    const [row] = await keyRows();
    expect(row.private_jwk_enc.split('.')).toHaveLength(5); // a compact JWE
    expect(row.private_jwk_enc).not.toContain('"d"');
    expect(Buffer.from(row.private_jwk_enc.split('.')[0], 'base64url').toString()).toContain('"A256GCM"');
    const jwk = await decryptPrivateJwk(row.kid, row.private_jwk_enc);
    expect(jwk.d).toBeTruthy();
    // Bound to its row: the ciphertext does not decrypt as another kid.
    await expect(decryptPrivateJwk('another-kid', row.private_jwk_enc)).rejects.toBeInstanceOf(KeyDecryptionError);
    // And useless without AUTH_SECRET.
    await withSettings({ AUTH_SECRET: 'a-different-secret-a-different-secret-a-different' }, async () => {
      await expect(decryptPrivateJwk(row.kid, row.private_jwk_enc)).rejects.toThrow(/AUTH_SECRET/);
    });
  });

  it('with a changed AUTH_SECRET: still publishes the JWKS, but refuses to issue ID tokens (server_error)', async () => {
    const c = await obtainCode(srv, app, user, { scope: 'openid' });
    try {
      await withSettings({ AUTH_SECRET: 'a-different-secret-a-different-secret-a-different' }, async () => {
        resetKeysForTests(); // a new process, started with another AUTH_SECRET
        await reloadKeys();
        expect((await fetchJwks()).jwks.keys).toHaveLength(1);
        const r = await exchange(srv, app, c);
        expect(r.status).toBe(500);
        expect((await r.json()).error).toBe('server_error');
      });
    } finally {
      resetKeysForTests();
      await reloadKeys();
    }
    const again = await obtainCode(srv, app, user, { scope: 'openid' });
    expect((await (await exchange(srv, app, again)).json()).id_token).toBeTruthy();
  });

  it('makes exactly one first key when many instances start at once', async () => {
    const keys = await Promise.all(Array.from({ length: 4 }, () => generateSigningKey()));
    await query(sql`DELETE FROM signing_keys`);
    const results = await Promise.all(keys.map((k) => insertFirstKey(k)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].retired).toBe(false);
    // The table was replaced behind the cache: after a refresh only the winner is published.
    await reloadKeys();
    expect((await fetchJwks()).jwks.keys.map((k) => k.kid)).toEqual([rows[0].kid]);
  });

  it('verifies an issued ID token with the published key', async () => {
    const token = await idToken();
    const { jwks } = await fetchJwks();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: srv.url, audience: app.clientId });
    expect(payload.sub).toBe(user.id);
  });

  it('rotation: new tokens use the new kid, and tokens signed with the old key still verify', async () => {
    const old = await idToken();
    const oldKid = decodeProtectedHeader(old).kid!;
    const { kid: newKid, retired } = await rotateSigningKey();
    expect(retired).toEqual([oldKid]);
    expect(newKid).not.toBe(oldKid);
    const fresh = await idToken();
    expect(decodeProtectedHeader(fresh).kid).toBe(newKid);

    const { jwks } = await fetchJwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, oldKid]); // the active key first
    const set = createLocalJWKSet(jwks);
    for (const t of [old, fresh]) {
      const { payload } = await jwtVerify(t, set, { issuer: srv.url, audience: app.clientId });
      expect(payload.sub).toBe(user.id);
    }
    const rows = await keyRows();
    expect(rows.filter((r) => !r.retired).map((r) => r.kid)).toEqual([newKid]);
  });

  it('stops publishing a retired key once the tokens it signed have expired (ID_TOKEN_EXPIRE_SECONDS)', async () => {
    const rows = await keyRows();
    const retired = rows.filter((r) => r.retired).map((r) => r.kid);
    expect(retired.length).toBeGreaterThan(0);
    const ttl = env().ID_TOKEN_EXPIRE_SECONDS;
    await query(sql`UPDATE signing_keys SET retired_at = now() - make_interval(secs => ${ttl + 5}) WHERE retired_at IS NOT NULL`);
    await reloadKeys();
    const { jwks } = await fetchJwks();
    const active = rows.find((r) => !r.retired)!.kid;
    expect(jwks.keys.map((k) => k.kid)).toEqual([active]);
  });
});
