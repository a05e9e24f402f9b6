import { describe, it, expect } from 'vitest';
import { formatScope, isSubset, isValidScopeToken, parseScope } from './scope';

describe('parseScope', () => {
  it('splits a space-delimited scope string (RFC 6749 §3.3)', () => {
    expect(parseScope('openid profile email')).toEqual(['openid', 'profile', 'email']);
  });

  it('drops empty tokens from repeated, leading and trailing spaces', () => {
    expect(parseScope('  openid   profile ')).toEqual(['openid', 'profile']);
  });

  it('removes duplicates while keeping first-seen order', () => {
    expect(parseScope('b a b c a')).toEqual(['b', 'a', 'c']);
  });

  it('treats scope tokens as case-sensitive (RFC 6749 §3.3)', () => {
    expect(parseScope('read READ')).toEqual(['read', 'READ']);
  });

  it('returns an empty list for null, undefined and empty input without throwing', () => {
    expect(parseScope(null)).toEqual([]);
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope('')).toEqual([]);
    expect(parseScope('   ')).toEqual([]);
  });

  it('splits only on SP, so a tab stays inside a (then invalid) token', () => {
    expect(parseScope('a\tb')).toEqual(['a\tb']);
    expect(isValidScopeToken('a\tb')).toBe(false);
  });
});

describe('isValidScopeToken', () => {
  it('accepts tokens made of %x21 / %x23-5B / %x5D-7E (RFC 6749 §3.3)', () => {
    for (const t of ['openid', 'read:user', 'https://api.example.com/read', '!', '~', 'a[b]', '{x}']) {
      expect(isValidScopeToken(t)).toBe(true);
    }
  });

  it('rejects the empty string (scope-token is 1*)', () => {
    expect(isValidScopeToken('')).toBe(false);
  });

  it('rejects space, double quote and backslash (excluded by the grammar)', () => {
    expect(isValidScopeToken('a b')).toBe(false);
    expect(isValidScopeToken('a"b')).toBe(false);
    expect(isValidScopeToken('a\\b')).toBe(false);
  });

  it('rejects control characters, DEL and non-ASCII', () => {
    expect(isValidScopeToken('a\nb')).toBe(false);
    expect(isValidScopeToken('a\x7fb')).toBe(false);
    expect(isValidScopeToken('é')).toBe(false);
  });
});

describe('formatScope', () => {
  it('joins tokens with a single space', () => {
    expect(formatScope(['openid', 'email'])).toBe('openid email');
    expect(formatScope([])).toBe('');
  });

  it('round-trips with parseScope', () => {
    expect(parseScope(formatScope(['a', 'b', 'c']))).toEqual(['a', 'b', 'c']);
  });
});

describe('isSubset', () => {
  it('accepts a subset of the allowed scopes', () => {
    expect(isSubset(['openid'], ['openid', 'profile'])).toBe(true);
    expect(isSubset([], ['openid'])).toBe(true);
  });

  it('rejects a scope that was not allowed', () => {
    expect(isSubset(['openid', 'admin'], ['openid', 'profile'])).toBe(false);
    expect(isSubset(['openid'], [])).toBe(false);
  });

  it('compares case-sensitively (RFC 6749 §3.3)', () => {
    expect(isSubset(['OpenID'], ['openid'])).toBe(false);
  });
});
