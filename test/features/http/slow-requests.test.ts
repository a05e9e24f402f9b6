// OWASP Denial of Service Cheat Sheet (slow HTTP, "slowloris"): a client that never finishes its
// headers, or trickles its body a byte at a time, loses its connection after a bounded time
// (REQUEST_HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS) with a 408, instead of holding it for minutes.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { settings } from './settings';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings, REQUEST_HEADERS_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '4000' });
});
afterAll(async () => {
  await srv?.close();
});

/** Writes `head`, then `drip` every 250 ms, until the server closes the connection (or 15 s pass). */
function trickle(head: string, drip: string): Promise<{ ms: number; answer: string }> {
  const { port } = new URL(srv.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1');
    const t0 = Date.now();
    let answer = '';
    s.write(head);
    const iv = setInterval(() => {
      if (!s.destroyed && s.writable) s.write(drip);
    }, 250);
    const stop = setTimeout(() => s.destroy(), 15_000);
    s.on('data', (d) => (answer += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(iv);
      clearTimeout(stop);
      resolve({ ms: Date.now() - t0, answer });
    });
  });
}

describe('OWASP DoS: slow requests are cut off', () => {
  it('OWASP DoS (slowloris): headers that never end get 408 within REQUEST_HEADERS_TIMEOUT_MS (+2 s)', async () => {
    const r = await trickle('GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n', 'X-Pad: 1\r\n');
    expect(r.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.ms).toBeLessThan(4500);
  });

  it('OWASP DoS (slow body): a body trickled a byte at a time to the token endpoint gets 408 within REQUEST_TIMEOUT_MS (+2 s)', async () => {
    const r = await trickle(
      'POST /o/token/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n',
      'a',
    );
    expect(r.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.ms).toBeLessThan(6500);
  });

  it('OWASP DoS (slow body): a chunked body trickled a chunk at a time gets 408 within REQUEST_TIMEOUT_MS (+2 s)', async () => {
    const r = await trickle('POST /o/token/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\na\r\n');
    expect(r.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.ms).toBeLessThan(6500);
  });

  it('OWASP Logging: a body cut off by the 408 is the client\'s doing, never logged as a server_error', async () => {
    const lines: string[] = [];
    const spies = (['log', 'error', 'warn'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.join(' '))));
    try {
      const r = await trickle(
        'POST /o/introspect/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n',
        'a',
      );
      expect(r.answer).toMatch(/^HTTP\/1\.1 408 /);
      await new Promise((done) => setTimeout(done, 200));
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(lines.filter((l) => /server_error|ERROR/.test(l))).toEqual([]);
  });

  it('a prompt request on the same server is still served', async () => {
    const r = await fetch(`${srv.url}/.well-known/jwks.json`);
    expect(r.status).toBe(200);
  });
});
