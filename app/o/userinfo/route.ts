import { nextDoor } from '@/lib/server/next-door';
import { userinfoEndpoint } from '@/lib/oauth/oidc/userinfo';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const GET = nextDoor(userinfoEndpoint);
export const POST = nextDoor(userinfoEndpoint);
export const OPTIONS = nextDoor(userinfoEndpoint);
