// The UserInfo endpoint (OpenID Connect Core §5.3) with RFC 6750 bearer errors and per-application CORS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser, form } from '@/test/helpers/fixtures';
import { exchange, obtainCode } from '@/test/helpers/codeflow';
import { query } from '@/lib/db';
import { sha256b64url } from '@/lib/oauth/random';
import type { Application, User } from '@/lib/db/schema';
import { settings } from './settings';

let srv: TestServer;
let app: Application & { secret: string };
let user: User;
beforeAll(async () => {
  srv = await startTestServer(settings);
  app = await makeApp({ skipAuthorization: true, algorithm: 'RS256', allowedOrigins: ['https://rp.example'] });
  user = await makeUser({ email: 'grace@example.com' });
});
afterAll(async () => srv?.close());

async function tokens(scope: string): Promise<{ access_token: string; id_token?: string }> {
  const c = await obtainCode(srv, app, user, { scope });
  const r = await exchange(srv, app, c);
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body;
}

const userinfo = (init: RequestInit = {}, path = '/o/userinfo/') => fetch(`${srv.url}${path}`, init);
const bearer = (t: string, extra: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${t}`, ...extra } });

describe('UserInfo claims per scope (OIDC Core §5.3.2, §5.4)', () => {
  it('openid alone: only sub, matching the ID token', async () => {
    const t = await tokens('openid');
    const r = await userinfo(bearer(t.access_token));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = await r.json();
    expect(body).toEqual({ sub: user.id });
    expect(decodeJwt(t.id_token!).sub).toBe(body.sub);
  });

  it('profile adds preferred_username and name', async () => {
    const t = await tokens('openid profile');
    expect(await (await userinfo(bearer(t.access_token))).json()).toEqual({ sub: user.id, preferred_username: user.username, name: user.username });
  });

  it('email adds email and email_verified=false', async () => {
    const t = await tokens('openid email read');
    expect(await (await userinfo(bearer(t.access_token))).json()).toEqual({ sub: user.id, email: 'grace@example.com', email_verified: false });
  });

  it('accepts POST with the header, and POST with access_token in the form body (RFC 6750 §2.2)', async () => {
    const t = await tokens('openid profile email');
    const all = { sub: user.id, preferred_username: user.username, name: user.username, email: 'grace@example.com', email_verified: false };
    const a = await userinfo({ method: 'POST', ...bearer(t.access_token) }, '/o/userinfo');
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual(all);
    const b = await userinfo({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ access_token: t.access_token }) });
    expect(b.status).toBe(200);
    expect(await b.json()).toEqual(all);
  });
});

describe('UserInfo errors (RFC 6750 §3)', () => {
  it('no token: 401 with a bare Bearer challenge (§3.1)', async () => {
    const r = await userinfo();
    expect(r.status).toBe(401);
    const h = r.headers.get('www-authenticate')!;
    expect(h).toMatch(/^Bearer realm="/);
    expect(h).not.toContain('error=');
  });

  it('an unknown, expired or revoked token: 401 invalid_token', async () => {
    let r = await userinfo(bearer('no-such-token'));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await r.json()).error).toBe('invalid_token');

    const expired = await tokens('openid');
    await query(sql`UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${sha256b64url(expired.access_token)}`);
    r = await userinfo(bearer(expired.access_token));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const revoked = await tokens('openid');
    await query(sql`UPDATE access_tokens SET revoked_at = now() WHERE token_hash = ${sha256b64url(revoked.access_token)}`);
    r = await userinfo(bearer(revoked.access_token));
    expect(r.status).toBe(401);
  });

  it('a token without openid: 403 insufficient_scope naming openid', async () => {
    const t = await tokens('read');
    const r = await userinfo(bearer(t.access_token));
    expect(r.status).toBe(403);
    const h = r.headers.get('www-authenticate')!;
    expect(h).toContain('error="insufficient_scope"');
    expect(h).toContain('scope="openid"');
    expect((await r.json()).error).toBe('insufficient_scope');
  });

  it('a token sent two ways: 400 invalid_request (§2)', async () => {
    const t = await tokens('openid');
    const r = await userinfo({ method: 'POST', headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ access_token: t.access_token }) });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_request');
  });

  it('a deactivated user: 401 invalid_token', async () => {
    const t = await tokens('openid');
    await query(sql`UPDATE users SET is_active = false WHERE id = ${user.id}`);
    try {
      const r = await userinfo(bearer(t.access_token));
      expect(r.status).toBe(401);
    } finally {
      await query(sql`UPDATE users SET is_active = true WHERE id = ${user.id}`);
    }
  });
});

describe('UserInfo CORS follows the token’s application', () => {
  it('allows the application’s origin, and not another', async () => {
    const t = await tokens('openid');
    const ok = await userinfo(bearer(t.access_token, { origin: 'https://rp.example' }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://rp.example');
    const other = await userinfo(bearer(t.access_token, { origin: 'https://evil.example' }));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // Errors for a known token are readable by its application too.
    const t2 = await tokens('read');
    const e = await userinfo(bearer(t2.access_token, { origin: 'https://rp.example' }));
    expect(e.status).toBe(403);
    expect(e.headers.get('access-control-allow-origin')).toBe('https://rp.example');
  });

  it('answers a preflight for an allowed origin', async () => {
    const r = await userinfo({ method: 'OPTIONS', headers: { origin: 'https://rp.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://rp.example');
    expect(r.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const no = await userinfo({ method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });
});
