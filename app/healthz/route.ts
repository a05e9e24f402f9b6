// Liveness for load balancers (lib/server/health.ts). Both doors serve it from the route manifest
// (lib/server/manifest.ts): this is the App Router's door, for `next start` without the custom server.
import { routeHandlers } from '@/lib/server/next-door';

// Dynamic: the answer is the process's state now, never the build's.
export const dynamic = 'force-dynamic';
export const { GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = routeHandlers('healthz');
