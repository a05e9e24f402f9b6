// The canonical form of every identifier we compare case-insensitively or store in more than one
// spelling. One function per kind of value: lookups, unique indexes and rate-limit keys all use it,
// so two spellings can never be one thing in one place and two things in another.

/**
 * Canonical username: Unicode NFKC (full-width "ａｌｉｃｅ" → "alice", compatibility forms folded),
 * then lower case, then NFKC again (lower-casing "İ" yields "i" + U+0307, which stays distinct from
 * "i"). Surrounding white space is dropped. Stored in users.username_canonical (unique) and used for
 * every login lookup and every per-account rate-limit key.
 *
 * @param username as typed (any Unicode string)
 * @returns the canonical form; '' for an empty or all-space input
 */
export function canonicalUsername(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase().normalize('NFKC');
}

// --- URLs we store ------------------------------------------------------------------------------
// Pure (WHATWG URL only), so the application forms can use these in the browser too.

/** scheme "://" host [":" port], nothing else: no userinfo, path, query or fragment, no "%". */
const BARE_ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[0-9A-Fa-f:.]+\]|[^\x00-\x20\x7f/?#\\@:%[\]]+)(?::(\d{1,5}))?$/;
/** A serialized host after IDNA: LDH labels (and "_"), or a bracketed IPv6 literal. */
const ASCII_HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$/;

/**
 * Canonical origin (RFC 6454 §6.2, the serialization browsers send in `Origin`): scheme and host in
 * lower case, an internationalized host as punycode (IDNA, "bücher.example" → "xn--bcher-kva.example"),
 * the scheme's default port dropped (https :443, http :80), other ports without leading zeros.
 * Stored in applications.allowed_origins and used to compare a request's Origin with them.
 *
 * @param value an origin as typed or as received, e.g. "HTTPS://App.Example:443"
 * @returns e.g. "https://app.example"; null when `value` is not a bare http(s) origin (a path, even
 *   "/", a query, a fragment, userinfo, another scheme, "null", an invalid host or port)
 */
export function canonicalOrigin(value: string): string | null {
  if (typeof value !== 'string') return null;
  const m = BARE_ORIGIN.exec(value);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.origin === 'null' || !ASCII_HOST.test(url.hostname)) return null;
  return url.origin;
}

/**
 * Canonical form of a redirect URI (RFC 3986 §6.2.2–6.2.3 as the WHATWG URL serializer applies them):
 * scheme and host in lower case, punycode hosts, no default port, "/" for an empty path of
 * http(s), dot segments removed, characters outside the URL code points percent-encoded.
 * Redirect URIs are compared exactly (RFC 9700 §4.1.3), so the forms store only URIs already in
 * this form and tell the user which one to enter.
 *
 * @param uri an absolute URI as typed
 * @returns its canonical spelling (equal to `uri` when it is already canonical); null when `uri`
 *   is not an absolute URI
 */
export function canonicalUri(uri: string): string | null {
  if (typeof uri !== 'string') return null;
  try {
    return new URL(uri).href;
  } catch {
    return null;
  }
}
