// The pure parts of lib/rate-limits.ts: what a "source" is, how keys are built, the delay curve.
import { describe, expect, it } from 'vitest';
import { guessKeys, limitKey, loginKeys, rateLimitSource, throttleDelayMs, tooManyAttemptsMessage, waitInWords } from './rate-limits';

describe('rate-limit sources', () => {
  it('counts an IPv4 address as itself, also when IPv4-mapped in IPv6', () => {
    expect(rateLimitSource('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitSource('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts IPv6 per /64, so one host cannot dodge the limit by rotating its interface identifier (RFC 4291 §2.5.1)', () => {
    const src = rateLimitSource('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(src).toBe('2001:db8:1:2::/64');
    for (const ip of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff::', '2001:DB8:1:2:0:0:0:9%eth0', '2001:db8:1:2::192.0.2.1']) expect(rateLimitSource(ip), ip).toBe(src);
    expect(rateLimitSource('2001:db8:1:3::1')).not.toBe(src);
    expect(rateLimitSource('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitSource('::1')).toBe('0:0:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    expect(rateLimitSource('unknown')).toBe('unknown');
  });
});

describe('rate-limit keys', () => {
  it('escape the separator, so a username cannot name another counter', () => {
    expect(limitKey('a:b', 'c')).not.toBe(limitKey('a', 'b:c'));
    expect(limitKey('x%3a', 'y')).not.toBe(limitKey('x:', 'y'));
    const k = guessKeys('login', 'bob', '192.0.2.1');
    expect(new Set([k.pair, k.source, k.subject]).size).toBe(3);
    expect(guessKeys('login', 'bob:192.0.2.1', '192.0.2.1').pair).not.toBe(k.pair);
    expect(limitKey('a\0b')).not.toContain('\0');
  });

  it('key an account by its canonical username', () => {
    expect(loginKeys('ALICE', '192.0.2.1')).toEqual(loginKeys('\uFF41\uFF4C\uFF49\uFF43\uFF45', '192.0.2.1'));
    expect(loginKeys('al\u0130ce', '192.0.2.1').subject).not.toBe(loginKeys('alice', '192.0.2.1').subject);
  });
});

describe('the delay for an account or client failing from many sources', () => {
  it('is 0 up to RATE_LIMIT_MAX_FAILURES, then grows, and never exceeds RATE_LIMIT_MAX_DELAY_MS', () => {
    const delay = (n: number) => throttleDelayMs(n, 10, 3000);
    expect(delay(1)).toBe(0);
    expect(delay(10)).toBe(0);
    const curve = Array.from({ length: 100 }, (_, i) => delay(11 + i));
    expect(curve.slice(0, 5)).toEqual([100, 200, 400, 800, 1600]);
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThanOrEqual(curve[i - 1]);
    expect(Math.max(...curve)).toBe(3000);
    expect(delay(1e9)).toBe(3000);
    expect(throttleDelayMs(50, 10, 0)).toBe(0);
  });
});

describe('the wait a refused person is told', () => {
  it('OWASP Authentication: a rate-limit message names the wait, rounded up so that waiting that long is enough', () => {
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(45)).toBe('45 seconds');
    expect(waitInWords(58.2)).toBe('59 seconds');
    expect(waitInWords(59.2)).toBe('1 minute');
    expect(waitInWords(60)).toBe('1 minute');
    expect(waitInWords(61)).toBe('2 minutes');
    expect(waitInWords(300)).toBe('5 minutes');
    expect(waitInWords(0)).toBe('1 second');
    expect(waitInWords(Number.NaN)).toBe('1 second');
    expect(tooManyAttemptsMessage('Too many failed attempts.', 287)).toBe('Too many failed attempts. Try again in 5 minutes.');
  });
});
