// Attempt limits for everything a caller can guess or flood, and their rules, in one place.
// The counters live in the database (lib/db/queries/rate-limit.ts), shared by every instance, and
// are counted before the check in one statement, so a parallel burst cannot slip past them.
//
// Passwords (login form and legacy password grant) and client secrets (on a miss of the
// verified-secret cache) — OWASP Authentication Cheat Sheet, "Account Lockout". The subject is an
// account (its canonical username, lib/canonical.ts, whether or not it exists) or a client_id;
// the source is the caller's IP address, IPv6 per /64 (one host commonly holds a whole /64).
//   1. Hard limits, per window of RATE_LIMIT_WINDOW_SECONDS; over either, the attempt is refused
//      (429) without looking at the secret:
//        - per (subject, source): RATE_LIMIT_MAX_FAILURES;
//        - per source, across subjects: RATE_LIMIT_MAX_FAILURES_PER_IP (higher: one NAT or proxy
//          can carry many honest people).
//   2. Per subject, across sources: never a block, so nobody can lock an account or a client out.
//      Beyond RATE_LIMIT_MAX_FAILURES attempts in the window, each attempt on the subject waits a
//      growing delay (100 ms, doubling, at most RATE_LIMIT_MAX_DELAY_MS), and the first such attempt
//      raises one audit event (login.throttled, client.auth_throttled). Attempts refused by a hard
//      limit are not counted here: one source alone can never slow a subject down for others.
//   What a success does to each counter:
//        - (subject, this source): cleared. Its failures were this source's own, and it has now
//          shown the secret. The pairs of other sources are untouched: a success at A never wipes
//          what an attacker at B piled on the same account.
//        - this source: only the success's own attempt is taken back; its failures stay, so an
//          attacker cannot reset the per-source limit by logging into their own account.
//        - the subject across sources: only the success's own attempt is taken back; failures from
//          other sources keep their delay and their audit trail until the window ends.
//
// Device user codes typed at /o/device/ (RFC 8628 §5.1: ~34.5 bits): per signed-in user
// RATE_LIMIT_MAX_FAILURES, per source RATE_LIMIT_MAX_FAILURES_PER_IP. A right code takes back only
// its own attempt: clearing would let a guesser reset the budget with a code of their own device.
// Device authorization requests (each makes a code to guess against): every request counts, per
// (client, source), RATE_LIMIT_MAX_FAILURES; nothing is taken back.
// Dynamic client registrations (RFC 7591, REGISTRATION=open): every request counts, per source,
// REGISTRATION_MAX_PER_IP; nothing is taken back. Client ID Metadata Document fetches: every fetch
// counts, per source, RATE_LIMIT_MAX_FAILURES_PER_IP; a cached document is not a fetch.
import net from 'node:net';
import { canonicalUsername } from './canonical';
import { attemptOverLimit, countAttempts, overLimit, settleAttempts, type LimitCheck } from './db/queries/rate-limit';
import { audit, type AuditInput } from './db/queries/audit';
import { env } from './env';

/**
 * The source an attempt is counted under: the IPv4 address (also when IPv4-mapped in IPv6), the
 * /64 prefix of an IPv6 address ("2001:db8:1:2::/64"), or the string as given when it is neither.
 */
export function rateLimitSource(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  const addr = ip.split('%')[0];
  if (!net.isIPv6(addr)) return ip;
  // Expand "::" to the missing zero groups; only the first four groups (64 bits) matter.
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** A counter's key from its parts; ':' and '%' inside a part are escaped, so keys never collide. */
export const limitKey = (...parts: string[]): string =>
  parts.map((p) => p.replace(/[%:\0]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))).join(':');

export type GuessKind = 'login' | 'client';

/** The three counters of one guess at a password or client secret (see the rules above). */
export interface GuessKeys {
  /** (subject, source): hard limit RATE_LIMIT_MAX_FAILURES. */
  pair: string;
  /** The source, across subjects: hard limit RATE_LIMIT_MAX_FAILURES_PER_IP. */
  source: string;
  /** The subject, across sources: delay and audit, never a block. */
  subject: string;
}

export function guessKeys(kind: GuessKind, subject: string, ip: string): GuessKeys {
  const src = rateLimitSource(ip);
  return { pair: limitKey(kind, 'pair', src, subject), source: limitKey(kind, 'source', src), subject: limitKey(kind, 'subject', subject) };
}

/** The counters of a password attempt for `username` as typed (canonicalized here, lib/canonical.ts). */
export const loginKeys = (username: string, ip: string): GuessKeys => guessKeys('login', canonicalUsername(username), ip);

/** The counters of a client secret attempt for `clientId`. */
export const clientKeys = (clientId: string, ip: string): GuessKeys => guessKeys('client', clientId, ip);

/**
 * The delay before an attempt on a subject that has had `attempts` attempts (this one included)
 * in the window, from all sources: 0 up to `max` (RATE_LIMIT_MAX_FAILURES), then 100 ms doubling
 * per attempt, never more than `ceilingMs` (RATE_LIMIT_MAX_DELAY_MS). In milliseconds.
 */
export function throttleDelayMs(attempts: number, max: number, ceilingMs: number): number {
  if (attempts <= max) return 0;
  return Math.min(ceilingMs, 100 * 2 ** Math.min(attempts - max - 1, 16));
}

/**
 * How long to wait, in words for a person: "45 seconds", "1 minute", "5 minutes". Rounded up (to
 * the minute from 60 s on), so waiting that long is always enough. `seconds` is a Retry-After
 * value (RFC 9110 §10.2.3); below 1 it counts as 1.
 */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(Number.isFinite(seconds) ? seconds : 1));
  if (s < 60) return `${s} ${s === 1 ? 'second' : 'seconds'}`;
  const m = Math.ceil(s / 60);
  return `${m} ${m === 1 ? 'minute' : 'minutes'}`;
}

/**
 * What a person is told when an attempt was refused by a limit (OWASP Authentication Cheat Sheet:
 * say how long to wait, not just "later"): `what` happened too often, try again in the window's
 * remaining time. E.g. "Too many failed attempts. Try again in 5 minutes."
 */
export const tooManyAttemptsMessage = (what: string, retryAfterSeconds: number): string =>
  `${what} Try again in ${waitInWords(retryAfterSeconds)}.`;

/** An attempt that may go ahead (call `succeeded` if the secret was right), or a refusal. */
export type Attempt = { allowed: false; retryAfterSeconds: number } | { allowed: true; delayMs: number; succeeded: () => Promise<void> };

export type Guess = { kind: 'login'; username: string; ip: string } | { kind: 'client'; clientId: string; applicationId: number; ip: string };

/**
 * The hard limits a refusal can come from, each its own name: detail.limit of the
 * `rate_limit.refused` audit event, and the dimension of its usage series (lib/usage.ts).
 * `login`/`client`: one account or client from one source (RATE_LIMIT_MAX_FAILURES);
 * `login_per_ip`/`client_per_ip`: one source across accounts or clients (RATE_LIMIT_MAX_FAILURES_PER_IP);
 * `device_user_code`: one user's user codes, `device_user_code_per_ip`: one source's (RFC 8628 §5.1);
 * `device_authorization`: one client from one source (RFC 8628 §5.2); `setup_token` and
 * `registration_token` (RFC 7591 §3's initial access token, REGISTRATION_TOKEN): wrong ones from one source.
 */
export const REFUSING_LIMITS = [
  'login',
  'login_per_ip',
  'client',
  'client_per_ip',
  'device_user_code',
  'device_user_code_per_ip',
  'device_authorization',
  'setup_token',
  'registration_token',
] as const;
export type RefusingLimit = (typeof REFUSING_LIMITS)[number];

/** A hard limit with the name its refusals are audited under. */
type NamedLimit = { key: string; max: number; name: RefusingLimit };

/**
 * Raises `rate_limit.refused` for each limit this attempt is the first over in its window (one
 * event per limit and crossing, not per refusal: a flood writes one row per limit), named.
 */
function auditRefusal(r: LimitCheck, limits: NamedLimit[], e: AuditInput): void {
  if (!r.over) return;
  for (const key of r.crossed ?? []) {
    const limit = limits.find((l) => l.key === key)?.name;
    if (limit) audit('rate_limit.refused', { ...e, detail: { limit, retry_after_seconds: r.retryAfterSeconds, ...e.detail } });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long a guess over a hard limit waits before the second look (beginGuess): a few password or secret checks (argon2id). */
const SETTLE_WAIT_MS = 300;

/**
 * Counts a guess at a password or client secret before it is checked, applying the rules above:
 * refused over a hard limit; otherwise delayed as the subject's attempts from all sources require.
 * Resolves after the delay. A failure needs no call: the attempt stays counted.
 */
export async function beginGuess(g: Guess): Promise<Attempt> {
  const keys = g.kind === 'login' ? loginKeys(g.username, g.ip) : clientKeys(g.clientId, g.ip);
  const e = env();
  const limits: NamedLimit[] = [
    { key: keys.pair, max: e.RATE_LIMIT_MAX_FAILURES, name: g.kind },
    { key: keys.source, max: e.RATE_LIMIT_MAX_FAILURES_PER_IP, name: g.kind === 'login' ? 'login_per_ip' : 'client_per_ip' },
  ];
  let hard = await attemptOverLimit(limits);
  const crossed = hard.over ? (hard.crossed ?? []) : [];
  if (hard.over) {
    // Attempts are counted before they are checked, so a burst of RIGHT secrets (a client's
    // workers starting at once) can count past the limit before any success gives its count back.
    // Look once more after they had time to settle: failures stay counted, so a guesser is still
    // refused (and waits for it).
    await sleep(SETTLE_WAIT_MS);
    hard = await overLimit(limits);
  }
  if (hard.over) {
    const who: AuditInput =
      g.kind === 'login' ? { actorLabel: canonicalUsername(g.username), ip: g.ip } : { applicationId: g.applicationId, ip: g.ip, detail: { client_id: g.clientId.slice(0, 64) } };
    auditRefusal({ ...hard, crossed }, limits, who);
    return { allowed: false, retryAfterSeconds: hard.retryAfterSeconds };
  }
  const [subject] = await countAttempts([keys.subject]);
  if (subject.count === e.RATE_LIMIT_MAX_FAILURES + 1) {
    const detail = { attempts: subject.count, window_seconds: e.RATE_LIMIT_WINDOW_SECONDS, max_delay_ms: e.RATE_LIMIT_MAX_DELAY_MS };
    if (g.kind === 'login') audit('login.throttled', { actorLabel: canonicalUsername(g.username), ip: g.ip, detail });
    else audit('client.auth_throttled', { applicationId: g.applicationId, ip: g.ip, detail: { client_id: g.clientId.slice(0, 64), ...detail } });
  }
  const delayMs = throttleDelayMs(subject.count, e.RATE_LIMIT_MAX_FAILURES, e.RATE_LIMIT_MAX_DELAY_MS);
  if (delayMs > 0) await sleep(delayMs);
  return { allowed: true, delayMs, succeeded: () => settleAttempts({ clear: [keys.pair], refund: [keys.source, keys.subject] }) };
}

/**
 * Counts a user code entered at /o/device/ by `userId` from `ip` (RFC 8628 §5.1), before it is
 * checked. When allowed, call `succeeded` if the code was right.
 */
export async function beginUserCodeEntry(userId: string, ip: string): Promise<Attempt> {
  const e = env();
  const keys = [limitKey('device-code', 'user', userId), limitKey('device-code', 'source', rateLimitSource(ip))];
  const limits: NamedLimit[] = [
    { key: keys[0], max: e.RATE_LIMIT_MAX_FAILURES, name: 'device_user_code' },
    { key: keys[1], max: e.RATE_LIMIT_MAX_FAILURES_PER_IP, name: 'device_user_code_per_ip' },
  ];
  const r = await attemptOverLimit(limits);
  auditRefusal(r, limits, { actorUserId: userId, ip });
  if (r.over) return { allowed: false, retryAfterSeconds: r.retryAfterSeconds };
  return { allowed: true, delayMs: 0, succeeded: () => settleAttempts({ refund: keys }) };
}

/**
 * Counts a device authorization request of `clientId` (application `applicationId`) from `ip`
 * (RFC 8628 §5.2) and says whether it is over the limit.
 */
export async function countDeviceAuthorization(clientId: string, applicationId: number, ip: string): Promise<LimitCheck> {
  const limits: NamedLimit[] = [{ key: limitKey('device-authz', rateLimitSource(ip), clientId), max: env().RATE_LIMIT_MAX_FAILURES, name: 'device_authorization' }];
  const r = await attemptOverLimit(limits);
  auditRefusal(r, limits, { applicationId, ip, detail: { client_id: clientId.slice(0, 64) } });
  return r;
}

/** The server-issued tokens a person types, each limited per source (beginTokenEntry). */
export type TokenEntryLimit = 'setup_token';

/**
 * Counts a setup token typed at the setup page (lib/auth/first-admin.ts) from `ip`, before it is
 * checked (checking it costs argon2 hashing and a transaction): RATE_LIMIT_MAX_FAILURES per source
 * and window. A 129-bit token is not guessable; the limit keeps a scanner from hammering the page.
 * Per source only, so a guesser locks out nobody else. When allowed, call `succeeded` once the token
 * was right: it clears the source's count.
 */
export async function beginTokenEntry(limit: TokenEntryLimit, ip: string): Promise<Attempt> {
  const key = limitKey(limit === 'setup_token' ? 'setup-token' : limit, 'source', rateLimitSource(ip));
  const limits: NamedLimit[] = [{ key, max: env().RATE_LIMIT_MAX_FAILURES, name: limit }];
  const r = await attemptOverLimit(limits);
  auditRefusal(r, limits, { ip });
  if (r.over) return { allowed: false, retryAfterSeconds: r.retryAfterSeconds };
  return { allowed: true, delayMs: 0, succeeded: () => settleAttempts({ clear: [key] }) };
}

/**
 * RFC 7591 §3's initial access token (REGISTRATION_TOKEN) from `ip`, already compared (constant
 * time, cheap): a wrong one counts against RATE_LIMIT_MAX_FAILURES per source and window; a right
 * one counts nothing (a burst of a script's registrations is never refused for itself) but is
 * refused too while its source is over the limit, so that the answer cannot tell a guesser which
 * guess was right. Per source only: a guesser locks out nobody else.
 */
export async function checkRegistrationToken(ip: string, right: boolean): Promise<LimitCheck> {
  const limits: NamedLimit[] = [{ key: limitKey('registration-token', 'source', rateLimitSource(ip)), max: env().RATE_LIMIT_MAX_FAILURES, name: 'registration_token' }];
  const r = right ? await overLimit(limits) : await attemptOverLimit(limits);
  auditRefusal(r, limits, { ip });
  return r;
}

/**
 * Counts an RFC 7591 registration from `ip` under REGISTRATION=open and says whether it is over
 * REGISTRATION_MAX_PER_IP in the window: every request counts (each one stores a client), nothing
 * is taken back.
 */
export function countRegistration(ip: string): Promise<LimitCheck> {
  return attemptOverLimit([{ key: limitKey('registration', rateLimitSource(ip)), max: env().REGISTRATION_MAX_PER_IP }]);
}

/**
 * Counts a Client ID Metadata Document fetch caused by a request from `ip` (lib/oauth/client-metadata.ts:
 * first use, or a stale document) and says whether it is over RATE_LIMIT_MAX_FAILURES_PER_IP in the
 * window: every fetch counts, nothing is taken back. Cached documents cost nothing.
 */
export function countMetadataFetch(ip: string): Promise<LimitCheck> {
  return attemptOverLimit([{ key: limitKey('client-metadata', rateLimitSource(ip)), max: env().RATE_LIMIT_MAX_FAILURES_PER_IP }]);
}
