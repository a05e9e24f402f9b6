import { nextDoor } from '@/lib/server/next-door';
import { openidConfigurationEndpoint } from '@/lib/oauth/oidc/discovery';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
// Dynamic: the document depends on the runtime settings (ISSUER), not the ones at build time.
export const dynamic = 'force-dynamic';
export const GET = nextDoor(openidConfigurationEndpoint);
export const HEAD = nextDoor(openidConfigurationEndpoint);
export const OPTIONS = nextDoor(openidConfigurationEndpoint);
