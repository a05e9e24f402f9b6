import { nextDoor } from '@/lib/server/next-door';
import { jwksEndpoint } from '@/lib/oauth/oidc/discovery';

// DOT's path for the JWKS. Production serves it from the node:http door (server.ts).
export const dynamic = 'force-dynamic';
export const GET = nextDoor(jwksEndpoint);
export const HEAD = nextDoor(jwksEndpoint);
export const OPTIONS = nextDoor(jwksEndpoint);
