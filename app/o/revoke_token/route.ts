import { nextDoor } from '@/lib/server/next-door';
import { revokeEndpoint } from '@/lib/oauth/endpoints/revoke';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const POST = nextDoor(revokeEndpoint);
export const OPTIONS = nextDoor(revokeEndpoint);
export const GET = nextDoor(revokeEndpoint);
