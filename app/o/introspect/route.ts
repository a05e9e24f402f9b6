import { nextDoor } from '@/lib/server/next-door';
import { introspectEndpoint } from '@/lib/oauth/endpoints/introspect';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const POST = nextDoor(introspectEndpoint);
export const OPTIONS = nextDoor(introspectEndpoint);
export const GET = nextDoor(introspectEndpoint);
