// An outbound GET that a request's URL cannot turn against this server's network (SSRF, OWASP
// SSRF Prevention Cheat Sheet): the host is resolved here, every address it resolves to must be a
// public one, and the connection goes to the checked address (pinned: no second DNS lookup between
// the check and the connect; TLS SNI and Host stay the name). Redirects are never followed (a 3xx
// is a refusal: a redirect could lead to an address nobody checked), the body is counted while it
// is read, and the whole exchange has one time limit. Used for Client ID Metadata Documents
// (lib/oauth/client-metadata.ts).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isLoopbackHost } from '../oauth/redirect-uri';

/** Why a safe fetch failed, in words for the client developer (RFC 6749 §5.2 characters). */
export class SafeFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafeFetchError';
  }
}

/** One resolved address (dns.lookup's shape). */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; tests replace it to make a name resolve to 10.x or 127.x. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

const systemLookup: HostLookup = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface SafeFetchOptions {
  /** Largest body accepted (bytes, counted while reading). */
  maxBytes: number;
  /** The whole exchange, connect to last byte (ms). */
  timeoutMs: number;
  /** Development: plain http and loopback addresses (127.0.0.0/8, ::1) allowed; never other private ones. */
  allowLoopback: boolean;
  /** Content types accepted (the media type before any parameters), e.g. application/json. */
  accept: (mediaType: string) => boolean;
  /** The DNS resolution (default: the system's, all addresses). */
  lookup?: HostLookup;
}

export interface SafeFetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// Not public: RFC 6890 special-purpose ranges (private, loopback, link-local, CGNAT, multicast,
// unspecified, documentation, benchmarking, reserved) for IPv4; for IPv6 the same plus
// unique-local, NAT64 and ::/96 (unspecified, loopback, IPv4-compatible). An IPv4-mapped IPv6
// address (::ffff:a.b.c.d) is judged by its IPv4 rules: net.BlockList does that itself.
// Transition prefixes that carry an IPv4 address inside them are refused whole, whatever that
// address is: NAT64 (64:ff9b::/96, RFC 6052, and the local-use 64:ff9b:1::/48: a gateway would relay
// to a private IPv4 address as readily as to a public one), 6to4 (2002::/16, RFC 3056; deprecated
// by RFC 7526) and Teredo (2001::/32, RFC 4380, its IPv4 address obfuscated): no metadata document
// needs them, and judging the embedded address by the IPv4 rules would depend on the relay.
const V4_BLOCKED: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const V6_BLOCKED: Array<[string, number]> = [
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32], // Teredo
  ['2001:2::', 48], // benchmarking (RFC 5180)
  ['2001:10::', 28], // ORCHID (RFC 4843)
  ['2001:20::', 28], // ORCHIDv2 (RFC 7343)
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];
const blocked = new net.BlockList();
for (const [a, p] of V4_BLOCKED) blocked.addSubnet(a, p, 'ipv4');
for (const [a, p] of V6_BLOCKED) blocked.addSubnet(a, p, 'ipv6');
const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const family = (address: string) => (net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null);

/** Whether `address` is in 127.0.0.0/8 or is ::1 (also IPv4-mapped). */
export function isLoopbackAddress(address: string): boolean {
  const f = family(address);
  return f !== null && loopback.check(address, f);
}

/**
 * Whether an outbound connection may go to `address`: a public unicast address. Private,
 * loopback, link-local, unique-local, CGNAT, multicast, unspecified, documentation and reserved
 * addresses are refused, also written as IPv4-mapped or -compatible IPv6.
 */
export function isPublicAddress(address: string): boolean {
  const f = family(address);
  return f !== null && !blocked.check(address, f);
}

/**
 * GET `url` under the rules above.
 * @returns the status (2xx only), the headers and the body as UTF-8 text
 * @throws SafeFetchError (not https; a refused address; a redirect; a non-2xx status; wrong content
 *   type; over maxBytes; over timeoutMs; a network or TLS failure)
 */
export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SafeFetchError('The URL is not valid.');
  }
  const loopbackHttp = opts.allowLoopback && u.protocol === 'http:' && isLoopbackHost(u.hostname);
  if (u.protocol !== 'https:' && !loopbackHttp) throw new SafeFetchError('Only https URLs are fetched.');
  if (u.username || u.password) throw new SafeFetchError('The URL must not contain user credentials.');
  const hostname = u.hostname.replace(/^\[|\]$/g, '');

  const deadline = Date.now() + opts.timeoutMs;
  const timeLeft = () => deadline - Date.now();
  const withinTime = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new SafeFetchError(`No answer within ${opts.timeoutMs} ms.`)), Math.max(0, timeLeft()));
      p.then(
        (v) => (clearTimeout(t), resolve(v)),
        (e) => (clearTimeout(t), reject(e)),
      );
    });

  let addresses: ResolvedAddress[];
  if (net.isIP(hostname)) addresses = [{ address: hostname, family: net.isIPv6(hostname) ? 6 : 4 }];
  else {
    try {
      addresses = await withinTime((opts.lookup ?? systemLookup)(hostname));
    } catch (e) {
      throw e instanceof SafeFetchError ? e : new SafeFetchError(`The host ${hostname.slice(0, 100)} could not be resolved.`);
    }
  }
  if (addresses.length === 0) throw new SafeFetchError(`The host ${hostname.slice(0, 100)} has no address.`);
  // Every address must be acceptable: a name with one public and one private address is refused,
  // so that no choice of address by the connection can reach the private one.
  for (const a of addresses) {
    const ok = isPublicAddress(a.address) || (opts.allowLoopback && isLoopbackAddress(a.address));
    if (!ok) throw new SafeFetchError(`The host ${hostname.slice(0, 100)} resolves to an address that is not public.`);
  }
  const pinned = addresses[0]!;

  return new Promise<SafeFetchResult>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e instanceof SafeFetchError ? e : new SafeFetchError('The document could not be fetched.'));
    };
    const transport = u.protocol === 'https:' ? https : http;
    const req = transport.request(
      {
        protocol: u.protocol,
        host: hostname,
        port: u.port || undefined,
        path: u.pathname + u.search,
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'oauth-server client-metadata-fetch' },
        // Pinned: the connection goes to the address checked above, never to a second lookup's.
        lookup: ((_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) =>
          o?.all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family)) as unknown as net.LookupFunction,
        servername: net.isIP(hostname) ? undefined : hostname,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) return fail(new SafeFetchError(`The document answered with a redirect (${status}); redirects are not followed.`));
        if (status < 200 || status >= 300) return fail(new SafeFetchError(`The document answered with HTTP ${status}.`));
        const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!opts.accept(mediaType)) return fail(new SafeFetchError(`The document's content type must be JSON, got '${mediaType.replace(/[^\x21\x23-\x5b\x5d-\x7e]/g, '').slice(0, 60) || 'none'}'.`));
        const declared = Number(res.headers['content-length']);
        const tooLarge = () => new SafeFetchError(`The document is larger than ${opts.maxBytes} bytes.`);
        if (Number.isFinite(declared) && declared > opts.maxBytes) return fail(tooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) return fail(tooLarge());
          chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => fail(new SafeFetchError(`No answer within ${opts.timeoutMs} ms.`)), Math.max(0, timeLeft()));
    req.on('error', fail);
    req.end();
  });
}
