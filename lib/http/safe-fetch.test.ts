import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isPublicAddress, safeFetch } from './safe-fetch';

describe('isPublicAddress: the addresses an outbound fetch may connect to (SSRF)', () => {
  it('refuses private, loopback, link-local, CGNAT, multicast, unspecified and reserved IPv4', () => {
    for (const a of ['10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '127.0.0.1', '127.8.9.10', '169.254.169.254', '100.64.0.1', '100.127.255.254', '224.0.0.1', '239.1.1.1', '0.0.0.0', '255.255.255.255', '240.0.0.1', '192.0.2.1', '198.18.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
  it('refuses loopback, unspecified, link-local, unique-local, multicast IPv6 and the IPv4-mapped forms of refused IPv4', () => {
    for (const a of ['::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1', '::10.0.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
  it('refuses IPv6 transition prefixes that embed an IPv4 address, whatever it is: 6to4 (RFC 3056), Teredo (RFC 4380), NAT64 (RFC 6052)', () => {
    // 6to4 of 10.0.0.1 and of 8.8.8.8; Teredo; NAT64 of 192.168.0.1 and of 8.8.8.8; the local-use NAT64 prefix.
    for (const a of ['2002:a00:1::1', '2002:808:808::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::1', '64:ff9b::c0a8:1', '64:ff9b::808:808', '64:ff9b:1::a00:1', '2001:2::1', '2001:10::1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    // Neighbours that are ordinary global unicast stay public.
    for (const a of ['2001:4860:4860::8888', '2003::1', '2001:1::1']) expect(isPublicAddress(a), a).toBe(true);
  });
  it('accepts public unicast addresses (also IPv4-mapped), and nothing that is not an address', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['localhost', 'example.com', '', '1.2.3']) expect(isPublicAddress(a), a).toBe(false);
  });
  it('isLoopbackAddress: 127.0.0.0/8 and ::1 (also IPv4-mapped), nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['10.0.0.1', '::', '8.8.8.8', 'localhost']) expect(isLoopbackAddress(a), a).toBe(false);
  });
});

describe('safeFetch refuses before connecting', () => {
  const opts = { maxBytes: 1000, timeoutMs: 1000, allowLoopback: false, accept: () => true };
  it('anything but https, unless loopback http is allowed', async () => {
    await expect(safeFetch('http://example.com/x.json', opts)).rejects.toThrow(/Only https/);
    await expect(safeFetch('ftp://example.com/x.json', opts)).rejects.toThrow(/Only https/);
    await expect(safeFetch('http://10.0.0.1/x.json', { ...opts, allowLoopback: true })).rejects.toThrow(/Only https/);
  });
  it('a name that resolves to any non-public address, even among public ones', async () => {
    const lookup = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '10.0.0.7', family: 4 as const },
    ];
    await expect(safeFetch('https://mixed.example/x.json', { ...opts, lookup })).rejects.toThrow(/not public/);
  });
  it('an IP literal that is not public', async () => {
    await expect(safeFetch('https://169.254.169.254/latest/meta-data', opts)).rejects.toThrow(/not public/);
    await expect(safeFetch('https://[::ffff:10.0.0.1]/x', opts)).rejects.toThrow(/not public/);
  });
});

describe('safeFetch connects to the address it checked', () => {
  it('a host name is resolved by the lookup given, once, and the connection goes to that address (loopback allowed here)', async () => {
    const http = await import('node:http');
    const server = http.createServer((req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host })));
    await new Promise<void>((r) => server.listen(8413, '127.0.0.1', r));
    try {
      const asked: string[] = [];
      const lookup = async (h: string) => (asked.push(h), [{ address: '127.0.0.1', family: 4 as const }]);
      const r = await safeFetch('http://localhost:8413/doc.json', { maxBytes: 1000, timeoutMs: 2000, allowLoopback: true, accept: (t) => t === 'application/json', lookup });
      expect(JSON.parse(r.body)).toEqual({ host: 'localhost:8413' });
      expect(asked).toEqual(['localhost']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
