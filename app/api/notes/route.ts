import { nextDoor } from '@/lib/server/next-door';
import { notesEndpoint } from '@/lib/api/notes';

// Production serves this path from the node:http door (server.ts); this is the same function for `next start`.
export const dynamic = 'force-dynamic';
export const GET = nextDoor(notesEndpoint);
export const POST = nextDoor(notesEndpoint);
export const OPTIONS = nextDoor(notesEndpoint);
