// GET /o/authorize/ over real HTTP (RFC 6749 §4.1.1–§4.1.2.1, RFC 7636, RFC 8252, RFC 9207).
// The consent page itself (a Next.js page) is covered in e2e/authorize.spec.ts; here a request that
// needs it redirects to its consent page (/o/authorize/consent/?pending=<id>,
// test/endpoints/authorize/pending-requests.test.ts), which is handed to Next (404 + x-test-handoff: next).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, sessionCookie, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { expectConsentPage, getAuthorize, getPending, newVerifier, pendingIdOfRedirect, redirectParams } from '@/test/helpers/codeflow';
import { s256 } from '@/lib/oauth/pkce';
import { sha256b64url } from '@/lib/oauth/random';
import { getDb, query, sql } from '@/lib/db';
import { consents, authorizationCodes } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let user: Awaited<ReturnType<typeof makeUser>>;
let cookie: string;
let app: Awaited<ReturnType<typeof makeApp>>; // skip authorization: GET answers with a code at once
let consentApp: Awaited<ReturnType<typeof makeApp>>; // needs consent
let issuer: string;

beforeAll(async () => {
  srv = await startTestServer(settings);
  issuer = srv.url;
  user = await makeUser();
  cookie = await sessionCookie(user);
  app = await makeApp({ name: 'Skipper', skipAuthorization: true });
  consentApp = await makeApp({ name: 'Asks first' });
});
afterAll(async () => srv?.close());

const verifier = newVerifier();
const pkce = { code_challenge: s256(verifier), code_challenge_method: 'S256' };
const valid = (clientId: string, over: Record<string, string | undefined> = {}) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: POSTMAN_CALLBACK,
  state: 'state-123',
  ...pkce,
  ...over,
});

async function expectErrorPage(r: Response, ...phrases: RegExp[]) {
  const html = await r.text();
  expect(r.status, html).toBe(400);
  expect(r.headers.get('location')).toBeNull();
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  // docs/ARCHITECTURE.md §1 "Security headers": no framing, no referrer.
  expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(r.headers.get('x-frame-options')).toBe('DENY');
  expect(r.headers.get('referrer-policy')).toBe('no-referrer');
  for (const p of phrases) expect(html).toMatch(p);
  return html;
}

/** An error sent back to the (verified) redirect URI, RFC 6749 §4.1.2.1 + RFC 9207. */
function expectErrorRedirect(r: Response, error: string, state: string | null = 'state-123') {
  const p = redirectParams(r);
  expect(p.get('error')).toBe(error);
  expect(p.get('error_description')).toBeTruthy();
  expect(p.get('state')).toBe(state);
  expect(p.get('iss')).toBe(issuer);
  expect(p.get('code')).toBeNull();
  return p;
}

describe('client and redirect URI validation come first (RFC 6749 §4.1.2.1, §3.1.2.4)', () => {
  it('shows an error page, never a redirect, for an unknown client_id (§4.1.2.1)', async () => {
    const r = await getAuthorize(srv, valid('no-such-client'), cookie);
    await expectErrorPage(r, /Invalid client/, /No application is registered with this client_id/, /How to fix it/);
  });

  it('shows an error page for a missing client_id', async () => {
    const r = await getAuthorize(srv, valid('', { client_id: undefined }), cookie);
    await expectErrorPage(r, /client_id/);
  });

  it('validates client_id before anything else: an unknown client with a bad response_type still gets the page', async () => {
    const r = await getAuthorize(srv, valid('nope', { response_type: 'token', redirect_uri: 'https://evil.example/cb' }), cookie);
    await expectErrorPage(r, /Invalid client/);
  });

  it('shows a plain-words error page for an unregistered redirect_uri, saying how to fix it (§3.1.2.4)', async () => {
    const r = await getAuthorize(srv, valid(app.clientId, { redirect_uri: 'https://evil.example/oauth2/callback' }), cookie);
    const html = await expectErrorPage(r, /Invalid callback URL/, /is not registered for this application/, /Add the exact callback URL to the Redirect uris of/);
    expect(html).toContain('Skipper');
  });

  it('validates redirect_uri before the other parameters: a bad redirect with a bad response_type is a page, not a redirect', async () => {
    const r = await getAuthorize(srv, valid(app.clientId, { response_type: 'token', redirect_uri: 'https://evil.example/cb' }), cookie);
    await expectErrorPage(r, /Invalid callback URL/);
  });

  it('escapes the redirect_uri it echoes in the error page', async () => {
    const r = await getAuthorize(srv, valid(app.clientId, { redirect_uri: 'https://evil.example/<script>alert(1)</script>' }), cookie);
    const html = await expectErrorPage(r);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('RFC 6749 §3.1.2.3: lets redirect_uri be omitted when exactly one is registered', async () => {
    const r = await getAuthorize(srv, valid(app.clientId, { redirect_uri: undefined }), cookie);
    const p = redirectParams(r);
    expect(p.get('code')).toBeTruthy();
  });

  it('requires redirect_uri when several are registered (§3.1.2.3)', async () => {
    const multi = await makeApp({ skipAuthorization: true, redirectUris: [POSTMAN_CALLBACK, 'https://app.example/cb'] });
    const r = await getAuthorize(srv, valid(multi.clientId, { redirect_uri: undefined }), cookie);
    await expectErrorPage(r, /Missing redirect_uri/, /several redirect URIs/);
    const ok = await getAuthorize(srv, valid(multi.clientId, { redirect_uri: 'https://app.example/cb' }), cookie);
    expect(redirectParams(ok, 'https://app.example/cb').get('code')).toBeTruthy();
  });

  it('shows an error page for a duplicated redirect_uri', async () => {
    const url = `${srv.url}/o/authorize/?${new URLSearchParams(valid(app.clientId))}&redirect_uri=${encodeURIComponent(POSTMAN_CALLBACK)}`;
    const r = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    await expectErrorPage(r, /more than once/);
  });

  it('DOT #1719: prompt=none with an unknown client shows the error page, never redirects', async () => {
    const r = await getAuthorize(srv, valid('unknown-client', { prompt: 'none' }));
    await expectErrorPage(r, /Invalid client/);
  });

  it('DOT #1719: prompt=none with an unregistered redirect_uri shows the error page, never redirects', async () => {
    const r = await getAuthorize(srv, valid(app.clientId, { prompt: 'none', redirect_uri: 'https://attacker.example/steal' }));
    await expectErrorPage(r, /Invalid callback URL/);
  });

  it('validates the client before the login redirect: an anonymous user with an unknown client sees the page', async () => {
    const r = await getAuthorize(srv, valid('unknown-client'));
    await expectErrorPage(r, /Invalid client/);
  });

  it('never sends CORS headers from the authorization endpoint', async () => {
    const r = await fetch(`${srv.url}/o/authorize/?${new URLSearchParams(valid(app.clientId))}`, { headers: { cookie, origin: 'https://www.getpostman.com' }, redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('redirect URI matching is exact (RFC 9700 §4.1.3, DOT 3.4.1 regression set)', () => {
  const registered = 'https://client.example/cb';
  let strict: Awaited<ReturnType<typeof makeApp>>;
  beforeAll(async () => {
    strict = await makeApp({ skipAuthorization: true, redirectUris: [registered, 'https://client.example/with?x=1'] });
  });

  for (const bad of [
    'https://client.example/cb?extra=1', // extra query
    'https://client.example/cb;params', // ;params
    'https://user@client.example/cb', // userinfo
    'https://client.example@evil.example/cb', // userinfo pointing elsewhere
    'https://client.example/cb#frag', // fragment
    'https://client.example/cb#', // empty fragment
    'https://client.example/cb/', // trailing slash
    'https://client.example/CB', // case of the path
    'HTTPS://client.example/cb', // case of the scheme
    'https://CLIENT.example/cb', // case of the host
    'https://client.example:443/cb', // explicit default port
    'https://client.example/x/../cb', // dot segments
    'https://client.example/%63b', // percent-encoded unreserved
    'http://client.example/cb', // downgraded scheme
    'https://client.example.evil.example/cb', // suffix host
    'https://client.example/cb\\@evil.example', // backslash
    'https://client.example/with?x=1&y=2', // extended registered query
    'https://client.example/with', // dropped registered query
  ]) {
    it(`rejects ${JSON.stringify(bad)} with an error page, no redirect`, async () => {
      const r = await getAuthorize(srv, valid(strict.clientId, { redirect_uri: bad }), cookie);
      await expectErrorPage(r, /Invalid callback URL/);
    });
  }

  it('accepts the exact registered URI, keeping its registered query (§3.1.2)', async () => {
    const r = await getAuthorize(srv, valid(strict.clientId, { redirect_uri: 'https://client.example/with?x=1' }), cookie);
    const p = redirectParams(r, 'https://client.example/with');
    expect(p.get('x')).toBe('1');
    expect(p.get('code')).toBeTruthy();
    expect(p.get('state')).toBe('state-123');
  });

  describe('loopback IP redirects may use any port (RFC 8252 §7.3)', () => {
    let native: Awaited<ReturnType<typeof makeApp>>;
    beforeAll(async () => {
      native = await makeApp({ skipAuthorization: true, clientType: 'public', redirectUris: ['http://127.0.0.1/callback', 'http://[::1]:8080/cb', 'http://localhost/cb'] });
    });

    it('sends the code to the port the client asked for on 127.0.0.1', async () => {
      const r = await getAuthorize(srv, valid(native.clientId, { redirect_uri: 'http://127.0.0.1:53122/callback' }), cookie);
      expect(redirectParams(r, 'http://127.0.0.1:53122/callback').get('code')).toBeTruthy();
    });

    it('accepts any port on [::1]', async () => {
      const r = await getAuthorize(srv, valid(native.clientId, { redirect_uri: 'http://[::1]:1234/cb' }), cookie);
      expect(redirectParams(r, 'http://[::1]:1234/cb').get('code')).toBeTruthy();
    });

    for (const bad of [
      'http://127.0.0.1:53122/other', // another path
      'http://127.0.0.1:53122/callback?x=1', // extra query
      'http://localhost:53122/cb', // localhost is not a loopback IP literal (RFC 8252 §8.3)
      'http://127.0.0.1:53122@evil.example/callback', // Keycloak CVE-2024-8883 style userinfo
      'https://127.0.0.1:53122/callback', // other scheme
      'http://127.0.0.2:53122/callback', // other loopback address than registered
    ]) {
      it(`still rejects ${JSON.stringify(bad)}`, async () => {
        const r = await getAuthorize(srv, valid(native.clientId, { redirect_uri: bad }), cookie);
        await expectErrorPage(r, /Invalid callback URL/);
      });
    }
  });
});

describe('request parameters, once the redirect URI is verified (RFC 6749 §4.1.1, §4.1.2.1, RFC 9207)', () => {
  it('answers success with code, state and iss (RFC 9207 §2; advertised per RFC 9207 §3)', async () => {
    const r = await getAuthorize(srv, valid(app.clientId), cookie);
    const p = redirectParams(r);
    expect([...p.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(p.get('state')).toBe('state-123');
    expect(p.get('iss')).toBe(issuer);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('returns state unchanged, whatever characters it holds (§4.1.2)', async () => {
    const state = 'a b+c/d?e=f&g%h~ü';
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId, { state }), cookie));
    expect(p.get('state')).toBe(state);
  });

  it('omits state when the client sent none', async () => {
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId, { state: undefined }), cookie));
    expect(p.has('state')).toBe(false);
    expect(p.get('iss')).toBe(issuer);
  });

  it('redirects invalid_request for a missing response_type, with state and iss (§4.1.2.1)', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { response_type: undefined }), cookie), 'invalid_request');
  });

  it('redirects unsupported_response_type for response_type=token (§4.1.2.1)', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { response_type: 'token' }), cookie), 'unsupported_response_type');
  });

  it('redirects unsupported_response_type when the app may not use the code flow', async () => {
    const m2m = await makeApp({ skipAuthorization: true, grantTypes: ['client_credentials'] });
    expectErrorRedirect(await getAuthorize(srv, valid(m2m.clientId), cookie), 'unsupported_response_type');
  });

  it('redirects invalid_scope for an unknown scope (§3.3, §4.1.2.1)', async () => {
    const p = expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { scope: 'read admin' }), cookie), 'invalid_scope');
    expect(p.get('error_description')).toContain('admin');
  });

  it('grants the default scopes (read write) when scope is omitted (§3.3)', async () => {
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId, { scope: undefined }), cookie));
    const [row] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(p.get('code')!)));
    expect(row.scope).toBe('read write');
  });

  it('parses a space-separated scope and keeps it on the code', async () => {
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId, { scope: 'write  read write' }), cookie));
    const [row] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(p.get('code')!)));
    expect(row.scope).toBe('write read');
  });

  it('redirects invalid_request for any duplicated parameter (§3.1)', async () => {
    const url = `${srv.url}/o/authorize/?${new URLSearchParams(valid(app.clientId))}&scope=read&scope=write`;
    expectErrorRedirect(await fetch(url, { headers: { cookie }, redirect: 'manual' }), 'invalid_request');
  });

  it('sends errors to the single registered redirect URI when it was omitted', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { redirect_uri: undefined, response_type: 'token' }), cookie), 'unsupported_response_type');
  });
});

describe('PKCE (RFC 7636 §4.3, §4.4.1; PKCE_REQUIRED defaults to true)', () => {
  it('redirects invalid_request naming code_challenge when it is missing, for a confidential client (PKCE_REQUIRED=true)', async () => {
    const p = expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { code_challenge: undefined, code_challenge_method: undefined }), cookie), 'invalid_request');
    expect(p.get('error_description')).toContain('code_challenge');
  });

  it('requires code_challenge from a public client', async () => {
    const pub = await makeApp({ skipAuthorization: true, clientType: 'public' });
    const p = expectErrorRedirect(await getAuthorize(srv, valid(pub.clientId, { code_challenge: undefined, code_challenge_method: undefined }), cookie), 'invalid_request');
    expect(p.get('error_description')).toContain('code_challenge');
  });

  it('RFC 7636 §4.3: an omitted code_challenge_method means plain, so with plain not allowed the answer is invalid_request and no code is issued', async () => {
    const fresh = await makeApp({ name: 'No method', skipAuthorization: true });
    const p = expectErrorRedirect(await getAuthorize(srv, valid(fresh.clientId, { code_challenge_method: undefined }), cookie), 'invalid_request');
    expect(p.get('error_description')).toContain('code_challenge_method=S256 is required');
    expect(p.get('code')).toBeNull();
    expect(await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.applicationId, fresh.id))).toHaveLength(0);
  });

  it('stores the S256 method sent with the challenge', async () => {
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId), cookie));
    const [row] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(p.get('code')!)));
    expect(row.codeChallengeMethod).toBe('S256');
    expect(row.codeChallenge).toBe(pkce.code_challenge);
  });

  it('rejects code_challenge_method=plain while PKCE_ALLOW_PLAIN is off', async () => {
    const p = expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { code_challenge: verifier, code_challenge_method: 'plain' }), cookie), 'invalid_request');
    expect(p.get('error_description')).toContain('plain');
  });

  it('rejects an unknown code_challenge_method', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { code_challenge_method: 'S512' }), cookie), 'invalid_request');
  });

  it('rejects a malformed S256 challenge (§4.2: 43 base64url characters)', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { code_challenge: 'too-short' }), cookie), 'invalid_request');
  });
});

describe('login (anonymous users)', () => {
  it('sends an anonymous user to /accounts/login/?next=<the pending request>', async () => {
    const params = valid(consentApp.clientId, { scope: 'read' });
    const r = await getAuthorize(srv, params);
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location')!, srv.url);
    expect(loc.origin).toBe(srv.url);
    expect(loc.pathname).toBe('/accounts/login/');
    // A same-origin path naming the stored request, so that login's open-redirect guard keeps it.
    expect(loc.searchParams.get('next')).toMatch(/^\/o\/authorize\/\?pending=[A-Za-z0-9_-]{43}$/);
  });

  it('comes back to the same request after login: following next with a session continues the flow', async () => {
    const r = await getAuthorize(srv, valid(app.clientId));
    const again = await getPending(srv, pendingIdOfRedirect(r, srv.url), cookie);
    const p = redirectParams(again);
    expect(p.get('code')).toBeTruthy();
    expect(p.get('state')).toBe('state-123');
  });

  it('treats a session of a deactivated user as no session', async () => {
    const gone = await makeUser({ isActive: false });
    const r = await getAuthorize(srv, valid(app.clientId), await sessionCookie(gone));
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toMatch(/^\/accounts\/login\/\?next=/);
  });

  it('ignores a forged session cookie', async () => {
    const r = await getAuthorize(srv, valid(app.clientId), 'authjs.session-token=forged.jwe.value');
    expect(r.headers.get('location')).toMatch(/^\/accounts\/login\//);
  });
});

describe('consent (skip authorization, remembered consent, prompt)', () => {
  it('hands the request to the consent page when the user has not approved the app', async () => {
    await expectConsentPage(srv, await getAuthorize(srv, valid(consentApp.clientId), cookie), cookie);
  });

  it('skips consent for an app with Skip authorization', async () => {
    expect(redirectParams(await getAuthorize(srv, valid(app.clientId), cookie)).get('code')).toBeTruthy();
  });

  it('shows consent for a Skip-authorization app when prompt=consent', async () => {
    await expectConsentPage(srv, await getAuthorize(srv, valid(app.clientId, { prompt: 'consent' }), cookie), cookie);
  });

  describe('remembered consent', () => {
    let remembered: Awaited<ReturnType<typeof makeApp>>;
    beforeAll(async () => {
      remembered = await makeApp({ name: 'Remembered' });
      await (await getDb()).insert(consents).values({ userId: user.id, applicationId: remembered.id, scope: 'read write' });
    });

    it('skips consent when the user already approved these scopes', async () => {
      const p = redirectParams(await getAuthorize(srv, valid(remembered.clientId, { scope: 'read write' }), cookie));
      expect(p.get('code')).toBeTruthy();
    });

    it('skips consent for a subset of the approved scopes', async () => {
      expect(redirectParams(await getAuthorize(srv, valid(remembered.clientId, { scope: 'read' }), cookie)).get('code')).toBeTruthy();
    });

    it('asks again for a scope not yet approved', async () => {
      await expectConsentPage(srv, await getAuthorize(srv, valid(remembered.clientId, { scope: 'read introspection' }), cookie), cookie);
    });

    it('asks again when prompt=consent', async () => {
      await expectConsentPage(srv, await getAuthorize(srv, valid(remembered.clientId, { scope: 'read', prompt: 'consent' }), cookie), cookie);
    });

    it('does not carry one user’s consent over to another user', async () => {
      const otherCookie = await sessionCookie(await makeUser());
      await expectConsentPage(srv, await getAuthorize(srv, valid(remembered.clientId, { scope: 'read' }), otherCookie), otherCookie);
    });

    it('prompt=none succeeds silently with remembered consent (OIDC Core §3.1.2.1)', async () => {
      const p = redirectParams(await getAuthorize(srv, valid(remembered.clientId, { scope: 'read', prompt: 'none' }), cookie));
      expect(p.get('code')).toBeTruthy();
      expect(p.get('iss')).toBe(issuer);
    });
  });

  it('prompt=none without a session redirects login_required with state and iss', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(consentApp.clientId, { prompt: 'none' })), 'login_required');
  });

  it('prompt=none without consent redirects consent_required with state and iss', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(consentApp.clientId, { prompt: 'none' }), cookie), 'consent_required');
  });

  it('rejects prompt=none combined with another value', async () => {
    expectErrorRedirect(await getAuthorize(srv, valid(app.clientId, { prompt: 'none consent' }), cookie), 'invalid_request');
  });
});

describe('authorization codes (RFC 6749 §4.1.2, §10.5)', () => {
  it('are random, ≥ 256 bits, and stored only as their SHA-256', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const code = redirectParams(await getAuthorize(srv, valid(app.clientId), cookie)).get('code')!;
      expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/); // 43 base64url chars = 256 bits
      seen.add(code);
      const rows = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM authorization_codes WHERE code_hash = ${sha256b64url(code)}`);
      expect(rows[0].n).toBe(1);
      const plain = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM authorization_codes g WHERE row_to_json(g)::text LIKE ${'%' + code + '%'}`);
      expect(plain[0].n).toBe(0);
    }
    expect(seen.size).toBe(5);
  });

  it('live 60 seconds by default and are bound to client, redirect_uri, scope, user and challenge', async () => {
    const before = Date.now();
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId, { scope: 'read', nonce: 'n-1' }), cookie));
    const [row] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(p.get('code')!)));
    expect(row.applicationId).toBe(app.id);
    expect(row.userId).toBe(user.id);
    expect(row.redirectUri).toBe(POSTMAN_CALLBACK);
    expect(row.redirectUriSent).toBe(true);
    expect(row.scope).toBe('read');
    expect(row.codeChallenge).toBe(pkce.code_challenge);
    expect(row.codeChallengeMethod).toBe('S256');
    expect(row.consumedAt).toBeNull();
    const ttl = row.expiresAt.getTime() - before;
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });

  it('records that redirect_uri was omitted, so the token request may omit it too', async () => {
    const p = redirectParams(await getAuthorize(srv, valid(app.clientId, { redirect_uri: undefined }), cookie));
    const [row] = await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.codeHash, sha256b64url(p.get('code')!)));
    expect(row.redirectUriSent).toBe(false);
    expect(row.redirectUri).toBe(POSTMAN_CALLBACK);
  });
});

describe('HTTP surface', () => {
  it('serves /o/authorize without the trailing slash too', async () => {
    const r = await fetch(`${srv.url}/o/authorize?${new URLSearchParams(valid(app.clientId))}`, { headers: { cookie }, redirect: 'manual' });
    expect(redirectParams(r).get('code')).toBeTruthy();
  });

  it('a Next.js client-router fetch (RSC) runs nothing and gets 204 No Content, so the router loads the URL as a document and the client gets its code from one navigation only', async () => {
    const codes = async () => (await (await getDb()).select().from(authorizationCodes).where(eq(authorizationCodes.applicationId, app.id))).length;
    const url = `${srv.url}/o/authorize/?${new URLSearchParams(valid(app.clientId))}`;
    const before = await codes();
    // What Next's router sends (and its action handler, server-side, after a server action's redirect).
    const r = await fetch(`${url}&_rsc=abc12`, { headers: { cookie, rsc: '1' }, redirect: 'manual' });
    expect(r.status).toBe(204);
    expect(r.headers.get('location')).toBeNull();
    expect(r.headers.get('content-type')).toBeNull(); // not a Flight response (text/x-component)
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await codes()).toBe(before);
    // The document load the router falls back to: one code.
    expect(redirectParams(await fetch(url, { headers: { cookie }, redirect: 'manual' })).get('code')).toBeTruthy();
    expect(await codes()).toBe(before + 1);
  });

  it('answers a malformed query (bad percent-encoding) without a 500', async () => {
    const r = await fetch(`${srv.url}/o/authorize/?client_id=%E0%A4%A&response_type=code`, { redirect: 'manual' });
    expect(r.status).toBeLessThan(500);
  });
});
