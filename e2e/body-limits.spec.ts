// Issue 11 against the real production server (`npm start`): oversized bodies to the paths Next.js
// answers (next-auth, logout, server actions, pages) and to the door are refused with 413 within
// a second, the server never holds them in memory, and it keeps answering. Also: next-auth's
// redirects are built from ISSUER, never from the Host header a client sends.
import fs from 'node:fs';
import http from 'node:http';
import { test, expect } from '@playwright/test';
import { HUGE_BODIES, MB, sendHuge, type HugeBody } from '../test/helpers/huge-request';
import { E2E_ADMIN, logIn } from './helpers';

const PORT = Number(process.env.E2E_PORT ?? 8100);
const ISSUER = `http://localhost:${PORT}`;
const DIRECT = `http://127.0.0.1:${PORT}`;

/** The pid listening on PORT: /proc/net/tcp{,6} → socket inode → the process holding it. */
function serverPid(): number {
  const hexPort = PORT.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]);
    }
  }
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  throw new Error(`no process listens on port ${PORT}`);
}

/** VmRSS of `pid`, in bytes. */
function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** GET or POST over raw node:http with a chosen Host header; resolves with status and headers. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, path, method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const TARGETS: { path: string; form: 'json' | 'html'; headers?: Record<string, string>; limit: string }[] = [
  { path: '/accounts/auth/callback/credentials', form: 'html', limit: '64 KiB' },
  { path: '/o/logout/', form: 'html', limit: '64 KiB' },
  { path: '/accounts/login/', form: 'html', headers: { 'next-action': 'any-value', 'content-type': 'text/plain;charset=UTF-8' }, limit: '1 MiB' },
  { path: '/accounts/signup/', form: 'html', limit: '64 KiB' },
  { path: '/o/applications/register/', form: 'html', limit: '64 KiB' },
  { path: '/api/notes', form: 'json', limit: '64 KiB' },
  { path: '/o/token/', form: 'json', limit: '64 KiB' },
];

test('RFC 9110 §15.5.14: every oversized body gets 413 within a second, RSS stays flat, and the server keeps answering', async () => {
  test.setTimeout(180_000);
  const pid = serverPid();
  // Warm up the routes first, so lazily compiled pages do not count as growth.
  for (const { path } of TARGETS) await raw('GET', path, {});
  const before = rss(pid);
  let peak = before;
  for (const { path, form, headers, limit } of TARGETS) {
    for (const body of HUGE_BODIES) {
      const r = await sendHuge(`${DIRECT}${path}`, body, headers);
      expect(r.status, `${path} ${body.name}: ${r.body.slice(0, 200)}`).toBe(413);
      expect(r.ms, `${path} ${body.name}`).toBeLessThan(1000);
      expect(r.headers['content-type']).toMatch(form === 'json' ? /^application\/json/ : /^text\/html/);
      expect(r.body).toContain(`The request body is larger than ${limit}.`);
      peak = Math.max(peak, rss(pid));
    }
  }
  expect(peak - before, `RSS ${Math.round(before / MB)} MB → peak ${Math.round(peak / MB)} MB`).toBeLessThan(64 * MB);
  expect((await raw('GET', '/accounts/login/', {})).status).toBe(200);
  expect((await raw('GET', '/.well-known/openid-configuration', {})).status).toBe(200);
});

test('a 1.5 MB server action answers 413, not 500; within MAX_ACTION_BODY_BYTES it reaches Next.js', async () => {
  const action = (total: number, chunked: boolean): HugeBody => ({ name: 'action', total, chunk: Buffer.alloc(64 * 1024, 'x'), chunked });
  const headers = { 'next-action': 'no-such-action', 'content-type': 'text/plain;charset=UTF-8' };
  for (const chunked of [false, true]) {
    const big = await sendHuge(`${DIRECT}/accounts/login/`, action(1.5 * MB, chunked), headers);
    expect(big.status, `chunked=${chunked}`).toBe(413);
    expect(big.body).toContain('larger than 1 MiB');
    // Just under the limit: past the gate, Next.js itself answers (an unknown action is not a 413).
    const ok = await sendHuge(`${DIRECT}/accounts/login/`, action(900 * 1024, chunked), headers);
    expect(ok.status, `chunked=${chunked}: ${ok.body.slice(0, 200)}`).not.toBe(413);
    expect(ok.status).toBeLessThan(500);
  }
});

test('RFC 9112 §7.1: a small chunked body reaches a Next.js route handler intact (replayed by the gate)', async () => {
  const r = await new Promise<{ status: number; location?: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, path: '/o/logout/', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('error', reject);
    req.write('state=chunk');
    req.end('ed-state&ui_locales=en'); // two chunks, no Content-Length
  });
  expect(r.status).toBe(303);
  const loc = new URL(r.location!, ISSUER);
  expect(loc.pathname).toBe('/o/logout/confirm/');
  expect(loc.searchParams.get('state')).toBe('chunked-state');
});

/**
 * A Location next-auth sent: absolute on ISSUER, or a path on the same site (resolved by the
 * browser against the URL it used: it cannot point anywhere else). Never the client's Host, and
 * any callbackUrl inside it is on ISSUER too.
 */
function expectOurs(location: string | undefined) {
  expect(location).toBeTruthy();
  expect(location).not.toContain('evil.example');
  const u = new URL(location!, 'http://relative.invalid');
  if (u.origin === 'http://relative.invalid') expect(location).toMatch(/^\/(?![/\\])/);
  else expect(u.origin).toBe(ISSUER);
  const callback = u.searchParams.get('callbackUrl');
  if (callback) expect(new URL(callback).origin).toBe(ISSUER);
}

test.describe('next-auth builds every redirect from ISSUER, whatever Host the client sends', () => {
  const evil = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

  test('GET /accounts/auth/signin with Host: evil.example', async () => {
    const r = await raw('GET', '/accounts/auth/signin', evil);
    expect(r.status).toBeGreaterThanOrEqual(300);
    expect(r.status).toBeLessThan(400);
    expectOurs(r.headers.location);
  });

  test('RFC 9700 §4.12: POST of the credentials form with Host: evil.example answers 303 to ISSUER (wrong and right password)', async () => {
    const csrf = await raw('GET', '/accounts/auth/csrf', evil);
    const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
    const cookie = (csrf.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    for (const password of ['wrong password', E2E_ADMIN.password]) {
      const body = new URLSearchParams({ csrfToken, username: E2E_ADMIN.username, password }).toString();
      const r = await raw('POST', '/accounts/auth/callback/credentials', { ...evil, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body);
      expect(r.status, password).toBe(303);
      expectOurs(r.headers.location);
    }
    // Without the CSRF token too (next-auth's own error redirect).
    const bare = await raw('POST', '/accounts/auth/callback/credentials', { ...evil, 'content-type': 'application/x-www-form-urlencoded' }, 'username=x&password=y');
    expect(bare.status).toBe(303);
    expectOurs(bare.headers.location);
  });
});

test('OWASP: a client-sent X-OAuth-Client-IP or X-Forwarded-For never reaches the audit log of a next-auth login', async ({ page }) => {
  const name = `spoof_${Date.now().toString(36)}`;
  const csrf = await raw('GET', '/accounts/auth/csrf', {});
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookie = (csrf.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const body = new URLSearchParams({ csrfToken, username: name, password: 'wrong password' }).toString();
  const spoof = { 'x-oauth-client-ip': '203.0.113.99', 'x-forwarded-for': '198.51.100.99', forwarded: 'for=192.0.2.99' };
  const r = await raw('POST', '/accounts/auth/callback/credentials', { ...spoof, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body);
  expect(r.status).toBe(303);

  await page.goto('/accounts/login/');
  await logIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
  await expect(page.getByTestId('whoami')).toContainText(E2E_ADMIN.username);
  await page.goto(`/admin/audit/?type=login.failure&actor=${name}`);
  const rows = page.getByTestId('audit-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(name);
  await expect(rows.first()).toContainText('127.0.0.1');
  for (const claimed of ['203.0.113.99', '198.51.100.99', '192.0.2.99']) await expect(rows.first()).not.toContainText(claimed);
});
