import { nextDoor } from '@/lib/server/next-door';
import { helloEndpoint } from '@/lib/api/hello';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const GET = nextDoor(helloEndpoint);
export const OPTIONS = nextDoor(helloEndpoint);
