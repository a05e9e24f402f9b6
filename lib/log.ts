// The server's one logger. Everything the server prints goes through here: our code calls `log`,
// and server.ts routes console.* (Next.js, next-auth, React) here with routeConsoleToLog().
import util from 'node:util';
import { DEFAULT_LIMITS, installedSettings, type Limits } from './env';

/** Levels: info → stdout; warn and error → stderr. */
export type Level = 'info' | 'warn' | 'error';
/** Structured fields of an event: key → string, number, boolean, null, an Error (usually under `err`), or plain data. */
export type Fields = Record<string, unknown>;

/**
 * What the logger never prints, whatever it is given:
 *  - request bodies, query strings, headers (Authorization, Cookie, …), SQL bound values: fields
 *    whose name says so are printed as `[redacted]`, at any depth (SENSITIVE_KEY);
 *  - any token, secret, password, code, code_verifier or hash: fields named so are redacted, and
 *    every printed string is scrubbed of the shapes they travel in (scrub(): `name=value` pairs,
 *    JSON members, Basic/Bearer credentials, JWTs, PHC hashes such as argon2, drizzle's `params:` list,
 *    opaque strings of 41+ characters such as our tokens, hashes and client secrets);
 *  - an error's properties: only its name, message, SQLSTATE-like code, Next.js digest and the
 *    messages of its causes (drivers hang the bound values of a failed query on the error);
 *  - stack frames of libraries: a stack is printed at level error only, and only the frames of our
 *    own code (no node_modules, no Node internals). Expected errors are logged at warn: no stack.
 */
export const SENSITIVE_KEY =
  /pass(word|wd)?|secret|token|authori[sz]ation|cookie|hash|verifier|assertion|credential|private|jwk|^params?$|parameters|^body$|^headers?$|^code$|^device_code$|^user_code$|session|^sid$|^otp$/i;

const REDACTED = '[redacted]';

/**
 * The logger's limits (Settings.limits.log*). It never loads settings itself: a log line may be
 * what reports that they cannot be loaded. Before any are installed, the defaults.
 */
const limits = (): Readonly<Limits> => installedSettings()?.limits ?? DEFAULT_LIMITS;

const OAUTH_PARAMS =
  'client_secret|client_assertion|password|code_verifier|code|refresh_token|access_token|id_token|id_token_hint|token|device_code|user_code|assertion|secret|authjs\\.[\\w.-]+|__Secure-authjs\\.[\\w.-]+|__Host-authjs\\.[\\w.-]+';
const SCRUBS: [RegExp, string][] = [
  // drizzle's "Failed query: … \nparams: v1,v2,…" lists every bound value to the end of the message.
  [/\n?params: [\s\S]*$/, '\nparams: [redacted]'],
  [/\b(Basic|Bearer|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9._-]+/g, '[jwt]'],
  [/\$(argon2(id|i|d)|2[abxy]|scrypt|pbkdf2[\w-]*)\$[A-Za-z0-9$=,+/.-]*/g, '[hash]'],
  // form bodies, query strings and cookies: name=value
  [new RegExp(`(^|[^\\w.-])(${OAUTH_PARAMS})=[^&\\s"';,]*`, 'gi'), `$1$2=${REDACTED}`],
  // JSON: "name": "value"
  [new RegExp(`"(${OAUTH_PARAMS}|password_hash|client_secret_hash|token_hash)"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `"$1":"${REDACTED}"`],
  // Opaque credentials: our tokens and SHA-256s are 43 characters of base64url, client secrets 128 of
  // [A-Za-z0-9]; client ids (40) and UUIDs (36) stay readable.
  [/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{41,}(?![A-Za-z0-9_-])/g, REDACTED],
];

/**
 * Masks secrets in free text (an error message, a line printed by a library).
 * The shapes masked are listed in SCRUBS; the result is cut to limits.logValueMaxLength (2,000) characters.
 */
export function scrub(text: string): string {
  let s = text.replace(/\x1b\[[0-9;]*m/g, ''); // colours of Next.js and next-auth
  for (const [re, to] of SCRUBS) s = s.replace(re, to);
  const max = limits().logValueMaxLength;
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** Our own code: a frame outside node_modules and Node's internals (bundled, tsx-run or source-mapped). */
function ownFrame(line: string): string | null {
  const f = line.trim().replace(/^at\s+/, '');
  if (/node_modules|node:|ignore-listed|\(<anonymous>\)$|^<anonymous>$|^native/.test(f)) return null;
  const cwd = process.cwd();
  const clean = f.replaceAll('file://', '').replaceAll(cwd + '/', '');
  // Bundled chunks are not readable code: Next.js maps them back when it can (below).
  if (/\.next\/server\/chunks\//.test(clean) && !/\(?(app|lib)\//.test(clean)) return null;
  return /[\w.)\]]:\d+:\d+\)?$/.test(clean) ? clean : null;
}

/**
 * The frames of our own code, newest first. util.inspect goes through Next.js' source-mapping hook
 * when it is installed, so bundled frames come back as app/… and lib/… paths.
 */
function ownFrames(err: Error): string[] {
  let text = err.stack ?? '';
  try {
    text = util.inspect(err, { colors: false, depth: 0, customInspect: true });
  } catch {
    // the stack as it is
  }
  const frames: string[] = [];
  const max = limits().logMaxFrames;
  let started = false;
  for (const line of text.split('\n')) {
    if (/^\s+at\s/.test(line)) {
      started = true;
      const f = ownFrame(line);
      if (f && frames.length < max) frames.push(f);
    } else if (started) break; // the frames of the top error end here (a cause or the properties follow)
  }
  return frames;
}

/** A short error code worth printing: SQLSTATE ("23505"), Node ("ECONNREFUSED"), or an OAuth error code. */
const SAFE_CODE = /^([0-9A-Z]{5}|E[A-Z0-9_]{2,40}|ERR_[A-Z0-9_]{2,60}|[a-z_]{3,40})$/;

/** An error as flat fields: name, message, code, digest, causes, and (when `withStack`) our frames. */
function describeError(err: unknown, withStack: boolean): Fields {
  if (!(err instanceof Error)) return { error: scrub(typeof err === 'string' ? err : util.inspect(redact(err), { depth: 2, colors: false })) };
  const out: Fields = { error: scrub(`${err.name}: ${err.message}`) };
  const e = err as Error & { code?: unknown; digest?: unknown; type?: unknown };
  if (typeof e.code === 'string' && SAFE_CODE.test(e.code)) out.error_code = e.code;
  if (typeof e.digest === 'string' && /^[\w-]{1,40}$/.test(e.digest)) out.digest = e.digest;
  // Causes: an Error, or next-auth's { err } wrapper. Messages only.
  const causes: string[] = [];
  let c: unknown = err.cause;
  for (let i = 0; i < 3 && c; i++) {
    const ce = c instanceof Error ? c : c && typeof c === 'object' && (c as { err?: unknown }).err instanceof Error ? (c as { err: Error }).err : null;
    if (!ce) break;
    causes.push(scrub(`${ce.name}: ${ce.message}`));
    c = ce.cause;
  }
  if (causes.length) out.cause = causes.join(' ← ');
  if (withStack) {
    const frames = ownFrames(err);
    if (frames.length) out.stack = frames.join(' < ');
  }
  return out;
}

/** Plain data with every value under a sensitive key replaced, strings scrubbed; depth ≤ 4. */
function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return describeError(value, false);
  if (depth >= 4) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_KEY.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

/** key=value; values with spaces, quotes or control characters are JSON strings, so a line stays one line. */
function formatValue(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
  if (/^[^\s"=\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/.test(s)) return s;
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function line(level: Level, event: string, fields: Fields): string {
  const parts = [new Date().toISOString(), level.toUpperCase(), formatValue(event)];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const key = k.replace(/[^\w.-]/g, '_');
    if (v instanceof Error) {
      for (const [ek, ev] of Object.entries(describeError(v, level === 'error'))) parts.push(`${ek}=${formatValue(ev)}`);
    } else if (SENSITIVE_KEY.test(k)) {
      parts.push(`${key}=${REDACTED}`);
    } else {
      parts.push(`${key}=${formatValue(redact(v))}`);
    }
  }
  return parts.join(' ');
}

// Where lines go: console.log/error (tests can watch them); once console is routed to the logger,
// the original methods, so that a line is never logged twice. Kept on globalThis: Next.js' bundle
// has its own copy of this module.
type Sink = { out: (s: string) => void; err: (s: string) => void };
const SINK = Symbol.for('oauth.log.sink');
const sink = (): Sink => (globalThis as { [SINK]?: Sink })[SINK] ?? { out: (s) => console.log(s), err: (s) => console.error(s) };

/**
 * OWASP Logging Cheat Sheet (protect the log from flooding): lines of one (level, event) are
 * capped at limits.logFloodMaxLines per limits.logFloodWindowMs. What an anonymous client can
 * trigger at will (a forged server action id, a malformed cookie) would otherwise fill the disk.
 * Lines over the cap are counted, never kept, and the first line of that event in a later window
 * is preceded by `log.suppressed event=… level=… count=…`. Other events are never held back.
 */
type Flood = { windowStart: number; lines: number; suppressed: number };
const FLOOD = Symbol.for('oauth.log.flood');
const floods = (): Map<string, Flood> => ((globalThis as { [FLOOD]?: Map<string, Flood> })[FLOOD] ??= new Map());

/** Whether a line of (level, event) may be written now; writes the pending summary when it may. */
function admit(level: Level, event: string): boolean {
  const key = `${level} ${event}`;
  const { logFloodMaxLines, logFloodWindowMs } = limits();
  const now = Date.now();
  const map = floods();
  let f = map.get(key);
  if (!f) {
    if (map.size >= 10_000) map.clear(); // event names are ours, so this stays small; a bound all the same
    map.set(key, (f = { windowStart: now, lines: 0, suppressed: 0 }));
  }
  if (now - f.windowStart >= logFloodWindowMs) {
    if (f.suppressed > 0) sink().err(line('warn', 'log.suppressed', { event, level, count: f.suppressed, window_ms: logFloodWindowMs }));
    f.windowStart = now;
    f.lines = 0;
    f.suppressed = 0;
  }
  if (f.lines >= logFloodMaxLines) {
    f.suppressed++;
    return false;
  }
  f.lines++;
  return true;
}

function write(level: Level, event: string, fields: Fields = {}): void {
  if (!admit(level, event)) return;
  let text: string;
  try {
    text = line(level, event, fields);
  } catch {
    text = `${new Date().toISOString()} ${level.toUpperCase()} ${formatValue(event)} log_error=unprintable_fields`;
  }
  if (level === 'info') sink().out(text);
  else sink().err(text);
}

/**
 * The logger. `event` names what happened (`server.ready`, `server_error`, `audit.write_failed`);
 * fields add the facts. An Error in the fields is printed as `error=… error_code=… cause=… stack=…`.
 *
 * Example: `log.error('server_error', { err })` prints
 * `2025-01-01T00:00:00.000Z ERROR server_error error="DatabaseError: …" error_code=22021 stack="lib/db/queries/users.ts:31:16 < …"`.
 */
export const log = {
  info: (event: string, fields?: Fields) => write('info', event, fields),
  /** Something expected went wrong (a client's fault, a retry): no stack. */
  warn: (event: string, fields?: Fields) => write('warn', event, fields),
  /** Something unexpected: with the stack frames of our own code. */
  error: (event: string, fields?: Fields) => write('error', event, fields),
};

// next-auth errors caused by what a client sent (a forged or expired session cookie, a bad CSRF
// token, an unknown action): expected, so a warning without a stack. CredentialsSignin (a wrong
// password) is not logged at all.
const EXPECTED_AUTH_ERRORS = new Set(['CredentialsSignin', 'JWTSessionError', 'MissingCSRF', 'UnknownAction', 'InvalidCallbackUrl', 'InvalidCheck']);

/** next-auth's `logger.error`: client-caused errors at warn, anything else at error with our frames. */
export function logAuthError(e: Error): void {
  const type = (e as { type?: unknown }).type;
  if (type === 'CredentialsSignin') return;
  if (typeof type === 'string' && EXPECTED_AUTH_ERRORS.has(type)) log.warn('auth.rejected', { reason: type });
  else log.error('auth.error', { err: e });
}

const CONSOLE_LEVELS: [keyof Console & ('log' | 'info' | 'debug' | 'warn' | 'error'), Level][] = [
  ['log', 'info'],
  ['info', 'info'],
  ['debug', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
];

/**
 * Routes console.log/info/debug/warn/error of every library in this process (Next.js prints the
 * errors that pages and server actions throw with console.error) through the logger: one line each,
 * event `console`, the first Error as `error=…`, the rest formatted and scrubbed as `msg`.
 * Called once by server.ts; idempotent.
 */
export function routeConsoleToLog(): void {
  const g = globalThis as { [SINK]?: Sink };
  if (g[SINK]) return;
  g[SINK] = { out: console.log.bind(console), err: console.error.bind(console) };
  const c = console as Console & Record<string, unknown>;
  for (const [method, level] of CONSOLE_LEVELS) {
    c[method] = (...args: unknown[]) => {
      const errorArg = args.find((a) => a instanceof Error);
      const rest = args.filter((a) => a !== errorArg).map((a) => (typeof a === 'string' ? a : redact(a)));
      // Next.js' status marks (⨯ ⚠ ✓ ○) say no more than the level does.
      const msg = rest.length ? scrub(util.formatWithOptions({ colors: false, depth: 3 }, ...rest)).replace(/^[\s⨯⚠✓○▲]+/, '').trim() : undefined;
      write(level, 'console', { msg: msg || undefined, err: errorArg });
    };
  }
}
