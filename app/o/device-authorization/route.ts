import { nextDoor } from '@/lib/server/next-door';
import { deviceAuthorizationEndpoint } from '@/lib/oauth/endpoints/device-authorization';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const POST = nextDoor(deviceAuthorizationEndpoint);
export const GET = nextDoor(deviceAuthorizationEndpoint);
