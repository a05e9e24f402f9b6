import { nextDoor } from '@/lib/server/next-door';
import { openidConfigurationEndpoint } from '@/lib/oauth/oidc/discovery';

// DOT's path for the discovery document. Production serves it from the node:http door (server.ts).
export const dynamic = 'force-dynamic';
export const GET = nextDoor(openidConfigurationEndpoint);
export const HEAD = nextDoor(openidConfigurationEndpoint);
export const OPTIONS = nextDoor(openidConfigurationEndpoint);
