// RFC 9728 protected resource metadata of the built-in resource ISSUER/api, at the bare well-known
// path. Both doors serve it from the route manifest (lib/server/manifest.ts): this is the App
// Router's door, for `next start` without the custom server.
import { routeHandlers } from '@/lib/server/next-door';

// Dynamic: the answer depends on the runtime settings (ISSUER) and the request, never on the build.
export const dynamic = 'force-dynamic';
export const { GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = routeHandlers('protected_resource_metadata');
