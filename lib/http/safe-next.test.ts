import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkNext, describeNextRefusal, safeNextPath } from './safe-next';
import { DEFAULT_LIMITS } from '../env';
import { withSettings } from '@/test/helpers/settings';

const MAX_NEXT_LENGTH = DEFAULT_LIMITS.nextMaxLength; // the test settings keep the default

describe('safeNextPath (no open redirects after login)', () => {
  it.each([
    ['https://evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/%0d%0aLocation:%20x', '/%0d%0aLocation:%20x'],
    ['/\tevil', '/'],
    ['', '/'],
    [undefined, '/'],
    ['/o/applications/', '/o/applications/'],
    ['/o/authorize/?client_id=a&state=b', '/o/authorize/?client_id=a&state=b'],
  ])('%s → %s', (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });

  it.each(['/.//evil.example', '/..//evil.example', '/a/..//evil.example', '/%2e//evil.example', '/%2E%2e//evil.example', '/x/%2e%2e//evil.example/p?q'])(
    'RFC 3986 §4.2: a next whose dot segments resolve to a network-path reference ("//host") is refused: %s',
    (input) => {
      expect(checkNext(input, 'http://localhost:8000')).toEqual({ path: '/', refused: 'not_this_site' });
    },
  );

  it('keeps only the path of a same-origin absolute URL (next-auth callbackUrl)', () => {
    expect(safeNextPath('http://localhost:8000/o/applications/?x=1', 'http://localhost:8000')).toBe('/o/applications/?x=1');
    expect(safeNextPath('http://evil.example/o/', 'http://localhost:8000')).toBe('/');
  });

  it('does not crash on a malformed callbackUrl (next-auth CVE-2022-31093)', () => {
    expect(safeNextPath('http://[::1', 'http://localhost:8000')).toBe('/');
    expect(safeNextPath('%', 'http://localhost:8000')).toBe('/');
  });
});

describe('checkNext: nothing refused silently, and never a header a response cannot carry', () => {
  it('RFC 3986 §2.5: a non-ASCII next is percent-encoded as UTF-8, so the redirect after login can carry it (issue 12, fault 5)', () => {
    expect(checkNext('/o/applications/?q=é')).toEqual({ path: '/o/applications/?q=%C3%A9', refused: null });
    expect(checkNext('/café/ü?x=😀#ß')).toEqual({ path: '/caf%C3%A9/%C3%BC?x=%F0%9F%98%80#%C3%9F', refused: null });
    // Already encoded: left as it is.
    expect(checkNext('/caf%C3%A9')).toEqual({ path: '/caf%C3%A9', refused: null });
  });

  it(`a next longer than ${MAX_NEXT_LENGTH} characters is refused as too long, and the page says so`, () => {
    const long = checkNext(`/o/authorize/?state=${'x'.repeat(MAX_NEXT_LENGTH)}`);
    expect(long).toEqual({ path: '/', refused: 'too_long' });
    expect(describeNextRefusal('too_long')).toContain('longer than 4,096 characters');
    // The limit is on the encoded form: 1,000 "é" are 6,000 characters once encoded.
    expect(checkNext(`/${'é'.repeat(1000)}`).refused).toBe('too_long');
    expect(checkNext(`/${'x'.repeat(MAX_NEXT_LENGTH - 1)}`)).toEqual({ path: `/${'x'.repeat(MAX_NEXT_LENGTH - 1)}`, refused: null });
  });

  it('the longest next followed is the setting limits.nextMaxLength', async () => {
    await withSettings({ limits: { nextMaxLength: 10 } }, () => {
      expect(checkNext('/123456789')).toEqual({ path: '/123456789', refused: null });
      expect(checkNext('/1234567890')).toEqual({ path: '/', refused: 'too_long' });
      expect(describeNextRefusal('too_long')).toContain('longer than 10 characters');
    });
    expect(checkNext('/1234567890').refused).toBeNull();
  });

  it('a next of another site is refused as such; no next at all is no refusal', () => {
    expect(checkNext('https://evil.example/')).toEqual({ path: '/', refused: 'not_this_site' });
    expect(describeNextRefusal('not_this_site')).toContain('not a page of this site');
    expect(checkNext(undefined)).toEqual({ path: '/', refused: null });
    expect(checkNext('')).toEqual({ path: '/', refused: null });
  });

  it('for any input: a same-site path of printable ASCII, or "/" with the reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.webUrl(), fc.string({ unit: 'binary' }).map((s) => `/${s}`), fc.tuple(fc.constantFrom('/.', '/..', '/%2e', '/a/%2E%2e', '/./.'), fc.string({ unit: 'binary' })).map(([p, s]) => `${p}/${s}`)), (input) => {
        const { path, refused } = checkNext(input, 'http://localhost:8000');
        expect(path).toMatch(/^\/[\x21-\x7e]*$/);
        expect(path.startsWith('//') || path.startsWith('/\\')).toBe(false);
        expect(new URL(path, 'http://localhost:8000').origin).toBe('http://localhost:8000');
        if (refused) expect(path).toBe('/');
      }),
      { numRuns: 2000 },
    );
  });
});
