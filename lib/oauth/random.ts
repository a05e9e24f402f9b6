/** Random identifiers, token hashing and constant-time comparison. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// RFC 8628 §6.1: base-20 alphabet without vowels or look-alike characters.
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

// Per-process key: comparing HMACs of both inputs hides their lengths and content.
const COMPARE_KEY = randomBytes(32);

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** How tokens are stored: only the hash, so a DB leak does not leak usable tokens. */
export function sha256b64url(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64url');
}

export function timingSafeEqualStr(a: string, b: string): boolean {
  const ha = createHmac('sha256', COMPARE_KEY).update(String(a), 'utf8').digest();
  const hb = createHmac('sha256', COMPARE_KEY).update(String(b), 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Uniform random string over `alphabet` (length ≤ 256). Bytes at or above the
 * largest multiple of the alphabet size are discarded (rejection sampling),
 * so `byte % n` has no modulo bias.
 */
export function randomString(length: number, alphabet: string): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError('alphabet must have 2..256 characters');
  if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer');
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    // Over-draw a little so one call usually suffices.
    const buf = randomBytes(Math.ceil((length - out.length) * 1.3) + 8);
    for (let i = 0; i < buf.length && out.length < length; i++) {
      const byte = buf[i]!;
      if (byte < limit) out += alphabet[byte % n];
    }
  }
  return out;
}

/** 40 chars of [A-Za-z0-9], like django-oauth-toolkit's generate_client_id. */
export function randomClientId(): string {
  return randomString(40, ALNUM);
}

/** 128 chars of [A-Za-z0-9], like django-oauth-toolkit's generate_client_secret. */
export function randomClientSecret(): string {
  return randomString(128, ALNUM);
}

/** 8 chars from the RFC 8628 §6.1 base-20 alphabet (≈34.5 bits of entropy). */
export function randomUserCode(): string {
  return randomString(USER_CODE_LENGTH, USER_CODE_ALPHABET);
}

/** "BCDFGHJK" → "BCDF-GHJK" for display (RFC 8628 §6.1 suggests a separator). */
export function formatUserCode(c: string): string {
  return c.length === USER_CODE_LENGTH ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
}

/**
 * RFC 8628 §6.1: "the server should ignore any characters like punctuation that
 * are not in the character set" and compare case-insensitively. We only strip
 * dashes and whitespace; anything else makes the input invalid.
 */
export function normalizeUserCode(input: string | null | undefined): string | null {
  if (typeof input !== 'string') return null;
  const c = input.toUpperCase().replace(/[-\s]/g, '');
  if (c.length !== USER_CODE_LENGTH) return null;
  for (const ch of c) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return c;
}
