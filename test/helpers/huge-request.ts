// Oversized request bodies as an attacker sends them, over raw node:http: streamed from one small
// chunk (the sender never holds the body), with or without a Content-Length. Shared by the
// integration tests (test/features/http/body-limits.test.ts) and the e2e suite (e2e/body-limits.spec.ts).
import http from 'node:http';

export const MB = 1024 * 1024;

export interface HugeBody {
  /** What the body looks like, for test names. */
  name: string;
  /** Total bytes the sender is ready to send. */
  total: number;
  /** The repeated unit. */
  chunk: Buffer;
  /** Send without Content-Length (Transfer-Encoding: chunked). */
  chunked: boolean;
}

const repeat = (s: string, bytes: number) => Buffer.from(s.repeat(Math.ceil(bytes / s.length)).slice(0, bytes));

/** The three bodies of issue 11: one 75 MB blob, 20 MB of `k=v&` pairs, and a chunked stream of 75 MB. */
export const HUGE_BODIES: HugeBody[] = [
  { name: '75 MB blob', total: 75 * MB, chunk: repeat('a', 64 * 1024), chunked: false },
  { name: '20 MB of k=v& pairs', total: 20 * MB, chunk: repeat('k=v&', 64 * 1024), chunked: false },
  { name: '75 MB chunked (no Content-Length)', total: 75 * MB, chunk: repeat('k=v&', 64 * 1024), chunked: true },
];

export interface HugeResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From the first byte sent to the response's headers. */
  ms: number;
  /** Body bytes written before the response arrived. */
  sent: number;
}

/**
 * POSTs `body` to `url`, streaming it chunk by chunk (respecting backpressure) until the server
 * answers; resolves with the answer (and up to 64 KiB of its body), then destroys the request.
 * Rejects if no answer comes within `timeoutMs`.
 */
export function sendHuge(url: string, body: HugeBody, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HugeResult> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let sent = 0;
    let answered = false;
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(body.chunked ? {} : { 'content-length': String(body.total) }), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms (${sent} bytes sent)`));
    }, timeoutMs);
    const pump = () => {
      while (!answered && sent < body.total) {
        const n = Math.min(body.chunk.length, body.total - sent);
        const ok = req.write(n === body.chunk.length ? body.chunk : body.chunk.subarray(0, n));
        sent += n;
        if (!ok) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      const ms = Date.now() - started;
      const chunks: Buffer[] = [];
      let size = 0;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms, sent });
      };
      res.on('data', (c: Buffer) => {
        if (size < 64 * 1024) chunks.push(c);
        size += c.length;
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', (err) => {
      if (answered) return; // the server closes the connection after its answer: expected
      clearTimeout(timer);
      reject(err);
    });
    if (headers.expect === undefined) pump();
    else {
      req.flushHeaders(); // the body waits for the server's 100 Continue
      req.on('continue', pump);
    }
  });
}
