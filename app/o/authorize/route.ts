// The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2.1). Both doors serve it from the route
// manifest (lib/server/manifest.ts): this is the App Router's door, for `next start` without the
// custom server. Its consent page is app/o/authorize/consent/page.tsx.
import { routeHandlers } from '@/lib/server/next-door';

// Dynamic: the answer depends on the runtime settings (ISSUER) and the request, never on the build.
export const dynamic = 'force-dynamic';
export const { GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = routeHandlers('authorization');
