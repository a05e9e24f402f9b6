// Allowed origins typed with capitals, a default port or an IDN host must still match the Origin a
// browser sends (RFC 6454 §6.2 serialization): the form stores the canonical form, and migration
// 0002 rewrites rows stored before. Real HTTP against the door, applications made through the
// same schema and service as the /o/applications/ forms.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser } from '@/test/helpers/fixtures';
import { query, sql } from '@/lib/db';
import { defaultFormValues, parseApplicationValues } from '@/lib/apps/schema';
import { createApplication } from '@/lib/apps/service';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
});
afterAll(async () => srv?.close());

const FORM = 'application/x-www-form-urlencoded';

function preflight(from: string) {
  return fetch(`${srv.url}/o/token/`, {
    method: 'OPTIONS',
    headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

function clientCredentials(clientId: string, secret: string, from: string) {
  return fetch(`${srv.url}/o/token/`, {
    method: 'POST',
    headers: { 'content-type': FORM, authorization: basic(clientId, secret), origin: from },
    body: form({ grant_type: 'client_credentials', scope: 'read' }),
  });
}

/** Registers a confidential client-credentials application the way the register form does. */
async function register(allowedOrigins: string) {
  const owner = await makeUser();
  const parsed = parseApplicationValues({ ...defaultFormValues(''), name: 'Odd spellings', grantTypes: ['client_credentials'], allowedOrigins });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  const saved = await createApplication(parsed.data, { id: owner.id, isStaff: false, ip: '127.0.0.1' });
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
  return { clientId: saved.application.clientId, secret: saved.plainSecret!, stored: saved.application.allowedOrigins };
}

describe('RFC 6454: allowed origins registered with capitals, a default port or an IDN host match the browser Origin', () => {
  it('stores https://SPA.Example.org and https://spa2.example.org:443 canonically; preflight and POST from the canonical origins get Access-Control-Allow-Origin', async () => {
    const app = await register('https://SPA.Example.org https://spa2.example.org:443');
    expect(app.stored).toEqual(['https://spa.example.org', 'https://spa2.example.org']);
    for (const origin of ['https://spa.example.org', 'https://spa2.example.org']) {
      const pre = await preflight(origin);
      expect(pre.status, origin).toBe(204);
      expect(pre.headers.get('access-control-allow-origin'), origin).toBe(origin);
      expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
      const post = await clientCredentials(app.clientId, app.secret, origin);
      expect(post.status, origin).toBe(200);
      expect(post.headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
  });

  it('an IDN host is stored as punycode, which is what the browser sends', async () => {
    const app = await register('https://Bücher.example:443');
    expect(app.stored).toEqual(['https://xn--bcher-kva.example']);
    const post = await clientCredentials(app.clientId, app.secret, 'https://xn--bcher-kva.example');
    expect(post.headers.get('access-control-allow-origin')).toBe('https://xn--bcher-kva.example');
  });

  it('an origin the application does not list still gets no CORS headers', async () => {
    const app = await register('https://only.example');
    const post = await clientCredentials(app.clientId, app.secret, 'https://other.example');
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('migration 0002: allowed origins stored before are rewritten to the canonical form', () => {
  const migration = fs.readFileSync(path.resolve(import.meta.dirname, '../../../drizzle/0002_canonical_allowed_origins.sql'), 'utf8');

  it('lower-cases, drops default ports and leading zeros, removes duplicates in order, bumps the version; canonical rows are untouched', async () => {
    // Rows as an older form stored them (inserted directly, not through today's schema).
    const odd = await makeApp({
      grantTypes: ['client_credentials'],
      allowedOrigins: ['https://SPA3.Example.org', 'https://spa4.example.org:443', 'http://LocalHost:80', 'https://spa3.example.org', 'https://a.example:08443', 'http://[::1]:0080', 'https://b.example:80'],
    });
    const fine = await makeApp({ allowedOrigins: ['https://fine.example', 'http://localhost:3000'] });
    const before = await query<{ id: number; version: number }>(sql`SELECT id::int AS id, version FROM applications WHERE id IN (${odd.id}, ${fine.id})`);

    // The server applied the migration at start, before these rows existed; run its statement again.
    await query(sql.raw(migration));

    const rows = await query<{ id: number; allowed_origins: string[]; version: number }>(
      sql`SELECT id::int AS id, allowed_origins, version FROM applications WHERE id IN (${odd.id}, ${fine.id})`,
    );
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    expect(byId.get(odd.id)!.allowed_origins).toEqual(['https://spa3.example.org', 'https://spa4.example.org', 'http://localhost', 'https://a.example:8443', 'http://[::1]', 'https://b.example:80']);
    expect(byId.get(fine.id)!.allowed_origins).toEqual(['https://fine.example', 'http://localhost:3000']);
    const v = new Map(before.map((r) => [Number(r.id), r.version]));
    expect(byId.get(odd.id)!.version).toBe(v.get(odd.id)! + 1);
    expect(byId.get(fine.id)!.version).toBe(v.get(fine.id)!);

    // And the rewritten origin now matches the browser's Origin.
    const post = await clientCredentials(odd.clientId, odd.secret, 'https://spa4.example.org');
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBe('https://spa4.example.org');
  });

  it('is listed in the journal after 0001, so it runs once on existing databases', () => {
    const journal = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../drizzle/meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };
    const [e1, e2] = [journal.entries.find((e) => e.idx === 1)!, journal.entries.find((e) => e.idx === 2)!];
    expect(e2.tag).toBe('0002_canonical_allowed_origins');
    expect(e2.when).toBeGreaterThan(e1.when);
  });
});
