import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next';

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

  it('keeps only the path of a same-origin absolute URL (next-auth callbackUrl)', () => {
    expect(safeNextPath('http://localhost:8000/o/applications/?x=1', 'http://localhost:8000')).toBe('/o/applications/?x=1');
    expect(safeNextPath('http://evil.example/o/', 'http://localhost:8000')).toBe('/');
  });

  it('does not crash on a malformed callbackUrl (next-auth CVE-2022-31093)', () => {
    expect(safeNextPath('http://[::1', 'http://localhost:8000')).toBe('/');
    expect(safeNextPath('%', 'http://localhost:8000')).toBe('/');
  });
});
