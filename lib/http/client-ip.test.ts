import { describe, expect, it } from 'vitest';
import { canonicalIp, resolveClientIp } from './client-ip';

const none = { hops: 0, cidrs: [] };
const hops = (n: number) => ({ hops: n, cidrs: [] });
const cidrs = (...c: string[]) => ({ hops: 0, cidrs: c });
const xff = (socket: string, header: string | undefined, trust: { hops: number; cidrs: string[] }) => resolveClientIp(socket, header, trust, 'x-forwarded-for');
const fwd = (socket: string, header: string | undefined, trust: { hops: number; cidrs: string[] }) => resolveClientIp(socket, header, trust, 'forwarded');

describe('canonicalIp', () => {
  it('normalises IPv4-mapped IPv6 to IPv4 (dotted and hex forms)', () => {
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('::FFFF:c000:0201')).toBe('192.0.2.1');
  });

  it('writes IPv6 in one canonical form and strips brackets, ports and zone ids', () => {
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('[2001:db8::1]:4711')).toBe('2001:db8::1');
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1');
    expect(canonicalIp('192.0.2.43:47011')).toBe('192.0.2.43');
  });

  it('answers null for what is not an address (unknown, obfuscated, garbage)', () => {
    for (const s of ['unknown', '_hidden', '', ' ', '1.2.3', '999.1.1.1', '[::1', '[::1]x', 'evil.example', '::ffff:zz', '\0', '[]', ':::']) {
      expect(canonicalIp(s), s).toBeNull();
    }
  });
});

describe('resolveClientIp', () => {
  it('OWASP: without TRUST_PROXY the socket address is the client, whatever the headers say', () => {
    expect(xff('203.0.113.9', '198.51.100.1', none)).toBe('203.0.113.9');
    expect(xff('::ffff:203.0.113.9', undefined, none)).toBe('203.0.113.9');
  });

  it('RFC 7239 §5.2 / nginx $proxy_add_x_forwarded_for: with 1 trusted hop the client is the rightmost entry, never a spoofed leftmost one', () => {
    // The client sent "X-Forwarded-For: 1.1.1.1, 2.2.2.2"; nginx appended its peer 203.0.113.9.
    expect(xff('10.0.0.2', '1.1.1.1, 2.2.2.2, 203.0.113.9', hops(1))).toBe('203.0.113.9');
    expect(xff('10.0.0.2', '203.0.113.9', hops(1))).toBe('203.0.113.9');
  });

  it('hops=2 (CDN in front of nginx): the entry the CDN wrote is the client; a shorter chain gives its leftmost entry', () => {
    expect(xff('10.0.0.2', 'spoof, 203.0.113.9, 198.51.100.20', hops(2))).toBe('203.0.113.9');
    // A client that bypasses the CDN and talks to nginx directly: only nginx's entry is there.
    expect(xff('10.0.0.2', '203.0.113.9', hops(2))).toBe('203.0.113.9');
  });

  it('a trusted hop count with no header at all gives the socket address', () => {
    expect(xff('10.0.0.2', undefined, hops(1))).toBe('10.0.0.2');
    expect(xff('10.0.0.2', '  ', hops(3))).toBe('10.0.0.2');
  });

  it('IPv4 CIDRs: every trusted proxy address is skipped from the right; the first untrusted one is the client', () => {
    const trust = cidrs('10.0.0.0/8', '198.51.100.20');
    expect(xff('10.0.0.2', '1.1.1.1, 203.0.113.9, 198.51.100.20, 10.1.2.3', trust)).toBe('203.0.113.9');
    // A socket peer outside the trusted set is the client itself: its header is ignored.
    expect(xff('203.0.113.50', '1.1.1.1', trust)).toBe('203.0.113.50');
  });

  it('IPv6 CIDRs, and IPv4-mapped socket addresses, match trusted proxies', () => {
    const trust = cidrs('2001:db8:1::/48', '127.0.0.1');
    expect(xff('2001:db8:1::5', '2001:db8:2::7, 2001:db8:1:ffff::1', trust)).toBe('2001:db8:2::7');
    expect(xff('::ffff:127.0.0.1', '203.0.113.9', trust)).toBe('203.0.113.9');
  });

  it('when every entry is a trusted proxy, the leftmost one is the client', () => {
    expect(xff('10.0.0.2', '10.0.0.3, 10.0.0.4', cidrs('10.0.0.0/8'))).toBe('10.0.0.3');
  });

  it('a spoofed leftmost entry changes nothing, whatever the client writes', () => {
    for (const spoof of ['127.0.0.1', '::1', '10.0.0.1', 'unknown', '1.1.1.1, 2.2.2.2, 3.3.3.3']) {
      expect(xff('10.0.0.2', `${spoof}, 203.0.113.9`, hops(1)), spoof).toBe('203.0.113.9');
      expect(xff('10.0.0.2', `${spoof}, 203.0.113.9`, cidrs('10.0.0.0/8')), spoof).toBe('203.0.113.9');
    }
  });

  it('an entry that is not an address stands for its proxy: the address of the hop that wrote it', () => {
    expect(xff('10.0.0.2', '1.1.1.1, garbage', hops(1))).toBe('10.0.0.2');
    expect(xff('10.0.0.2', '1.1.1.1, unknown, 198.51.100.20', hops(2))).toBe('198.51.100.20');
    expect(xff('10.0.0.2', '1.1.1.1, _obf', cidrs('10.0.0.0/8'))).toBe('10.0.0.2');
  });

  it('RFC 7239 §4, §6: Forwarded for= with quoted IPv6 and ports, parameters in any case and order', () => {
    const h = 'for=1.1.1.1, For="[2001:db8:cafe::17]:4711";proto=https;by=10.0.0.2, proto=http;for="198.51.100.20:80"';
    expect(fwd('10.0.0.2', h, hops(1))).toBe('198.51.100.20');
    expect(fwd('10.0.0.2', h, hops(2))).toBe('2001:db8:cafe::17');
    expect(fwd('10.0.0.2', h, cidrs('10.0.0.0/8', '198.51.100.20'))).toBe('2001:db8:cafe::17');
  });

  it('RFC 7239 §6.2, §6.3: unknown and obfuscated Forwarded nodes, and elements without for=, stand for their proxy', () => {
    expect(fwd('10.0.0.2', 'for=unknown', hops(1))).toBe('10.0.0.2');
    expect(fwd('10.0.0.2', 'for=_hidden, for=_SEVKISEK', hops(1))).toBe('10.0.0.2');
    expect(fwd('10.0.0.2', 'for=192.0.2.60, proto=https', hops(1))).toBe('10.0.0.2');
    expect(fwd('10.0.0.2', 'for="\\"quoted, with comma\\"";by=x, for=192.0.2.60', hops(1))).toBe('192.0.2.60');
  });

  it('the header of the other kind is not read: Forwarded under x-forwarded-for, and the reverse', () => {
    expect(xff('10.0.0.2', 'for=192.0.2.60', hops(1))).toBe('10.0.0.2');
    expect(fwd('10.0.0.2', '192.0.2.60', hops(1))).toBe('10.0.0.2');
  });

  it('garbage headers never throw and never yield a non-address', () => {
    const junk = ['"', '""', '",,,"', ';;;', '=,=,=', 'for', 'for=', 'for="[', 'for="[::1', '[[[]]]', '\\', ',,,,', 'a'.repeat(10_000), '\u0000\uffff', '%41', ', '.repeat(2000), 'for="\\'];
    for (const h of junk) {
      for (const trust of [hops(1), hops(5), cidrs('10.0.0.0/8', '::1')]) {
        for (const kind of ['x-forwarded-for', 'forwarded'] as const) {
          const ip = resolveClientIp('10.0.0.2', h, trust, kind);
          expect(canonicalIp(ip), `${kind} ${h.slice(0, 20)}`).toBe(ip);
        }
      }
    }
    expect(resolveClientIp(undefined, '1.1.1.1', hops(1), 'x-forwarded-for')).toBe('unknown');
    expect(resolveClientIp('10.0.0.2', ['1.1.1.1', '203.0.113.9'], hops(1), 'x-forwarded-for')).toBe('203.0.113.9');
  });
});
