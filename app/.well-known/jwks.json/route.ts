import { nextDoor } from '@/lib/server/next-door';
import { jwksEndpoint } from '@/lib/oauth/oidc/discovery';

// The ID-token signing keys (RFC 7517). Production serves this path from the node:http door (server.ts).
export const dynamic = 'force-dynamic';
export const GET = nextDoor(jwksEndpoint);
export const HEAD = nextDoor(jwksEndpoint);
export const OPTIONS = nextDoor(jwksEndpoint);
