// The server's MACs (the flash notice, the "Add this callback" offer): each keyed by its own key
// derived from AUTH_SECRET with HKDF (RFC 5869), so a value sealed for one purpose never verifies
// as another. Pure (node:crypto only).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const keys = new Map<string, Buffer>();

/**
 * The 32-byte key for one purpose: HKDF-SHA-256 over `secret`, salt `oauth-provider/<label>`,
 * info `info`. Cached per (secret, label, info); a changed secret (tests) drops the old keys.
 * @param secret AUTH_SECRET (≥ 32 characters)
 * @param label the purpose ('flash', 'add-callback'): a different label gives an unrelated key
 * @param info the purpose and version of the MAC, e.g. 'flash notice MAC v1'
 */
export function derivedKey(secret: string, label: string, info: string): Buffer {
  const id = `${label}\0${info}\0${secret}`;
  let k = keys.get(id);
  if (!k) {
    if (![...keys.keys()].some((key) => key.endsWith(`\0${secret}`))) keys.clear();
    k = Buffer.from(hkdfSync('sha256', secret, `oauth-provider/${label}`, info, 32));
    keys.set(id, k);
  }
  return k;
}

/** HMAC-SHA-256 of `body` under `key` (32 bytes). */
export const hmacSha256 = (key: Buffer, body: string): Buffer => createHmac('sha256', key).update(body).digest();

/**
 * Whether a MAC given as base64url equals `want`, compared in constant time (a wrong length, or
 * junk, is simply false).
 */
export function macMatches(given: string, want: Buffer): boolean {
  const g = Buffer.from(given, 'base64url');
  return g.length === want.length && timingSafeEqual(g, want);
}
