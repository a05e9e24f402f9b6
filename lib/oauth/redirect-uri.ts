/**
 * Redirect URI and CORS origin validation.
 *
 * Registration is strict (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §2.1/§4.1);
 * matching at the authorization endpoint is exact string comparison
 * (RFC 9700 §4.1.3) with the single RFC 8252 §7.3 loopback-port exception.
 *
 * Checks work on the raw string first and only then on WHATWG URL parsing,
 * because URL normalises away exactly the things an attacker plays with
 * (backslashes, case, dot segments, default ports, odd IPv4 forms).
 */

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// Whitespace, C0 controls, DEL, and anything non-ASCII.
const UNSAFE_CHARS_RE = /[\s\x00-\x1f\x7f-\uffff]/;
const BLOCKED_SCHEMES = new Set(['javascript', 'data', 'file', 'vbscript', 'ftp', 'blob', 'about', 'filesystem']);
const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const LOOPBACK_V4_RE = new RegExp(`^127\\.${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}$`);
// Loopback IP literal redirect URIs eligible for the any-port rule (RFC 8252 §7.3).
// `localhost` is deliberately excluded (RFC 8252 §8.3: NOT RECOMMENDED, may resolve elsewhere).
const LOOPBACK_IP_REDIRECT_RE = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?((?:[/?][^#]*)?)$/;
// Serialized origin: scheme "://" host [ ":" port ] (RFC 6454 §6.2). Hosts are DNS names
// (IDNs arrive as punycode), IPv4 or bracketed IPv6 — no wildcards or percent-escapes.
const ORIGIN_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/;

/** Quote a (possibly hostile or huge) URI for an error message. */
function show(uri: string): string {
  // Plain ASCII single quotes: the sentence may become an RFC 6749 §5.2 error_description as it is.
  return `'${uri.length > 200 ? `${uri.slice(0, 200)}...` : uri}'`;
}

/** Raw authority of a hierarchical URI (`scheme://authority...`), or null if there is none. */
function rawAuthority(uri: string): string | null {
  const m = SCHEME_RE.exec(uri);
  if (!m) return null;
  const rest = uri.slice(m[0].length);
  if (!rest.startsWith('//')) return null;
  // RFC 3986 §3.2: the authority is terminated by the next "/", "?" or "#".
  // "\" is included because WHATWG URL treats it as "/" for special schemes.
  const end = rest.slice(2).search(/[/?#\\]/);
  return end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
}

/** Split a raw `host[:port]` authority (no userinfo). */
function splitHostPort(authority: string): { host: string; port: string | null } | null {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return null;
    const host = authority.slice(0, close + 1);
    const after = authority.slice(close + 1);
    if (after === '') return { host, port: null };
    if (!after.startsWith(':')) return null;
    return { host, port: after.slice(1) };
  }
  const colon = authority.indexOf(':');
  if (colon === -1) return { host: authority, port: null };
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

function tryParseUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

/** Space/newline separated list (as typed into a textarea), without empties or duplicates. */
export function parseUriList(text: string | null | undefined): string[] {
  if (typeof text !== 'string') return [];
  return [...new Set(text.split(/\s+/).filter((s) => s !== ''))];
}

/**
 * Loopback host names allowed with plain http: 127.0.0.0/8 in strict
 * dotted-decimal form, ::1 (with or without brackets) and localhost.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (typeof hostname !== 'string') return false;
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || LOOPBACK_V4_RE.test(h);
}

/** Returns a human-readable error for an unacceptable redirect URI, or null if it is acceptable. */
export function checkRedirectUriForRegistration(uri: string): string | null {
  if (typeof uri !== 'string' || uri === '') return 'Redirect URI must not be empty';
  if (UNSAFE_CHARS_RE.test(uri)) {
    return `Redirect URI must not contain whitespace, control or non-ASCII characters (percent-encode them): ${show(uri)}`;
  }
  if (uri.includes('\\')) return `Redirect URI must not contain backslashes: ${show(uri)}`;

  // RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI as defined by [RFC3986] Section 4.3."
  const sm = SCHEME_RE.exec(uri);
  if (!sm) return `Redirect URI must be an absolute URI with a scheme (e.g. https://): ${show(uri)}`;
  const scheme = sm[1]!.toLowerCase();

  // RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component." — an empty "#" too.
  if (uri.includes('#')) return `Redirect URI must not contain a fragment (#…): ${show(uri)}`;

  if (BLOCKED_SCHEMES.has(scheme)) return `Redirect URI scheme "${scheme}:" is not allowed: ${show(uri)}`;

  // Userinfo enables `http://localhost@evil.example/` tricks (CVE-2024-8883) and is never needed.
  const authority = rawAuthority(uri);
  if (authority !== null && authority.includes('@')) {
    return `Redirect URI must not contain user credentials (userinfo@): ${show(uri)}`;
  }

  const url = tryParseUrl(uri);
  if (!url) return `Redirect URI is not a valid URI: ${show(uri)}`;
  if (url.username !== '' || url.password !== '') {
    return `Redirect URI must not contain user credentials (userinfo@): ${show(uri)}`;
  }

  if (scheme === 'https' || scheme === 'http') {
    // WHATWG URL accepts "https:example.com"; require the explicit "//" authority form.
    const hp = authority === null ? null : splitHostPort(authority);
    if (!hp || hp.host === '' || url.hostname === '') {
      return `Redirect URI must have the form ${scheme}://host/path: ${show(uri)}`;
    }
    // RFC 9700 §2.1 / RFC 8252 §8.3: plain http only for loopback. Check the raw host so that
    // alternative IPv4 spellings (127.1, 0x7f.0.0.1) are not silently accepted.
    if (scheme === 'http' && !isLoopbackHost(hp.host)) {
      return `Redirect URI must use https (http is allowed only for 127.0.0.1, [::1] or localhost): ${show(uri)}`;
    }
    return null;
  }

  // RFC 8252 §7.1: "When choosing a URI scheme to associate with the app, apps MUST use a URI
  // scheme based on a domain name under their control, expressed in reverse order".
  if (!scheme.includes('.')) {
    return `Redirect URI scheme "${scheme}:" is not allowed; use https, http on a loopback host, or a reverse-domain private-use scheme such as com.example.app:/callback (RFC 8252 §7.1): ${show(uri)}`;
  }
  if (uri.length === sm[0].length) return `Redirect URI must have a path after the scheme: ${show(uri)}`;
  return null;
}

/**
 * Returns an error for an unacceptable CORS allowed origin, or null.
 * Must be exactly scheme://host[:port] — no path (not even "/"), query, fragment or userinfo.
 */
export function checkAllowedOriginForRegistration(origin: string): string | null {
  if (typeof origin !== 'string' || origin === '') return 'Allowed origin must not be empty';
  if (UNSAFE_CHARS_RE.test(origin)) {
    return `Allowed origin must not contain whitespace, control or non-ASCII characters: ${show(origin)}`;
  }
  const sm = SCHEME_RE.exec(origin);
  if (!sm || !origin.slice(sm[0].length).startsWith('//')) {
    return `Allowed origin must have the form scheme://host[:port]: ${show(origin)}`;
  }
  const scheme = sm[1]!.toLowerCase();
  if (origin.includes('#')) return `Allowed origin must not contain a fragment (#…): ${show(origin)}`;
  if (origin.includes('?')) return `Allowed origin must not contain a query (?…): ${show(origin)}`;
  const authority = rawAuthority(origin) ?? '';
  if (authority.includes('@')) return `Allowed origin must not contain user credentials (userinfo@): ${show(origin)}`;
  if (origin.length > sm[0].length + 2 + authority.length) {
    return `Allowed origin must not have a path, not even a trailing "/" (use scheme://host[:port]): ${show(origin)}`;
  }
  const m = ORIGIN_RE.exec(origin);
  const url = m ? tryParseUrl(origin) : null;
  if (!m || !url || url.hostname === '') return `Allowed origin is not a valid origin: ${show(origin)}`;
  if (scheme === 'https') return null;
  if (scheme === 'http') {
    return isLoopbackHost(m[2]!)
      ? null
      : `Allowed origin must use https (http is allowed only for 127.0.0.1, [::1] or localhost): ${show(origin)}`;
  }
  return `Allowed origin must use https: ${show(origin)}`;
}

/**
 * Finds the registered redirect URI that `requested` matches, or null.
 *
 * RFC 9700 §4.1.3: "the authorization server MUST ensure that the two URIs are equal, see
 * Section 6.2.1 of [RFC3986], Simple String Comparison, for details. The only exception
 * is native apps using a localhost URI: In this case, the authorization server MUST allow
 * variable port numbers as described in Section 7.3 of [RFC8252]."
 */
export function matchRedirectUri(registered: readonly string[], requested: string): string | null {
  if (typeof requested !== 'string' || requested === '') return null;
  // Defence in depth: registration already forbids these, so a legacy bad entry cannot match.
  if (requested.includes('#') || UNSAFE_CHARS_RE.test(requested) || requested.includes('\\')) return null;
  const authority = rawAuthority(requested);
  if (authority !== null && authority.includes('@')) return null;

  for (const r of registered) {
    if (r === requested) return r;
  }

  // RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at the time
  // of the request for loopback IP redirect URIs, to accommodate clients that obtain an
  // available ephemeral port from the operating system at the time of the request."
  const req = LOOPBACK_IP_REDIRECT_RE.exec(requested);
  if (!req) return null;
  const [, reqHost, reqPort, reqRest] = req;
  if (reqPort !== undefined && !isValidPort(reqPort)) return null;
  // The regex already pins the authority to host[:port]; re-check with a real parser anyway.
  const url = tryParseUrl(requested);
  if (!url || url.username !== '' || url.password !== '' || url.hash !== '' || url.hostname !== reqHost) {
    return null;
  }
  for (const r of registered) {
    const reg = LOOPBACK_IP_REDIRECT_RE.exec(r);
    if (!reg) continue;
    // Scheme ("http://" literal in the regex), host, path and query must be identical.
    if (reg[1] === reqHost && reg[3] === reqRest) return r;
  }
  return null;
}

function isValidPort(p: string): boolean {
  // No leading zeros: keeps one spelling per port.
  return /^[1-9]\d{0,4}$/.test(p) && Number(p) <= 65535;
}
