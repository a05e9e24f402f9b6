// The multipart parser Next.js ships (next/dist/compiled/busboy) and uses for server actions; the
// action guard (action-request.ts) parses with the same one. Only what the guard uses is typed.
declare module 'next/dist/compiled/busboy' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Writable } from 'node:stream';

  interface BusboyConfig {
    headers: IncomingHttpHeaders;
    defParamCharset?: string;
    limits?: { fieldSize?: number };
  }

  /** Throws when the headers name no multipart (or urlencoded) body with a boundary. */
  function busboy(config: BusboyConfig): Writable;
  export default busboy;
}
