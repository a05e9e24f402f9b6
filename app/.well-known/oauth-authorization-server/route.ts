import { nextDoor } from '@/lib/server/next-door';
import { authorizationServerMetadataEndpoint } from '@/lib/oauth/oidc/discovery';

// RFC 8414 metadata. Production serves this path from the node:http door (server.ts).
export const dynamic = 'force-dynamic';
export const GET = nextDoor(authorizationServerMetadataEndpoint);
export const HEAD = nextDoor(authorizationServerMetadataEndpoint);
export const OPTIONS = nextDoor(authorizationServerMetadataEndpoint);
