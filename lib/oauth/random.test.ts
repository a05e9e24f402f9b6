import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import {
  USER_CODE_ALPHABET,
  formatUserCode,
  normalizeUserCode,
  randomClientId,
  randomClientSecret,
  randomString,
  randomToken,
  randomUserCode,
  sha256b64url,
  timingSafeEqualStr,
} from './random';

describe('randomToken', () => {
  it('returns base64url of 32 random bytes by default (43 chars, no padding)', () => {
    const t = randomToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t, 'base64url')).toHaveLength(32);
  });

  it('honours the byte count', () => {
    expect(Buffer.from(randomToken(16), 'base64url')).toHaveLength(16);
    expect(randomToken(64)).toHaveLength(86);
  });

  it('does not repeat', () => {
    const set = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(set.size).toBe(1000);
  });
});

describe('sha256b64url', () => {
  it('is base64url(SHA-256(utf8(s)))', () => {
    expect(sha256b64url('abc')).toBe(createHash('sha256').update('abc').digest('base64url'));
    // Well-known SHA-256("abc") = ba7816bf...
    expect(Buffer.from(sha256b64url('abc'), 'base64url').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('is deterministic and 43 chars long', () => {
    expect(sha256b64url('token')).toBe(sha256b64url('token'));
    expect(sha256b64url('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('timingSafeEqualStr', () => {
  it('returns true for equal strings, including empty and non-ASCII', () => {
    expect(timingSafeEqualStr('secret', 'secret')).toBe(true);
    expect(timingSafeEqualStr('', '')).toBe(true);
    expect(timingSafeEqualStr('pässwörd', 'pässwörd')).toBe(true);
  });

  it('returns false for different strings of equal length', () => {
    expect(timingSafeEqualStr('secret', 'secreT')).toBe(false);
  });

  it('returns false (without throwing) for strings of different length', () => {
    expect(timingSafeEqualStr('secret', 'secret1')).toBe(false);
    expect(timingSafeEqualStr('', 'x')).toBe(false);
  });
});

describe('randomString (rejection sampling)', () => {
  it('only uses characters of the alphabet and has the requested length', () => {
    const s = randomString(500, 'abc');
    expect(s).toHaveLength(500);
    expect(s).toMatch(/^[abc]+$/);
  });

  it('is roughly uniform for an alphabet size that does not divide 256', () => {
    // 62 does not divide 256: plain `byte % 62` would make the first 8 characters ~25% more likely.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const n = 62 * 2000;
    const counts = new Map<string, number>();
    for (const ch of randomString(n, alphabet)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const firstEight = [...alphabet.slice(0, 8)].reduce((a, c) => a + (counts.get(c) ?? 0), 0) / 8;
    const rest = [...alphabet.slice(8)].reduce((a, c) => a + (counts.get(c) ?? 0), 0) / 54;
    // Expected ratio 1.0 when unbiased, 1.25 with modulo bias.
    expect(firstEight / rest).toBeGreaterThan(0.9);
    expect(firstEight / rest).toBeLessThan(1.1);
  });

  it('rejects an invalid alphabet or length', () => {
    expect(() => randomString(5, 'a')).toThrow(RangeError);
    expect(() => randomString(-1, 'ab')).toThrow(RangeError);
  });
});

describe('randomClientId / randomClientSecret', () => {
  it('generates a 40-character [A-Za-z0-9] client id (like django-oauth-toolkit)', () => {
    expect(randomClientId()).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(randomClientId()).not.toBe(randomClientId());
  });

  it('generates a 128-character [A-Za-z0-9] client secret (like django-oauth-toolkit)', () => {
    expect(randomClientSecret()).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(randomClientSecret()).not.toBe(randomClientSecret());
  });
});

describe('user codes (RFC 8628 §6.1)', () => {
  it('generates 8 characters from the base-20 alphabet without vowels (RFC 8628 §6.1)', () => {
    expect(USER_CODE_ALPHABET).toBe('BCDFGHJKLMNPQRSTVWXZ');
    for (let i = 0; i < 200; i++) expect(randomUserCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
  });

  it('formats a code as XXXX-XXXX for display', () => {
    expect(formatUserCode('WDJBMJHT')).toBe('WDJB-MJHT');
  });

  it('normalizes case, dashes and spaces typed by the user (RFC 8628 §6.1)', () => {
    expect(normalizeUserCode('wdjb-mjht')).toBe('WDJBMJHT');
    expect(normalizeUserCode(' WDJB MJHT ')).toBe('WDJBMJHT');
    expect(normalizeUserCode('WDJBMJHT')).toBe('WDJBMJHT');
    expect(normalizeUserCode(formatUserCode('BCDFGHJK'))).toBe('BCDFGHJK');
  });

  it('rejects input with the wrong length or characters outside the alphabet', () => {
    expect(normalizeUserCode('WDJB-MJH')).toBeNull();
    expect(normalizeUserCode('WDJB-MJHTX')).toBeNull();
    expect(normalizeUserCode('WDJB-MJHA')).toBeNull(); // vowel
    expect(normalizeUserCode('WDJB-MJH1')).toBeNull(); // digit
    expect(normalizeUserCode('WDJB_MJHT')).toBeNull();
    expect(normalizeUserCode('')).toBeNull();
    expect(normalizeUserCode(null)).toBeNull();
    expect(normalizeUserCode(undefined)).toBeNull();
  });

  it('round-trips generated codes through format and normalize', () => {
    const c = randomUserCode();
    expect(normalizeUserCode(formatUserCode(c))).toBe(c);
  });
});
