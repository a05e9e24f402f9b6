// The security headers every answer of this server carries, from either door: one set, in
// security-headers.json, which next.config.mjs reads for everything Next.js answers and the front
// door writes under its own answers (lib/server/answer.ts); the error view builds on it
// (lib/oauth/error-page.ts).
import securityHeaders from './security-headers.json';

/**
 * No framing (CSP frame-ancestors, and X-Frame-Options for older browsers: clickjacking of the login
 * and consent pages), no Referer (URLs carry codes and pending request ids), no MIME sniffing.
 * Lower-case names.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...securityHeaders });
