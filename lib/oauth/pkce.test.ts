import { describe, it, expect } from 'vitest';
import { isValidCodeChallenge, isValidCodeVerifier, s256, verifyPkce } from './pkce';

// RFC 7636 Appendix B.
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('isValidCodeVerifier', () => {
  it('accepts 43 and 128 unreserved characters (RFC 7636 §4.1)', () => {
    expect(isValidCodeVerifier('a'.repeat(43))).toBe(true);
    expect(isValidCodeVerifier('Az09-._~'.repeat(16))).toBe(true); // 128
    expect(isValidCodeVerifier(RFC_VERIFIER)).toBe(true);
  });

  it('rejects verifiers shorter than 43 or longer than 128 characters (RFC 7636 §4.1)', () => {
    expect(isValidCodeVerifier('a'.repeat(42))).toBe(false);
    expect(isValidCodeVerifier('a'.repeat(129))).toBe(false);
    expect(isValidCodeVerifier('')).toBe(false);
  });

  it('rejects characters outside [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" (RFC 7636 §4.1)', () => {
    for (const ch of ['+', '/', '=', ' ', '%', 'é', '\n']) {
      expect(isValidCodeVerifier('a'.repeat(42) + ch)).toBe(false);
    }
  });
});

describe('isValidCodeChallenge', () => {
  it('accepts a 43-character base64url S256 challenge (RFC 7636 §4.2)', () => {
    expect(isValidCodeChallenge(RFC_CHALLENGE, 'S256')).toBe(true);
  });

  it('rejects S256 challenges of the wrong length, with padding or with non-base64url characters', () => {
    expect(isValidCodeChallenge(RFC_CHALLENGE.slice(1), 'S256')).toBe(false);
    expect(isValidCodeChallenge(RFC_CHALLENGE + 'A', 'S256')).toBe(false);
    expect(isValidCodeChallenge(RFC_CHALLENGE + '=', 'S256')).toBe(false);
    expect(isValidCodeChallenge(RFC_CHALLENGE.slice(0, 42) + '+', 'S256')).toBe(false);
    expect(isValidCodeChallenge(RFC_CHALLENGE.slice(0, 42) + '.', 'S256')).toBe(false);
  });

  it('applies the verifier rules to plain challenges (RFC 7636 §4.2: code_challenge = code_verifier)', () => {
    expect(isValidCodeChallenge(RFC_VERIFIER, 'plain')).toBe(true);
    expect(isValidCodeChallenge('~'.repeat(128), 'plain')).toBe(true);
    expect(isValidCodeChallenge('a'.repeat(42), 'plain')).toBe(false);
    expect(isValidCodeChallenge('a'.repeat(129), 'plain')).toBe(false);
  });

  it('rejects an unknown method', () => {
    expect(isValidCodeChallenge(RFC_CHALLENGE, 'S512' as never)).toBe(false);
  });
});

describe('s256', () => {
  it('matches the RFC 7636 Appendix B test vector', () => {
    expect(s256(RFC_VERIFIER)).toBe(RFC_CHALLENGE);
  });

  it('produces unpadded base64url output of 43 characters', () => {
    const c = s256('x'.repeat(64));
    expect(c).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('verifyPkce', () => {
  it('verifies the RFC 7636 Appendix B pair with S256 (RFC 7636 §4.6)', () => {
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE, 'S256')).toBe(true);
  });

  it('rejects a wrong verifier for an S256 challenge', () => {
    expect(verifyPkce(RFC_VERIFIER.replace('d', 'e'), RFC_CHALLENGE, 'S256')).toBe(false);
  });

  it('does not accept the challenge itself as verifier under S256 (no downgrade to plain)', () => {
    expect(verifyPkce(RFC_CHALLENGE, RFC_CHALLENGE, 'S256')).toBe(false);
  });

  it('compares verifier and challenge directly with plain (RFC 7636 §4.6)', () => {
    expect(verifyPkce(RFC_VERIFIER, RFC_VERIFIER, 'plain')).toBe(true);
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE, 'plain')).toBe(false);
  });

  it('returns false (does not throw) when lengths differ', () => {
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE.slice(0, 10), 'S256')).toBe(false);
    expect(verifyPkce(RFC_VERIFIER, RFC_VERIFIER + 'a', 'plain')).toBe(false);
    expect(verifyPkce(RFC_VERIFIER, '', 'S256')).toBe(false);
  });

  it('rejects a malformed verifier even if it matches the stored challenge', () => {
    const short = 'abc';
    expect(verifyPkce(short, short, 'plain')).toBe(false);
    expect(verifyPkce(short, s256(short), 'S256')).toBe(false);
  });

  it('rejects an unknown method', () => {
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE, 'none' as never)).toBe(false);
  });
});
