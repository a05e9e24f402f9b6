// RFC 7592 client configuration endpoint (one per client_id). Both doors serve it from the route manifest
// (lib/server/manifest.ts): this is the App Router's door, for `next start` without the custom server.
import { routeHandlers } from '@/lib/server/next-door';

export const dynamic = 'force-dynamic';
export const { GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = routeHandlers('client_configuration');
