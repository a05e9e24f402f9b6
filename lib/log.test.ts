// lib/log.ts: what the one logger prints, and what it never prints (OWASP Logging Cheat Sheet,
// "Data to exclude": session identifiers, access tokens, passwords, database connection strings,
// encryption keys and other primary secrets).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { log, logAuthError, routeConsoleToLog, scrub } from './log';
import { DEFAULT_LIMITS } from './env';
import { withSettings } from '@/test/helpers/settings';

// The test settings keep the defaults.
const { logFloodMaxLines: LOG_FLOOD_MAX_LINES, logFloodWindowMs: LOG_FLOOD_WINDOW_MS } = DEFAULT_LIMITS;

/** Runs fn and returns every line the logger wrote (to console.log and console.error). */
function capture(fn: () => void): string[] {
  const lines: string[] = [];
  const out = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void lines.push(String(s)));
  const err = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void lines.push(String(s)));
  try {
    fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const TOKEN = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg'; // 43 chars of base64url, like our tokens
const SECRET128 = 'a1B2'.repeat(32);
const ARGON = '$argon2id$v=19$m=19456,t=2,p=1$pqK0CXcis3jU1D/iYDL2yg$yV0692An1kWiKE+1BZlOcBMnSChTIzP6BPuiExpsMDk';

describe('lib/log.ts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('OWASP Logging Cheat Sheet: one line per event, with its level, its event name and its fields', () => {
    const lines = capture(() => {
      log.info('server.ready', { issuer: 'http://localhost:8000', workers: 2 });
      log.error('server_error', { err: new Error('two\nlines'), note: 'a "quoted"\nvalue' });
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO server\.ready issuer=http:\/\/localhost:8000 workers=2$/);
    expect(lines[1]).toContain(' ERROR server_error error="Error: two\\nlines"');
    expect(lines[1]).toContain('note="a \\"quoted\\"\\nvalue"');
    for (const l of lines) expect(l).not.toContain('\n');
  });

  it('OWASP Logging Cheat Sheet: a field named for a secret, a header or a body is printed as [redacted], at any depth', () => {
    const [line] = capture(() =>
      log.warn('event', {
        password: 'hunter2-hunter2',
        client_secret: 'plain-secret-value',
        authorization: 'Basic Zm9vOmJhcg==',
        headers: { cookie: 'authjs.session-token=abc' },
        body: 'grant_type=password&password=p',
        params: ['bound-value'],
        nested: { ok: 'kept', refresh_token: 'rt-value', deeper: { passwordHash: ARGON } },
      }),
    );
    for (const s of ['hunter2-hunter2', 'plain-secret-value', 'Zm9vOmJhcg', 'authjs.session-token=abc', 'grant_type', 'bound-value', 'rt-value', 'argon2']) {
      expect(line).not.toContain(s);
    }
    expect(line).toContain('password=[redacted]');
    expect(line).toContain('kept');
  });

  it('OWASP Logging Cheat Sheet: free text is scrubbed of credentials, tokens, hashes and bound values', () => {
    const text = scrub(
      [
        `Failed query: select 1 where x = $1\nparams: ${SECRET128},the-verifier`,
        `Authorization: Basic ${Buffer.from('id:' + SECRET128).toString('base64')}`,
        `Bearer ${TOKEN}`,
        'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
        ARGON,
        'grant_type=password&username=alice&password=p%40ss&code=abc&code_verifier=ver&client_id=cid',
        '{"refresh_token": "rt-1", "client_secret":"cs-1"}',
        'cookie: authjs.session-token=sess-value; other=1',
        `opaque ${TOKEN} end`,
      ].join(' | '),
    );
    for (const s of [SECRET128, 'the-verifier', TOKEN, 'eyJhbGci', 'argon2id', 'p%40ss', 'code=abc', 'ver&', 'rt-1', 'cs-1', 'sess-value']) {
      expect(text).not.toContain(s);
    }
    // What is not a secret stays readable: names, client ids (40 chars), UUIDs, SQL.
    const kept = scrub('client 6OQNuwa7WSvjXit6FqADqLrCuX0zbo3OSEDpGCBc user 3f0e9c1a-8a4b-4c2e-9f1d-2b7a6c5d4e3f: select "username" from "users" where username=alice');
    expect(kept).toContain('6OQNuwa7WSvjXit6FqADqLrCuX0zbo3OSEDpGCBc');
    expect(kept).toContain('3f0e9c1a-8a4b-4c2e-9f1d-2b7a6c5d4e3f');
    expect(kept).toContain('select "username" from "users" where username=alice');
  });

  it("OWASP Logging Cheat Sheet: an error is printed as name, message, code and causes, never its other properties (a driver's bound values)", () => {
    const driverError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021', params: ['the-secret-param'], where: "parameter $1 = 'the-secret-param'" });
    const err = Object.assign(new Error('Failed query: insert into "users" values ($1)\nparams: the-secret-param', { cause: driverError }), { params: ['the-secret-param'] });
    const [line] = capture(() => log.error('server_error', { err }));
    expect(line).not.toContain('the-secret-param');
    expect(line).toContain('insert into \\"users\\"');
    expect(line).toContain('cause="Error: invalid byte sequence for encoding \\"UTF8\\": 0x00"');
  });

  it('OWASP Logging Cheat Sheet: a stack only for unexpected errors (level error), and only the frames of our own code', () => {
    const err = new Error('unexpected');
    err.stack = [
      'Error: unexpected',
      `    at handler (${process.cwd()}/lib/oauth/endpoints/token.ts:10:5)`,
      `    at Object.run (${process.cwd()}/node_modules/drizzle-orm/pg-core/session.js:1:1)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at async serve (file://${process.cwd()}/lib/server/node-door.ts:20:3)`,
    ].join('\n');
    const [errorLine, warnLine] = capture(() => {
      log.error('server_error', { err });
      log.warn('client_error', { err });
    });
    expect(errorLine).toContain('stack="handler (lib/oauth/endpoints/token.ts:10:5) < async serve (lib/server/node-door.ts:20:3)"');
    expect(errorLine).not.toMatch(/node_modules|node:internal/);
    expect(warnLine).not.toContain('stack=');
  });

  it('next-auth: a wrong password is not logged, a forged session cookie is a warning without a stack', () => {
    const typed = (type: string) => Object.assign(new Error(`Read more at https://errors.authjs.dev#${type.toLowerCase()}`), { type });
    const lines = capture(() => {
      logAuthError(typed('CredentialsSignin'));
      logAuthError(typed('JWTSessionError'));
      logAuthError(typed('CallbackRouteError'));
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ WARN auth\.rejected reason=JWTSessionError$/);
    expect(lines[1]).toContain(' ERROR auth.error error="Error: Read more at https://errors.authjs.dev#callbackrouteerror"');
  });

  it("OWASP Logging Cheat Sheet: what libraries print with console.* (Next.js' console.error(err)) obeys the same rules, once per line", () => {
    const original = { log: console.log, info: console.info, debug: console.debug, warn: console.warn, error: console.error };
    const lines: string[] = [];
    console.log = (s: unknown) => void lines.push(String(s));
    console.error = (s: unknown) => void lines.push(String(s));
    try {
      routeConsoleToLog();
      routeConsoleToLog(); // idempotent
      const err = Object.assign(new Error(`Failed query: update "applications" set "client_secret" = $1\nparams: ${SECRET128}`), { digest: '1559039338', params: [SECRET128] });
      console.error(' ⨯', err);
      console.warn('[auth][warn][debug-enabled]', { token: TOKEN });
      console.log('plain %s', 'text');
      log.info('ours'); // not logged twice
    } finally {
      Object.assign(console, original);
      delete (globalThis as Record<symbol, unknown>)[Symbol.for('oauth.log.sink')];
    }
    expect(lines).toHaveLength(4);
    expect(lines.join('\n')).not.toContain(SECRET128);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines[0]).toContain(' ERROR console error="Error: Failed query: update \\"applications\\" set \\"client_secret\\" = $1\\nparams: [redacted]" digest=1559039338 stack=');
    expect(lines[1]).toContain(' WARN console msg="[auth][warn][debug-enabled] { token: \'[redacted]\' }"');
    expect(lines[2]).toMatch(/ INFO console msg="plain text"$/);
    expect(lines[3]).toMatch(/ INFO ours$/);
  });

  it('OWASP Logging Cheat Sheet: a flood of one event is capped per window and summarised; other events still print', () => {
    vi.useFakeTimers();
    try {
      const flood = capture(() => {
        for (let i = 0; i < LOG_FLOOD_MAX_LINES * 3; i++) log.warn('test.flood', { n: i });
        log.warn('test.other', { n: 1 });
      });
      expect(flood.filter((l) => l.includes(' test.flood '))).toHaveLength(LOG_FLOOD_MAX_LINES);
      expect(flood.filter((l) => l.includes(' test.other '))).toHaveLength(1);
      vi.advanceTimersByTime(LOG_FLOOD_WINDOW_MS);
      const later = capture(() => log.warn('test.flood', { n: 'again' }));
      expect(later).toHaveLength(2);
      expect(later[0]).toMatch(/ WARN log\.suppressed event=test\.flood level=warn count=200 /);
      expect(later[1]).toContain(' test.flood n=again');
    } finally {
      vi.useRealTimers();
    }
  });

  it('the flood cap and its window are the settings limits.logFloodMaxLines and limits.logFloodWindowMs', async () => {
    vi.useFakeTimers();
    try {
      await withSettings({ limits: { logFloodMaxLines: 2, logFloodWindowMs: 1000 } }, () => {
        const flood = capture(() => {
          for (let i = 0; i < 5; i++) log.warn('test.small_flood', { n: i });
        });
        expect(flood.filter((l) => l.includes(' test.small_flood '))).toHaveLength(2);
        vi.advanceTimersByTime(1000);
        const later = capture(() => log.warn('test.small_flood', { n: 'again' }));
        expect(later[0]).toMatch(/ WARN log\.suppressed event=test\.small_flood level=warn count=3 window_ms=1000/);
      });
    } finally {
      vi.useRealTimers();
    }
  });
});
