import { nextDoor } from '@/lib/server/next-door';
import { tokenEndpoint } from '@/lib/oauth/endpoints/token';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const POST = nextDoor(tokenEndpoint);
export const OPTIONS = nextDoor(tokenEndpoint);
export const GET = nextDoor(tokenEndpoint);
