// The playground's JWT checks (lib/apps/jwt-checks.ts): real tokens signed with jose, each check made
// to pass and to fail, and at_hash compared with the server's own (lib/oauth/oidc/id-token.ts).
import { describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import { atHash } from '../oauth/oidc/id-token';
import { atHashOf, checkJwt, decodeToken, looksLikeJwt, type JwtReport } from './jwt-checks';

const ISSUER = 'http://localhost:9999';
const CLIENT = 'client-abc';
const NOW = 1_800_000_000;
const ACCESS = 'opaque-access-token-value';

async function rsKeys() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  return { privateKey, jwks: { keys: [jwk] } as JSONWebKeySet };
}

async function idToken(key: CryptoKey | Uint8Array, alg: string, over: Record<string, unknown> = {}) {
  return new SignJWT({ nonce: 'n-1', at_hash: atHash(ACCESS), ...over })
    .setProtectedHeader({ alg, kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(CLIENT)
    .setSubject('user-1')
    .setIssuedAt(NOW - 10)
    .setExpirationTime(NOW + 300)
    .sign(key);
}

const byName = (r: JwtReport | null) => Object.fromEntries((r?.checks ?? []).map((c) => [c.name, c.ok]));

describe('playground JWT checks', () => {
  it('OIDC Core 3.1.3.7: a good RS256 ID token passes signature, exp, iss, aud, nonce and at_hash', async () => {
    const { privateKey, jwks } = await rsKeys();
    const r = await checkJwt(await idToken(privateKey, 'RS256'), { issuer: ISSUER, clientId: CLIENT, nonce: 'n-1', accessToken: ACCESS, jwks, now: NOW });
    expect(byName(r)).toEqual({ signature: true, exp: true, iss: true, aud: true, nonce: true, at_hash: true });
    expect(r!.claims.sub).toBe('user-1');
    expect(r!.header.alg).toBe('RS256');
  });

  it('OIDC Core 3.1.3.7: a token signed by another key, expired, for another audience, issuer and nonce fails each check', async () => {
    const { jwks } = await rsKeys();
    const other = await rsKeys();
    const token = await idToken(other.privateKey, 'RS256', { nonce: 'other', at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' });
    const r = await checkJwt(token, { issuer: 'http://evil.example', clientId: 'someone-else', nonce: 'n-1', accessToken: ACCESS, jwks, now: NOW + 1000 });
    expect(byName(r)).toEqual({ signature: false, exp: false, iss: false, aud: false, nonce: false, at_hash: false });
  });

  it('OIDC Core 10.1: an HS256 ID token verifies with the client secret, fails with a wrong one, and is not checked without one', async () => {
    const secret = 'the-client-secret-of-at-least-32-characters';
    const token = await idToken(new TextEncoder().encode(secret), 'HS256');
    const base = { issuer: ISSUER, clientId: CLIENT, jwks: null, now: NOW };
    expect(byName(await checkJwt(token, { ...base, secret })).signature).toBe(true);
    expect(byName(await checkJwt(token, { ...base, secret: 'wrong-secret' })).signature).toBe(false);
    const without = await checkJwt(token, { ...base, secret: '' });
    expect(without!.checks[0]).toMatchObject({ name: 'signature', ok: null });
    expect(without!.checks[0].detail).toMatch(/cannot verify without the secret/);
  });

  it('OIDC Core 3.1.3.6: at_hash is the left half of SHA-256 of the access token, as the server computes it', async () => {
    for (const t of [ACCESS, 'x', 'a.b.c-_~']) expect(await atHashOf(t, 'RS256')).toBe(atHash(t));
    expect(await atHashOf(ACCESS, 'none')).toBeNull();
  });

  it('a token that is not a JWT is not decoded (opaque access tokens)', async () => {
    expect(looksLikeJwt(ACCESS)).toBe(false);
    expect(decodeToken('a.b.c')).toBeNull();
    expect(await checkJwt(ACCESS, { issuer: ISSUER, clientId: null, jwks: null })).toBeNull();
  });

  it('an access token JWT (clientId null) gets no aud check; no nonce or at_hash check unless expected', async () => {
    const { privateKey, jwks } = await rsKeys();
    const r = await checkJwt(await idToken(privateKey, 'RS256'), { issuer: ISSUER, clientId: null, jwks, now: NOW });
    expect(Object.keys(byName(r))).toEqual(['signature', 'exp', 'iss']);
  });
});
