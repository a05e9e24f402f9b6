import { readFileSync } from 'node:fs';

// The security headers of every answer, one set for both doors: the node:http door writes the same
// file's headers (lib/http/security-headers.ts, lib/server/answer.ts). Read, not imported: JSON
// modules are still experimental in Node 20.
const securityHeaders = JSON.parse(readFileSync(new URL('./lib/http/security-headers.json', import.meta.url), 'utf8'));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Separate build directories let several checkouts' e2e runs share one machine (NEXT_DIST_DIR).
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // The tutorial's URLs end in "/" (/o/token/, /o/authorize/). Serve them directly, never via a 308:
  // Postman and curl do not follow redirects on POST. Paths without the slash are served too.
  skipTrailingSlashRedirect: true,
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres'],
  poweredByHeader: false,
  experimental: {
    // The front door (lib/server/request-gate.ts) bounds server-action bodies at MAX_ACTION_BODY_BYTES
    // (at most 16 MiB, lib/env.ts) and answers 413 itself; Next's own limit sits above that ceiling
    // so it never answers first (with a 500).
    serverActions: { bodySizeLimit: '17mb' },
  },
  reactStrictMode: true,
  async headers() {
    return [
      {
        // Login, consent and error pages must not be framed (clickjacking) nor leak URLs with codes.
        source: '/:path*',
        headers: Object.entries(securityHeaders).map(([key, value]) => ({ key, value })),
      },
    ];
  },
};
export default nextConfig;
