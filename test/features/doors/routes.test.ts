// The route manifest (lib/server/manifest.ts) is the one description of the endpoints: the node
// door serves it, every App Router route file is an adapter over it, the README's endpoint table
// and discovery name its paths, and both doors answer every method alike, with one set of security
// headers. Each test fails on drift between the manifest and what it describes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, makeApp, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { MANIFEST_ENTRIES } from '@/lib/server/manifest';
import { ROUTE_METHODS, routeHandlers } from '@/lib/server/next-door';
import { SECURITY_HEADERS } from '@/lib/http/security-headers';
import { PAGE_PATHS, pathFor, urlFor, type EndpointName } from '@/lib/oauth/paths';
import { GRANT_DEVICE_CODE } from '@/lib/oauth/grants/catalogue';
import { allowHeader } from '@/lib/oauth/endpoint';
import type { NextConfig } from 'next';
import { settings } from './settings';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const withoutSlash = (p: string) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);

/** Every app/**\/route.ts and page.tsx as the URL path Next.js serves it on (route groups "(x)" dropped). */
function appFiles(name: 'route.ts' | 'page.tsx'): Array<{ file: string; path: string }> {
  const out: Array<{ file: string; path: string }> = [];
  const walk = (dir: string, segments: string[]) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full, /^\(.*\)$/.test(d.name) ? segments : [...segments, d.name]);
      else if (d.name === name) out.push({ file: full, path: '/' + segments.join('/') });
    }
  };
  walk(path.join(ROOT, 'app'), []);
  return out;
}

/** Manifest paths (and aliases) without their trailing slash → entry name. */
const manifestPaths = new Map<string, EndpointName>(MANIFEST_ENTRIES.flatMap((e) => e.paths.map((p) => [withoutSlash(p), e.name] as const)));

/** Route files that are not manifest endpoints: Next.js-only routes, each named for why. */
const NEXT_ONLY_ROUTES = new Map<string, string>([
  [withoutSlash(PAGE_PATHS.end_session), 'RP-Initiated Logout reads the Next.js session (app/o/logout/route.ts)'],
  ['/accounts/auth/[...nextauth]', "next-auth's own handlers (lib/auth/handlers.ts)"],
]);

describe('the route manifest and the App Router route files', () => {
  const routes = appFiles('route.ts');

  it('every app/**/route.ts on a manifest path exports exactly its entry\'s route handlers, one per method Next.js dispatches', async () => {
    const adapters = routes.filter((r) => manifestPaths.has(r.path));
    expect(adapters.length).toBeGreaterThan(0);
    for (const r of adapters) {
      const name = manifestPaths.get(r.path)!;
      const mod = (await import(r.file)) as Record<string, unknown>;
      const methods = Object.keys(mod).filter((k) => /^[A-Z]+$/.test(k));
      expect(methods.sort(), r.file).toEqual([...ROUTE_METHODS].sort());
      for (const m of ROUTE_METHODS) expect(mod[m], `${r.file} ${m}`).toBe(routeHandlers(name)[m]);
      expect(mod.dynamic, r.file).toBe('force-dynamic');
    }
  });

  it('every manifest path and alias has its route file, so `next start` serves every endpoint', () => {
    const files = new Set(routes.map((r) => r.path));
    for (const [p, name] of manifestPaths) expect(files.has(p), `app${p}/route.ts for ${name}`).toBe(true);
  });

  it('every other route file is a Next.js-only route, named here with its reason', () => {
    for (const r of routes.filter((x) => !manifestPaths.has(x.path))) {
      expect(NEXT_ONLY_ROUTES.has(r.path), `${r.file} is neither a manifest entry nor a known Next.js-only route`).toBe(true);
    }
  });

});

describe('the manifest\'s caller rules and realms, as the wrapper applies them', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(settings);
  });
  afterAll(async () => srv?.close());
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it('RFC 7662 §2.1: introspection takes a confidential client or a bearer token with the introspection scope; a public client, or a bearer without that scope, is refused', async () => {
    const confidential = await makeApp({ grantTypes: ['client_credentials'] });
    const publicApp = await makeApp({ clientType: 'public' });
    const introspect = (headers: Record<string, string>, body: Record<string, string>) =>
      fetch(`${srv.url}${pathFor('introspection')}`, { method: 'POST', headers: { ...form, ...headers }, body: new URLSearchParams({ token: 'unknown', ...body }) });
    const tokenOf = async (scope: string) =>
      (await (await fetch(`${srv.url}${pathFor('token')}`, { method: 'POST', headers: { ...form, authorization: basic(confidential.clientId, confidential.secret) }, body: new URLSearchParams({ grant_type: 'client_credentials', scope }) })).json()).access_token as string;

    expect(await (await introspect({ authorization: basic(confidential.clientId, confidential.secret) }, {})).json()).toEqual({ active: false });
    expect(await (await introspect({ authorization: `Bearer ${await tokenOf('introspection')}` }, {})).json()).toEqual({ active: false });
    const noScope = await introspect({ authorization: `Bearer ${await tokenOf('read')}` }, {});
    expect(noScope.status).toBe(403);
    expect((await noScope.json()).error).toBe('insufficient_scope');
    const asPublic = await introspect({}, { client_id: publicApp.clientId });
    expect(asPublic.status).toBe(400);
    expect((await asPublic.json()).error).toBe('invalid_client');
  });

  it('RFC 9110 §11.6.1, RFC 6750 §3: each endpoint\'s challenges name its realm: oauth (client authentication), userinfo, api', async () => {
    const challenge = async (name: Parameters<typeof pathFor>[0], init: RequestInit) => (await fetch(`${srv.url}${pathFor(name)}`, init)).headers.get('www-authenticate');
    expect(await challenge('token', { method: 'POST', headers: { ...form, authorization: basic('nobody', 'x') }, body: 'grant_type=client_credentials' })).toBe('Basic realm="oauth"');
    expect(await challenge('userinfo', {})).toBe('Bearer realm="userinfo"');
    expect(await challenge('api_hello', {})).toBe(`Bearer realm="api", resource_metadata="${urlFor('protected_resource_metadata', srv.url)}"`);
    expect(await challenge('introspection', { method: 'POST', headers: { ...form, authorization: 'Bearer unknown' }, body: 'token=x' })).toMatch(/^Bearer realm="oauth", error="invalid_token"/);
  });
});

describe("the README's endpoint table and the manifest", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Endpoints\n'));
  const table = section.slice(0, section.search(/\n\n(?!\|)/)).split('\n').filter((l) => l.startsWith('| `'));
  const listed = new Set(table.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => withoutSlash(m[1]))));

  it('lists every manifest path and alias', () => {
    expect(table.length).toBeGreaterThan(5);
    for (const p of manifestPaths.keys()) expect(listed.has(p), `README Endpoints table misses ${p}`).toBe(true);
  });

  it('lists only paths that exist: manifest endpoints, or Next.js pages and routes in app/', () => {
    const served = new Set([...manifestPaths.keys(), ...appFiles('page.tsx').map((f) => f.path), ...appFiles('route.ts').map((f) => f.path)]);
    for (const p of listed) expect(served.has(p), `README Endpoints table names ${p}, which nothing serves`).toBe(true);
  });
});

describe('both doors answer every method of every endpoint alike, with one set of security headers', () => {
  let srv: TestServer;
  let app: Awaited<ReturnType<typeof makeApp>>;
  const ORIGIN = 'https://spa.routes.example';
  beforeAll(async () => {
    srv = await startTestServer(settings);
    app = await makeApp({ allowedOrigins: [ORIGIN], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
  });
  afterAll(async () => srv?.close());

  /** Requests every endpoint refuses or answers without changing anything: none, and one from an allowed origin with the client's credentials. */
  const variants = (method: string): Array<Record<string, string>> => {
    const form: Record<string, string> = method === 'GET' || method === 'HEAD' ? {} : { 'content-type': 'application/x-www-form-urlencoded' };
    return [form, { ...form, origin: ORIGIN, authorization: basic(app.clientId, app.secret), 'access-control-request-method': 'POST' }];
  };
  const bodyOf = (method: string) => (method === 'GET' || method === 'HEAD' ? undefined : 'scope=read');

  /** Status, headers (minus the transport's) and body. */
  async function snapshot(r: Response) {
    const headers = Object.fromEntries([...r.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)));
    return { status: r.status, headers, body: await r.text() };
  }

  it('RFC 9110 §9, §15.5.6: the node door and the route handlers give the same status, headers and body for GET, HEAD, POST, PUT, DELETE, PATCH and OPTIONS', async () => {
    const seen = new Set<string>();
    for (const e of MANIFEST_ENTRIES) {
      for (const method of ROUTE_METHODS) {
        for (const headers of variants(method)) {
          const url = `${srv.url}${e.paths[0]}`;
          const door = await snapshot(await fetch(url, { method, headers, body: bodyOf(method), redirect: 'manual' }));
          const next = await snapshot(await routeHandlers(e.name)[method](new Request(url, { method, headers, body: bodyOf(method) })));
          // The node door writes the security headers itself; Next.js adds them from next.config.mjs.
          for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
            if (next.headers[k] === undefined && door.headers[k] === v) delete door.headers[k];
          }
          expect(next, `${method} ${e.paths[0]} ${JSON.stringify(headers)}`).toEqual(door);
          seen.add(String(door.status));
          if (door.headers['access-control-allow-origin']) seen.add(`cors ${door.headers['access-control-allow-origin']}`);
        }
      }
    }
    // Not vacuous: documents, preflights, refusals and challenges, with per-application and public CORS.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['200', '204', '400', '401', '405', `cors ${ORIGIN}`, 'cors *']));
  });

  it('RFC 9110 §15.5.6, RFC 9110 §10.2.1: a method an endpoint does not serve gets its refusal: 405 with Allow (the methods it serves), or the protocol\'s 400 invalid_request', async () => {
    for (const e of MANIFEST_ENTRIES) {
      const refusal = e.spec.otherMethods(allowHeader(e.spec));
      // A method the entry does not serve (the RFC 7592 client configuration endpoint serves PUT).
      const method = (['PUT', 'PATCH'] as const).find((m) => !e.spec.methods.includes(m))!;
      const r = await fetch(`${srv.url}${e.paths[0]}`, { method, body: 'x' });
      expect(r.status, e.name).toBe(refusal.status);
      expect([400, 405]).toContain(r.status);
      expect(r.headers.get('allow'), e.name).toBe(r.status === 405 ? allowHeader(e.spec) : null);
      expect(await r.text(), e.name).toContain(refusal.description);
    }
  });

  it('one set of security headers: next.config.mjs sends lib/http/security-headers.json on every Next.js answer', async () => {
    // A plain ESM file, loaded as Next.js loads it (a variable specifier keeps TypeScript out of it).
    const file = path.join(ROOT, 'next.config.mjs');
    const { default: nextConfig } = (await import(file)) as { default: NextConfig };
    const rules = await nextConfig.headers!();
    expect(rules).toHaveLength(1);
    expect(rules[0].source).toBe('/:path*');
    expect(Object.fromEntries(rules[0].headers.map((h) => [h.key, h.value]))).toEqual(SECURITY_HEADERS);
  });

  it('one set of security headers: every answer of the node door and the front door carries it (JSON, preflight, 405, redirect, error page, 413, 400)', async () => {
    const answers: Array<[string, Response]> = [];
    for (const e of MANIFEST_ENTRIES) {
      for (const method of ROUTE_METHODS) answers.push([`${method} ${e.paths[0]}`, await fetch(`${srv.url}${e.paths[0]}`, { method, headers: variants(method)[1], body: bodyOf(method), redirect: 'manual' })]);
    }
    const authorize = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: POSTMAN_CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const redirect = await fetch(`${srv.url}${pathFor('authorization')}?${authorize}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    answers.push(['302 to the login page', redirect]);
    answers.push(['413', await fetch(`${srv.url}${pathFor('token')}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x='.padEnd(70_000, 'x') })]);
    answers.push(['400 path', await fetch(`${srv.url}/o/applications/%FF/`)]);
    for (const [what, r] of answers) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
        // An error page's own Content-Security-Policy is stricter (default-src 'none'), and keeps frame-ancestors.
        if (k === 'content-security-policy') expect(r.headers.get(k), `${what} ${k}`).toContain("frame-ancestors 'none'");
        else expect(r.headers.get(k), `${what} ${k}`).toBe(v);
      }
    }
  });
});

describe('discovery and the device flow name the manifest\'s paths', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(settings);
  });
  afterAll(async () => srv?.close());

  it('RFC 8628 §3.2: verification_uri is the device verification page of the table of paths, under ISSUER', async () => {
    const app = await makeApp({ clientType: 'public', grantTypes: [GRANT_DEVICE_CODE], redirectUris: [] });
    const r = await fetch(`${srv.url}${pathFor('device_authorization')}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: app.clientId }) });
    expect(r.status).toBe(200);
    const d = await r.json();
    expect(d.verification_uri).toBe(urlFor('device_verification', srv.url));
    expect(d.verification_uri_complete).toBe(`${urlFor('device_verification', srv.url)}?user_code=${encodeURIComponent(d.user_code)}`);
  });

  it('OIDC Discovery 1.0 §3, RFC 8414 §2: every endpoint URL in the metadata is urlFor(name, ISSUER), and the node door serves each one (end_session: Next.js)', async () => {
    const m = await (await fetch(`${srv.url}${pathFor('openid_configuration')}`)).json();
    const named: Record<string, Parameters<typeof urlFor>[0]> = {
      authorization_endpoint: 'authorization',
      token_endpoint: 'token',
      userinfo_endpoint: 'userinfo',
      jwks_uri: 'jwks',
      revocation_endpoint: 'revocation',
      introspection_endpoint: 'introspection',
      end_session_endpoint: 'end_session',
      device_authorization_endpoint: 'device_authorization',
    };
    expect(Object.keys(m).filter((k) => k.endsWith('_endpoint') || k.endsWith('_uri')).sort()).toEqual(Object.keys(named).sort());
    for (const [key, name] of Object.entries(named)) {
      expect(m[key], key).toBe(urlFor(name, srv.url));
      const r = await fetch(m[key], { redirect: 'manual' });
      expect(r.headers.get('x-test-handoff'), key).toBe(name === 'end_session' ? 'next' : null);
    }
  });
});
