// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document) over real HTTP: the
// documents are served by a test server on 127.0.0.1 (CLIENT_METADATA_ALLOW_LOOPBACK, this folder's
// settings), the authorization server fetches them with its SSRF-safe fetch, and the flow runs
// through the real front door, consent and token endpoint.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { startDocumentServer, type DocumentServer } from '@/test/helpers/document-server';
import { loginSession, makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { expectOAuthError, giveConsent, authorizeUrl, getAuthorize, newVerifier, postToken, expectConsentPage } from '@/test/helpers/codeflow';
import { withSettings } from '@/test/helpers/settings';
import { s256 } from '@/lib/oauth/pkce';
import { getDb } from '@/lib/db';
import { applications } from '@/lib/db/schema';
import { setClientMetadataLookup } from '@/lib/oauth/client-metadata';
import { DOCUMENT_PORTS, settings } from './settings';

let srv: TestServer;
let docs: DocumentServer;
beforeAll(async () => {
  srv = await startTestServer(settings);
  docs = await startDocumentServer(DOCUMENT_PORTS.metadata);
});
afterAll(async () => {
  await docs?.close();
  await srv?.close();
});
afterEach(() => setClientMetadataLookup(undefined));

/** A valid document for the URL it is served at. */
const documentFor = (extra: Record<string, unknown> = {}) => (url: string) => ({
  client_id: url,
  client_name: 'Agent Smith',
  redirect_uris: [POSTMAN_CALLBACK],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
  client_uri: 'https://agent.example/',
  ...extra,
});

const authorizeParams = (clientId: string, verifier = newVerifier()) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: POSTMAN_CALLBACK,
  code_challenge: s256(verifier),
  code_challenge_method: 'S256',
  state: 'st',
});

async function rowOf(clientId: string) {
  const db = await getDb();
  const [row] = await db.select().from(applications).where(eq(applications.clientId, clientId));
  return row;
}

/** Asserts the authorization endpoint's HTML error page (never a redirect) with these phrases. */
async function expectErrorPage(r: Response, ...phrases: RegExp[]) {
  const html = await r.text();
  expect(r.status, html.slice(0, 300)).toBe(400);
  expect(r.headers.get('location')).toBeNull();
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  for (const p of phrases) expect(html).toMatch(p);
}

describe('Client ID Metadata Documents: fetched, validated, kept and used', () => {
  it('draft-ietf-oauth-client-id-metadata-document: an http(s) URL client_id is fetched and becomes an ownerless public client; code + PKCE through consent, then the token endpoint', async () => {
    const clientId = docs.json('/happy.json', documentFor(), { 'cache-control': 'max-age=600' });
    const user = await makeUser();
    const login = await loginSession(user);
    const verifier = newVerifier();
    const outcome = await giveConsent(srv, authorizeUrl(srv, authorizeParams(clientId, verifier)), login);
    expect(outcome.kind).toBe('redirect');
    const code = new URL((outcome as { location: string }).location).searchParams.get('code');
    expect(code).toBeTruthy();
    const r = await postToken(srv, { grant_type: 'authorization_code', code: code!, redirect_uri: POSTMAN_CALLBACK, code_verifier: verifier, client_id: clientId });
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.access_token).toBeTruthy();

    const row = await rowOf(clientId);
    expect(row).toMatchObject({ registrationMethod: 'metadata_document', userId: null, clientType: 'public', name: 'Agent Smith', skipAuthorization: false, clientUri: 'https://agent.example/' });
    expect(row!.redirectUris).toEqual([POSTMAN_CALLBACK]);
    // Its CORS allowed origins are its redirect URIs' (lib/db/queries/registration.ts redirectOrigins).
    expect(row!.allowedOrigins).toEqual([new URL(POSTMAN_CALLBACK).origin]);
  });

  it('a metadata-document client is asked for consent every time: the remembered consent does not skip it', async () => {
    const clientId = docs.json('/ask-again.json', documentFor(), { 'cache-control': 'max-age=600' });
    const login = await loginSession(await makeUser());
    const first = await giveConsent(srv, authorizeUrl(srv, authorizeParams(clientId)), login);
    expect(first.kind).toBe('redirect');
    const again = await getAuthorize(srv, authorizeParams(clientId), login.cookie);
    await expectConsentPage(srv, again, login.cookie);
  });

  it('draft §4: a document whose client_id is not exactly its URL is refused: an error page at authorize (never a redirect), invalid_client at the token endpoint', async () => {
    const clientId = docs.json('/mismatch.json', documentFor({ client_id: `${docs.origin}/other.json` }));
    await expectErrorPage(await getAuthorize(srv, authorizeParams(clientId), (await loginSession(await makeUser())).cookie), /Invalid client/, /names another client_id than its URL/);
    const r = await postToken(srv, { grant_type: 'authorization_code', code: 'x', redirect_uri: POSTMAN_CALLBACK, code_verifier: newVerifier(), client_id: clientId });
    await expectOAuthError(r, 400, 'invalid_client');
    expect(await rowOf(clientId)).toBeUndefined();
  });

  it('a document without redirect_uris, with a client_secret, or asking for private_key_jwt is refused, naming the problem', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    const noUris = docs.json('/no-uris.json', documentFor({ redirect_uris: [] }));
    await expectErrorPage(await getAuthorize(srv, authorizeParams(noUris), cookie), /redirect_uris must list at least one URI/);
    const secret = docs.json('/secret.json', documentFor({ client_secret: 'shh' }));
    await expectErrorPage(await getAuthorize(srv, authorizeParams(secret), cookie), /must not contain a client_secret/);
    const pkjwt = docs.json('/pkjwt.json', documentFor({ token_endpoint_auth_method: 'private_key_jwt' }));
    await expectErrorPage(await getAuthorize(srv, authorizeParams(pkjwt), cookie), /private_key_jwt/, /is not supported for metadata-document clients/);
  });

  it('a document larger than the size limit is refused (counted while reading, also without Content-Length)', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    const big = docs.json('/big.json', documentFor({ padding: 'x'.repeat(6000) }));
    await expectErrorPage(await getAuthorize(srv, authorizeParams(big), cookie), /larger than 5120 bytes/);
    docs.route('/chunked.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 8; i++) res.write(' '.repeat(1000));
      res.end('{}');
    });
    await expectErrorPage(await getAuthorize(srv, authorizeParams(`${docs.origin}/chunked.json`), cookie), /larger than 5120 bytes/);
  });

  it('a document that does not arrive within the time limit is refused', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    let release: () => void = () => {};
    docs.route('/slow.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      // Never finishes by itself: the fetch's time limit (1 s here) must end it.
      release = () => res.end('}');
    });
    await expectErrorPage(await getAuthorize(srv, authorizeParams(`${docs.origin}/slow.json`), cookie), /No answer within 1000 ms/);
    release();
  });

  it('a redirect is never followed (here to a private address), and a non-JSON content type is refused', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    docs.route('/redirect.json', (_req, res) => void res.writeHead(302, { location: 'http://10.0.0.1/client.json' }).end());
    await expectErrorPage(await getAuthorize(srv, authorizeParams(`${docs.origin}/redirect.json`), cookie), /redirects are not followed/);
    docs.route('/html.json', (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    await expectErrorPage(await getAuthorize(srv, authorizeParams(`${docs.origin}/html.json`), cookie), /content type must be JSON/);
  });

  it('SSRF: a host that resolves to a private (10.x) or loopback (127.x) address is refused, and http or loopback only with the development setting', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    const resolved = new Map([['private.cimd.test', '10.1.2.3'], ['loopback.cimd.test', '127.0.0.1'], ['mapped.cimd.test', '::ffff:192.168.1.1']]);
    setClientMetadataLookup(async (host) => [{ address: resolved.get(host) ?? '203.0.113.9', family: resolved.get(host)?.includes(':') ? 6 : 4 }]);
    await expectErrorPage(await getAuthorize(srv, authorizeParams('https://private.cimd.test/client.json'), cookie), /resolves to an address that is not public/);
    await expectErrorPage(await getAuthorize(srv, authorizeParams('https://mapped.cimd.test/client.json'), cookie), /resolves to an address that is not public/);
    await withSettings({ CLIENT_METADATA_ALLOW_LOOPBACK: 'false' }, async () => {
      await expectErrorPage(await getAuthorize(srv, authorizeParams('https://loopback.cimd.test/client.json'), cookie), /resolves to an address that is not public/);
      // The document server itself, over http on 127.0.0.1: refused before any connection.
      const url = docs.json('/off.json', documentFor());
      await expectErrorPage(await getAuthorize(srv, authorizeParams(url), cookie), /A client_id URL must use https/);
      expect(docs.hits('/off.json')).toBe(0);
    });
  });

  it('RFC 9111 §4.2.1: the document is reused for its Cache-Control max-age, clamped to the limits; no-store means the minimum; once stale it is fetched again', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    const cached = docs.json('/cached.json', documentFor(), { 'cache-control': 'public, max-age=600' });
    for (let i = 0; i < 3; i++) await getAuthorize(srv, authorizeParams(cached), cookie);
    expect(docs.hits('/cached.json')).toBe(1);
    let row = (await rowOf(cached))!;
    expect(row.metadataExpiresAt!.getTime() - row.metadataFetchedAt!.getTime()).toBe(600_000);

    const long = docs.json('/long.json', documentFor(), { 'cache-control': 'max-age=9999999' });
    await getAuthorize(srv, authorizeParams(long), cookie);
    row = (await rowOf(long))!;
    expect(row.metadataExpiresAt!.getTime() - row.metadataFetchedAt!.getTime()).toBe(24 * 3600_000);

    const expires = docs.json('/expires.json', documentFor(), { date: new Date(Date.now()).toUTCString(), expires: new Date(Date.now() + 3600_000).toUTCString() });
    await getAuthorize(srv, authorizeParams(expires), cookie);
    row = (await rowOf(expires))!;
    expect(Math.round((row.metadataExpiresAt!.getTime() - row.metadataFetchedAt!.getTime()) / 60_000)).toBe(60);

    const noStore = docs.json('/no-store.json', documentFor(), { 'cache-control': 'no-store' });
    await getAuthorize(srv, authorizeParams(noStore), cookie);
    row = (await rowOf(noStore))!;
    expect(row.metadataExpiresAt!.getTime() - row.metadataFetchedAt!.getTime()).toBe(300_000);

    // With a minimum of 0, a no-store document is stale at once: every use fetches it again and
    // takes its changes (here a new name).
    await withSettings({ limits: { clientMetadataMinCacheSeconds: 0 } }, async () => {
      const changing = docs.json('/changing.json', documentFor({ client_name: 'Before' }), { 'cache-control': 'no-store' });
      await getAuthorize(srv, authorizeParams(changing), cookie);
      docs.json('/changing.json', documentFor({ client_name: 'After' }), { 'cache-control': 'no-store' });
      await getAuthorize(srv, authorizeParams(changing), cookie);
      expect(docs.hits('/changing.json')).toBe(2);
      expect((await rowOf(changing))!.name).toBe('After');
    });
  });

  it('concurrent first uses of one document URL fetch it once', async () => {
    const cookie = (await loginSession(await makeUser())).cookie;
    const url = `${docs.origin}/together.json`;
    const body = JSON.stringify(documentFor()(url));
    let waiting: Array<() => void> = [];
    docs.route('/together.json', (_req, res) => {
      // Answered only once all requests have been sent (the test releases it).
      waiting.push(() => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' }).end(body));
    });
    const answers = Array.from({ length: 5 }, () => getAuthorize(srv, authorizeParams(url), cookie));
    await expect.poll(() => docs.hits('/together.json')).toBeGreaterThan(0);
    // Give the other four requests the chance to reach the fetch too.
    await new Promise((r) => setTimeout(r, 200));
    for (const w of waiting) w();
    waiting = [];
    for (const r of await Promise.all(answers)) expect(r.status).toBe(302);
    expect(docs.hits('/together.json')).toBe(1);
  });

  it('fetches are limited per source (RATE_LIMIT_MAX_FAILURES_PER_IP per window): past it, 429; cached documents do not count', async () => {
    await withSettings({ RATE_LIMIT_MAX_FAILURES_PER_IP: '2', TRUST_PROXY: '1' }, async () => {
      const cookie = (await loginSession(await makeUser())).cookie;
      const from = (clientId: string, ip: string) => fetch(authorizeUrl(srv, authorizeParams(clientId)), { headers: { cookie, 'x-forwarded-for': ip }, redirect: 'manual' });
      const urls = ['/limit-1.json', '/limit-2.json', '/limit-3.json'].map((p) => docs.json(p, documentFor(), { 'cache-control': 'max-age=600' }));
      expect((await from(urls[0]!, '198.51.100.20')).status).toBe(302);
      expect((await from(urls[0]!, '198.51.100.20')).status).toBe(302); // cached: not a fetch
      expect((await from(urls[1]!, '198.51.100.20')).status).toBe(302);
      const over = await from(urls[2]!, '198.51.100.20');
      expect(over.status).toBe(429);
      expect(await over.text()).toMatch(/Too many client metadata documents fetched/);
      expect(docs.hits('/limit-3.json')).toBe(0);
      expect((await from(urls[2]!, '198.51.100.21')).status).toBe(302);
    });
  });

  it('an unreachable document is invalid_client at the token endpoint', async () => {
    const r = await postToken(srv, { grant_type: 'authorization_code', code: 'x', redirect_uri: POSTMAN_CALLBACK, code_verifier: newVerifier(), client_id: `${docs.origin}/missing.json` });
    const body = await expectOAuthError(r, 400, 'invalid_client');
    expect(body.error_description).toMatch(/could not be fetched/);
  });
});

