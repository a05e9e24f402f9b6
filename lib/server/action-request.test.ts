import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkActionBody, checkActionOrigin, checkReplyModel, isPossibleServerAction } from './action-request';

// React's own encoder (what a page's JavaScript sends): the guard must pass all it writes for our values.
const require = createRequire(import.meta.url);
const { encodeReply } = require('next/dist/compiled/react-server-dom-webpack/client.node.js') as { encodeReply: (v: unknown) => Promise<string | FormData> };

const ISSUER = 'https://auth.example.org';
const ACTION = { 'next-action': '40bf631ea30e9e27f19a7041b1056491b98b9df1ab' };

/** The request body and content type fetch() would send for `body`. */
async function wire(body: string | FormData): Promise<{ contentType: string; bytes: Buffer }> {
  const r = new Request('http://x/', { method: 'POST', body });
  return { contentType: r.headers.get('content-type')!, bytes: Buffer.from(await r.arrayBuffer()) };
}

describe('which requests Next.js treats as a possible server action', () => {
  it('a POST with Next-Action, or a multipart POST; nothing else', () => {
    expect(isPossibleServerAction({ method: 'POST', headers: { 'next-action': 'x' } })).toBe(true);
    expect(isPossibleServerAction({ method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' } })).toBe(true);
    expect(isPossibleServerAction({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toBe(false);
    expect(isPossibleServerAction({ method: 'GET', headers: { 'next-action': 'x' } })).toBe(false);
  });
});

describe('OWASP CSRF Prevention: a server action from another origin is refused (403)', () => {
  const host = { host: 'auth.example.org' };
  it('our own origin passes; no Origin (not a browser) passes, as in Next.js', () => {
    expect(checkActionOrigin({ ...host, origin: ISSUER }, ISSUER)).toBeNull();
    expect(checkActionOrigin(host, ISSUER)).toBeNull();
  });

  it('Fetch Metadata: Origin "null" from our own page (a form sent without JavaScript under Referrer-Policy: no-referrer) passes only with Sec-Fetch-Site: same-origin', () => {
    expect(checkActionOrigin({ ...host, origin: 'null', 'sec-fetch-site': 'same-origin' }, ISSUER)).toBeNull();
    for (const site of ['cross-site', 'same-site', 'none', undefined]) {
      expect(checkActionOrigin({ ...host, origin: 'null', ...(site ? { 'sec-fetch-site': site } : {}) }, ISSUER)?.status, String(site)).toBe(403);
    }
    expect(checkActionOrigin({ host: 'internal:3000', origin: 'null', 'sec-fetch-site': 'same-origin' }, ISSUER)?.status).toBe(403);
  });

  it('another origin, "null" without Fetch Metadata, garbage, or an Origin that is ours but not the Host are 403', () => {
    for (const origin of ['https://evil.example', 'null', '::', 'http://auth.example.org', 'https://auth.example.org:8443']) {
      expect(checkActionOrigin({ ...host, origin }, ISSUER)?.status, origin).toBe(403);
    }
    expect(checkActionOrigin({ host: 'internal:3000', origin: ISSUER }, ISSUER)?.status).toBe(403);
    expect(checkActionOrigin({ host: 'internal:3000', 'x-forwarded-host': 'auth.example.org', origin: ISSUER }, ISSUER)).toBeNull();
  });
});

describe('a server action body Next.js cannot decode is 400', () => {
  it('what React encodes for our actions passes: FormData with state, bound ids, strings with $, undefined, no arguments', async () => {
    const form = new FormData();
    form.set('name', '$(rm -rf /) and a\u0000NUL');
    form.append('grantTypes', 'authorization_code');
    const lists = [[{ seq: 1, values: { name: '$x' } }, form], [42, { seq: 0 }, form], ['$1', undefined, -0, NaN, Infinity, 10n, new Date(0)], []];
    for (const [i, args] of lists.entries()) {
      const { contentType, bytes } = await wire(await encodeReply(args));
      expect(await checkActionBody({ ...ACTION, 'content-type': contentType }, bytes), `list ${i}`).toBeNull();
    }
  });

  it('garbage multipart, a missing boundary, a missing argument list, text that is not React\'s encoding', async () => {
    const bad: Array<[string, string]> = [
      ['multipart/form-data; boundary=xyz', 'garbage'],
      ['multipart/form-data', '--xyz\r\nContent-Disposition: form-data; name="0"\r\n\r\n[]\r\n--xyz--\r\n'],
      ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="1"\r\n\r\n[]\r\n--xyz--\r\n'],
      ['text/plain;charset=UTF-8', 'garbage{'],
      ['text/plain;charset=UTF-8', '"not a list"'],
      ['text/plain;charset=UTF-8', '["$@1"]'],
      ['text/plain;charset=UTF-8', '["$Q1"]'],
      ['text/plain;charset=UTF-8', '["$nabc"]'],
      ['text/plain;charset=UTF-8', '["$0:9:zz"]'],
      ['text/plain;charset=UTF-8', JSON.stringify(Array(1001).fill(0))],
      ['text/plain;charset=UTF-8', '['.repeat(100) + ']'.repeat(100)],
      ['', ''],
    ];
    for (const [type, body] of bad) {
      const r = await checkActionBody({ ...ACTION, 'content-type': type }, Buffer.from(body));
      expect(r?.status, `${type} ${body.slice(0, 40)}`).toBe(400);
    }
  });

  it('a form sent without JavaScript: malformed multipart and broken bound-action descriptors are 400; plain forms pass', async () => {
    expect((await checkActionBody({ 'content-type': 'multipart/form-data; boundary=xyz' }, Buffer.from('garbage')))?.status).toBe(400);
    const ok = new FormData();
    ok.set('$ACTION_ID_40bf631ea30e9e27f19a7041b1056491b98b9df1ab', '');
    ok.set('user_id', 'x');
    const bound = new FormData();
    bound.set('$ACTION_REF_1', '');
    bound.set('$ACTION_1:0', '{"id":"40bf631ea30e9e27f19a7041b1056491b98b9df1ab","bound":"$@1"}');
    bound.set('$ACTION_1:1', '[7]');
    for (const f of [ok, bound, new FormData()]) {
      const { contentType, bytes } = await wire(f);
      expect(await checkActionBody({ 'content-type': contentType }, bytes)).toBeNull();
    }
    for (const [descriptor, args] of [['{"id":"x","bound":"$@1"', '[7]'], ['{"id":"x","bound":"$@1"}', '[7'], ['{"id":"x","bound":"$@2"}', '[7]'], ['{"id":1}', '[]']]) {
      const f = new FormData();
      f.set('$ACTION_REF_1', '');
      f.set('$ACTION_1:0', descriptor);
      f.set('$ACTION_1:1', args);
      const { contentType, bytes } = await wire(f);
      expect((await checkActionBody({ 'content-type': contentType }, bytes))?.status, descriptor + args).toBe(400);
    }
  });

  it('property: every argument list React encodes from JSON-like values passes; every JSON text either passes or is refused, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 5 }), async (args) => {
        const { contentType, bytes } = await wire(await encodeReply(args));
        expect(await checkActionBody({ ...ACTION, 'content-type': contentType }, bytes)).toBeNull();
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const r = checkReplyModel(text);
        expect(r === null || typeof r === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
