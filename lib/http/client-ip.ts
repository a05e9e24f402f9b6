// The client's IP address. The front door (lib/server/front-door.ts) resolves it once per request
// from the socket and, behind trusted proxies (TRUST_PROXY), from X-Forwarded-For or Forwarded;
// it then overwrites CLIENT_IP_HEADER with it. Everything else reads that one header (clientIp).
import net from 'node:net';
import { env, type TrustProxy } from '../env';

/** Set by the front door on every request, overwriting any client-sent copy. */
export const CLIENT_IP_HEADER = 'x-oauth-client-ip';

type HeaderLike = { get(name: string): string | null };

const MARK = Symbol.for('oauth.clientIpHeaderIsOurs');
type G = typeof globalThis & { [MARK]?: boolean };

/** Called by the front door: from now on CLIENT_IP_HEADER in this process is the one it wrote. */
export function trustClientIpHeader(): void {
  (globalThis as G)[MARK] = true;
}

/**
 * The client IP of a request, as the front door resolved it (resolveClientIp). Outside the front
 * door (plain `next start`) nobody overwrites the header, so a client could set it: 'unknown' then.
 */
export function clientIp(headers: HeaderLike): string {
  if (!(globalThis as G)[MARK]) return 'unknown';
  return headers.get(CLIENT_IP_HEADER) ?? 'unknown';
}

/**
 * One node of a forwarding chain as an IP address in canonical form: IPv6 lower-case and
 * compressed, IPv4-mapped IPv6 (`::ffff:192.0.2.1`) as IPv4, ports, brackets and zone ids
 * removed. Null for anything else (`unknown`, RFC 7239 §6.3 obfuscated identifiers, garbage).
 */
export function canonicalIp(node: string): string | null {
  let s = node.trim();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(s.slice(end + 1))) return null;
    s = s.slice(1, end);
  } else if (/^[\d.]+:\d{1,5}$/.test(s)) {
    s = s.slice(0, s.indexOf(':')); // IPv4 with a port (RFC 7239 §6: "192.0.2.43:47011")
  }
  s = s.replace(/%.*$/, ''); // zone id
  const kind = net.isIP(s);
  if (kind === 4) return s;
  if (kind !== 6) return null;
  let v6: string;
  try {
    v6 = new URL(`http://[${s}]/`).hostname.slice(1, -1); // WHATWG serialisation: canonical
  } catch {
    return null;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** X-Forwarded-For: comma-separated nodes, nearest proxy's addition last. */
function xForwardedFor(value: string): (string | null)[] {
  return value.split(',').map(canonicalIp);
}

/** Splits on `sep` outside RFC 9110 quoted-strings (with their backslash escapes). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** RFC 7239 §4: one forwarded-element per hop; its `for=` node (§6), or null when absent or not an IP. */
function forwarded(value: string): (string | null)[] {
  return splitOutsideQuotes(value, ',').map((element) => {
    for (const pair of splitOutsideQuotes(element, ';')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === 'for') return canonicalIp(unquote(pair.slice(eq + 1).trim()));
    }
    return null;
  });
}

const blockLists = new WeakMap<TrustProxy, net.BlockList>();

function trustedProxies(trust: TrustProxy): net.BlockList {
  let list = blockLists.get(trust);
  if (!list) {
    list = new net.BlockList();
    for (const entry of trust.cidrs) {
      const [addr, bits] = entry.split('/');
      const ip = canonicalIp(addr);
      if (!ip) continue; // lib/env.ts checked the shape; an impossible address trusts nothing
      const type = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
      if (bits === undefined) list.addAddress(ip, type);
      else list.addSubnet(ip, Math.min(Number(bits), type === 'ipv4' ? 32 : 128), type);
    }
    blockLists.set(trust, list);
  }
  return list;
}

/**
 * The client's IP address for a request that arrived from `socketAddress` (RFC 7239 §5.2,
 * OWASP: never the leftmost X-Forwarded-For entry, which the client writes itself).
 *
 * The forwarding chain is the header's nodes, left to right, followed by the socket address. A
 * proxy appends its peer's address (nginx's `$proxy_add_x_forwarded_for`), so only the entries
 * added by proxies we trust are true. Walking from the socket leftwards:
 * - `trust.hops = N`: the N nearest hops are trusted; the client is the node before them (the
 *   leftmost node when the chain is shorter, e.g. a request that skipped the CDN);
 * - `trust.cidrs`: every node inside a trusted proxy address or CIDR is skipped; the client is
 *   the first one outside them.
 * A node that is not an IP (`unknown`, an obfuscated identifier, garbage) cannot be told apart
 * from the proxy's other clients: the address of the proxy that wrote it stands in for it.
 * No trust (the default): the socket address; headers are ignored.
 *
 * @param socketAddress the TCP peer (req.socket.remoteAddress)
 * @param header the value of `headerName` (X-Forwarded-For or Forwarded); never throws on garbage
 * @returns a canonical IPv4 or IPv6 address (see canonicalIp), or 'unknown' when the socket has none
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  header: string | string[] | undefined,
  trust: TrustProxy = env().TRUST_PROXY,
  headerName: 'x-forwarded-for' | 'forwarded' = env().TRUST_PROXY_HEADER,
): string {
  const peer = canonicalIp(socketAddress ?? '');
  if (!peer) return 'unknown'; // the socket is gone: nothing to trust a header from
  if (trust.hops === 0 && trust.cidrs.length === 0) return peer;
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const chain = [...(value.trim() ? (headerName === 'forwarded' ? forwarded(value) : xForwardedFor(value)) : []), peer];
  let i = chain.length - 1;
  if (trust.hops > 0) i = Math.max(0, i - trust.hops);
  else {
    const proxies = trustedProxies(trust);
    while (i > 0 && chain[i] !== null && proxies.check(chain[i]!, net.isIPv4(chain[i]!) ? 'ipv4' : 'ipv6')) i--;
  }
  while (chain[i] === null) i++; // the last node, the socket address, is never null
  return chain[i]!;
}
