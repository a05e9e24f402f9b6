// A small HTTP server on 127.0.0.1 that serves whatever each path is set to answer, and counts the
// requests per path: the publisher of Client ID Metadata Documents in the registration tests.
import http from 'node:http';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface DocumentServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Sets what `path` answers. */
  route(path: string, handler: Route): void;
  /** Serves `doc` as JSON at `path` with `headers`; returns the URL. */
  json(path: string, doc: ((url: string) => unknown) | Record<string, unknown>, headers?: Record<string, string>): string;
  /** Requests received for `path`. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startDocumentServer(port: number): Promise<DocumentServer> {
  const routes = new Map<string, Route>();
  const counts = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    await handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    route: (path, handler) => void routes.set(path, handler),
    json(path, doc, headers = {}) {
      const url = `${origin}${path}`;
      const body = JSON.stringify(typeof doc === 'function' ? (doc as (u: string) => unknown)(url) : doc);
      routes.set(path, (_req, res) => void res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(body));
      return url;
    },
    hits: (path) => counts.get(path) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
