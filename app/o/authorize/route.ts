import { nextDoor } from '@/lib/server/next-door';
import { authorizeEndpoint } from '@/lib/oauth/endpoints/authorize-http';

// The authorization endpoint (OIDC Core §3.1.2.1: GET and POST). Production serves this path from
// the node:http door (server.ts); this is the same function for `next start`. Its consent page is
// app/o/authorize/consent/page.tsx.
export const dynamic = 'force-dynamic';
export const GET = nextDoor(authorizeEndpoint);
export const HEAD = nextDoor(authorizeEndpoint);
export const POST = nextDoor(authorizeEndpoint);
