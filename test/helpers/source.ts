// Requests from a chosen source address. All of 127.0.0.0/8 is loopback, so a test can play many
// clients (an attacker, a victim, a NAT) with real sockets: the door sees each one's own address,
// and no proxy header has to be trusted.
import http from 'node:http';

export interface SourceInit {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded unless headers say otherwise. */
  body?: string | URLSearchParams;
}

/** Like fetch(), but the connection is made from `source` (an address in 127.0.0.0/8). */
export function fetchFrom(source: string, url: string, init: SourceInit = {}): Promise<Response> {
  const u = new URL(url);
  const body = init.body === undefined ? undefined : String(init.body);
  const headers: Record<string, string | number> = { ...init.headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? (body === undefined ? 'GET' : 'POST'), localAddress: source, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 0;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let next = 0;
/** A loopback address no other test in this process has used (127.0.<n>.<m>). */
export function freshSource(): string {
  next++;
  return `127.0.${1 + Math.floor(next / 250)}.${1 + (next % 250)}`;
}
