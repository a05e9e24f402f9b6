// RFC 6750 §2.1: one parser for `Authorization: Bearer` at every endpoint that takes a bearer token
// (/api/*, /o/userinfo/, /o/introspect/). credentials = "Bearer" 1*SP b64token: the scheme in any
// case, one or more spaces (no tab: the grammar has none), one b64token. The same header gets the
// same answer everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { form, makeApp, makeUser } from '@/test/helpers/fixtures';
import { exchange, obtainCode } from '@/test/helpers/codeflow';
import { settings } from './settings';

let srv: TestServer;
let token: string;

beforeAll(async () => {
  srv = await startTestServer(settings);
  const app = await makeApp({ skipAuthorization: true });
  const c = await obtainCode(srv, app, await makeUser(), { scope: 'openid read introspection' });
  const body = await (await exchange(srv, app, c)).json();
  token = body.access_token;
  expect(token).toBeTruthy();
});
afterAll(async () => srv?.close());

/** Each endpoint, called with only the Authorization header varying. */
const ENDPOINTS: Record<string, (authorization: string) => Promise<Response>> = {
  '/api/hello': (authorization) => fetch(`${srv.url}/api/hello`, { headers: { authorization } }),
  '/o/userinfo/': (authorization) => fetch(`${srv.url}/o/userinfo/`, { headers: { authorization } }),
  '/o/introspect/': (authorization) =>
    fetch(`${srv.url}/o/introspect/`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token: 'unknown-token' }),
    }),
};

describe('RFC 6750 §2.1: one bearer parser at /api/*, /o/userinfo/ and /o/introspect/', () => {
  for (const [path, call] of Object.entries(ENDPOINTS)) {
    it(`${path}: the scheme is case-insensitive (RFC 9110 §11.1) and one or more spaces separate it from the token`, async () => {
      for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`]) {
        const r = await call(header);
        expect(r.status, header.replace(token, 'TOKEN')).toBe(200);
      }
    });

    it(`${path}: a tab after Bearer is not 1*SP (RFC 6750 §2.1, RFC 9110 §11.4): 400 invalid_request with a Bearer challenge, as anywhere else`, async () => {
      for (const header of [`Bearer\t${token}`, `Bearer \t${token}`]) {
        const r = await call(header);
        expect(r.status, JSON.stringify(header.replace(token, 'TOKEN'))).toBe(400);
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_request"/);
        expect((await r.json()).error).toBe('invalid_request');
      }
    });

    it(`${path}: no token, two tokens or characters outside b64token: 400 invalid_request`, async () => {
      for (const header of ['Bearer', 'Bearer ', `Bearer ${token} ${token}`, 'Bearer abc,def', 'Bearer a=b']) {
        const r = await call(header);
        expect(r.status, header.replace(token, 'TOKEN')).toBe(400);
        expect((await r.json()).error).toBe('invalid_request');
      }
    });
  }

  it('another scheme carries no bearer token: /api and /o/userinfo/ answer 401 with a bare challenge; /o/introspect/ treats Basic as client authentication', async () => {
    for (const path of ['/api/hello', '/o/userinfo/']) {
      const r = await ENDPOINTS[path]('Token abc');
      expect(r.status, path).toBe(401);
      // /api also names its resource metadata (RFC 9728 §5.1), never an error code.
      expect(r.headers.get('www-authenticate'), path).toMatch(/^Bearer realm="[^"]+"(, resource_metadata="[^"]+")?$/);
    }
    const r = await ENDPOINTS['/o/introspect/']('Basic ' + Buffer.from('nobody:nothing').toString('base64'));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await r.json()).error).toBe('invalid_client');
  });

  it('/o/userinfo/ refuses a token in the URL like /api does (§2.3)', async () => {
    const r = await fetch(`${srv.url}/o/userinfo/?access_token=${token}`);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('invalid_request');
  });
});
