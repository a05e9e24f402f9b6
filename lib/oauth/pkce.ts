/** PKCE (RFC 7636). */
import { createHash, timingSafeEqual } from 'node:crypto';

export type PkceMethod = 'S256' | 'plain';

// §4.1: code-verifier = 43*128unreserved ; unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// SHA-256 is 32 bytes → 43 base64url chars without padding.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isValidCodeVerifier(v: string): boolean {
  return typeof v === 'string' && VERIFIER.test(v);
}

export function isValidCodeChallenge(c: string, method: PkceMethod): boolean {
  if (typeof c !== 'string') return false;
  if (method === 'S256') return S256_CHALLENGE.test(c);
  if (method === 'plain') return VERIFIER.test(c);
  return false;
}

/** §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * §4.6: recompute the challenge from the verifier and compare with the stored
 * one. A malformed verifier never verifies, even with `plain`.
 */
export function verifyPkce(verifier: string, challenge: string, method: PkceMethod): boolean {
  if (!isValidCodeVerifier(verifier) || typeof challenge !== 'string') return false;
  let computed: string;
  if (method === 'S256') computed = s256(verifier);
  else if (method === 'plain') computed = verifier;
  else return false;
  const a = Buffer.from(computed, 'utf8');
  const b = Buffer.from(challenge, 'utf8');
  // timingSafeEqual throws on length mismatch; the length of a challenge is not secret.
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
