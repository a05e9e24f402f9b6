// A tiny static server for the single-page-app e2e: serves e2e/spa/ from another origin than the
// provider (e.g. http://127.0.0.1:8301). Every path without an extension gets index.html, so the
// app's /callback works. Its lifetime is bounded: it closes itself after `maxLifetimeMs`.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, 'spa');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export interface SpaServer {
  origin: string;
  close: () => Promise<void>;
}

export async function startSpaServer(port: number, maxLifetimeMs = 5 * 60_000): Promise<SpaServer> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const ext = path.extname(pathname);
    const file = ext ? path.join(ROOT, path.normalize(pathname)) : path.join(ROOT, 'index.html');
    if (!file.startsWith(ROOT + path.sep) || !TYPES[path.extname(file)] || !fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)], 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const timer = setTimeout(() => void close(), maxLifetimeMs);
  timer.unref();
  server.unref();
  let closing: Promise<void> | null = null;
  function close() {
    clearTimeout(timer);
    server.closeAllConnections();
    return (closing ??= new Promise<void>((r) => server.close(() => r())));
  }
  return { origin: `http://127.0.0.1:${port}`, close };
}
