// The settings: the one reader of the environment, and the one place every setting and limit is
// described. `server.ts` builds one Settings value at startup (`settingsFromEnvironment()`) and
// installs it (`installSettings()`); every module reads it with `env()`, a property read. Tests
// build their own (`loadSettings({...})`, test/helpers/settings.ts) instead of changing process.env.
// A bad value stops startup with one line naming the variable (see ConfigError).
//
// No imports from this project: the logger reads its limits from here.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : ['true', '1', 'yes', 'on'].includes(v)));

const int = (def: number, min = 0, max = 10 ** 9) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      return Number(v);
    })
    .pipe(z.number().int().min(min).max(max));

const optionalInt = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '' || v === '0') return null;
    if (!/^\d+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number of seconds, got "${v}"` });
      return z.NEVER;
    }
    return Number(v);
  });

const scopeList = (def: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v : def).split(/\s+/).filter(Boolean))
    .refine((l) => l.every((s) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)), 'contains an invalid scope token');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(8000, 1, 65535),
  HOST: z.string().default('0.0.0.0'),
  /** postgres://… — when set, PostgreSQL via postgres.js; otherwise embedded PGlite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://'),
  DATA_DIR: z.string().default('.data'),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (try: openssl rand -base64 33)').optional(),
  /** Public base URL; `iss` of tokens and metadata. Defaults to http://localhost:PORT. */
  ISSUER: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(v), 'must be an http(s) URL with no query or fragment'),
  // RFC 9700 / our checklist: codes live 60 s or less.
  AUTHORIZATION_CODE_EXPIRE_SECONDS: int(60, 1, 60),
  ACCESS_TOKEN_EXPIRE_SECONDS: int(36000, 1),
  REFRESH_TOKEN_EXPIRE_SECONDS: optionalInt,
  REFRESH_TOKEN_GRACE_PERIOD_SECONDS: int(0, 0, 3600),
  ID_TOKEN_EXPIRE_SECONDS: int(36000, 1),
  PKCE_REQUIRED: bool(true),
  PKCE_ALLOW_PLAIN: bool(false),
  SCOPES: scopeList('read write introspection'),
  DEFAULT_SCOPES: scopeList('read write'),
  ALLOW_PASSWORD_GRANT: bool(false),
  DEVICE_CODE_EXPIRE_SECONDS: int(600, 60, 3600),
  DEVICE_CODE_INTERVAL_SECONDS: int(5, 1, 60),
  CORS_MAX_AGE_SECONDS: int(86400, 0),
  /** Hard limit: failed logins / client authentications per (account or client, source IP) within the window. */
  RATE_LIMIT_MAX_FAILURES: int(10, 1),
  /** Hard limit per source IP across accounts and clients (higher: many users can share one NAT). */
  RATE_LIMIT_MAX_FAILURES_PER_IP: int(100, 1),
  RATE_LIMIT_WINDOW_SECONDS: int(300, 1),
  /** Live pending authorization requests kept per source; a source's older ones are dropped (never refused, never others'). */
  AUTHORIZE_PENDING_PER_IP: int(200, 1, 100_000),
  /** Ceiling of the growing delay for an account or client failing from many sources (never a block). */
  RATE_LIMIT_MAX_DELAY_MS: int(3000, 0, 10_000),
  /** Request bodies: OAuth endpoints, form posts and everything else; server actions get the larger one. */
  MAX_BODY_BYTES: int(64 * 1024, 1024, 16 * 1024 * 1024),
  MAX_ACTION_BODY_BYTES: int(1024 * 1024, 1024, 16 * 1024 * 1024),
  /** Slow clients (OWASP DoS, slowloris): a request's headers must arrive within this (ms), else 408. */
  REQUEST_HEADERS_TIMEOUT_MS: int(15_000, 1000, 600_000),
  /** A whole request, headers and body, must arrive within this (ms), else 408. 1 MiB in 60 s needs ~17 KB/s. */
  REQUEST_TIMEOUT_MS: int(60_000, 1000, 600_000),
  /** PostgreSQL: connecting gives up, and a statement is cancelled, after this (ms): then 503 with Retry-After (lib/db/outage.ts). */
  DB_TIMEOUT_MS: int(5000, 500, 600_000),
  /** On SIGTERM/SIGINT: requests in flight get this long (ms) to finish before the process exits anyway (server.ts). */
  SHUTDOWN_DRAIN_MS: int(10_000, 0, 600_000),
  /** Worker processes (node:cluster). PostgreSQL only; PGlite is single-process. */
  WEB_CONCURRENCY: int(1, 1, 64),
  /**
   * Which proxies may say who the client is: `false` (none: the socket address), a number of hops
   * (`1` for one nginx in front), or a comma-separated list of proxy addresses and CIDRs.
   * `true` means 1 hop. The client IP is the rightmost address not added by a trusted proxy.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx): TrustProxy => {
      const t = (v ?? '').trim().toLowerCase();
      if (t === '' || t === 'false' || t === '0' || t === 'no' || t === 'off') return { hops: 0, cidrs: [] };
      if (t === 'true' || t === 'yes' || t === 'on') return { hops: 1, cidrs: [] };
      if (/^\d{1,2}$/.test(t)) return { hops: Number(t), cidrs: [] };
      const cidrs = t.split(/[\s,]+/).filter(Boolean);
      const bad = cidrs.find((c) => !/^[0-9a-f:.]+(\/\d{1,3})?$/.test(c));
      if (bad) {
        ctx.addIssue({ code: 'custom', message: `must be false, a number of proxy hops, or a list of proxy addresses/CIDRs; "${bad}" is none of these` });
        return z.NEVER;
      }
      return { hops: 0, cidrs };
    }),
  /** The header the trusted proxy writes: x-forwarded-for (nginx's $proxy_add_x_forwarded_for) or forwarded (RFC 7239). */
  TRUST_PROXY_HEADER: z.enum(['x-forwarded-for', 'forwarded']).default('x-forwarded-for'),
  /**
   * RFC 7591 dynamic client registration at /o/register/: `closed` (refused), `token` (the request
   * must carry REGISTRATION_TOKEN as its initial access token, RFC 7591 §3), `open` (anyone: public
   * clients with https or loopback redirect URIs, REGISTRATION_MAX_PER_IP per source and window).
   */
  REGISTRATION: z.enum(['closed', 'token', 'open']).default('closed'),
  /** The initial access token of REGISTRATION=token (RFC 7591 §3): a Bearer token staff hand to trusted developers. */
  REGISTRATION_TOKEN: z.string().min(32, 'must be at least 32 characters (try: openssl rand -base64 33)').optional(),
  /** REGISTRATION=open: registrations per source IP within RATE_LIMIT_WINDOW_SECONDS. */
  REGISTRATION_MAX_PER_IP: int(10, 1),
  /**
   * Development only: Client ID Metadata Documents may be fetched over plain http from loopback
   * addresses (127.0.0.0/8, ::1, localhost). Off: https only, and never a private address.
   */
  CLIENT_METADATA_ALLOW_LOOPBACK: bool(false),
});


/** Parsed TRUST_PROXY: trust the last `hops` hops, or the proxies in `cidrs`. */
export interface TrustProxy {
  hops: number;
  cidrs: string[];
}

/** The environment variables that are settings (the README's settings table). */
export type SettingName = keyof typeof schema.shape;

/** What settings are parsed from: process.env, or a plain object (tests). Other keys are ignored. */
export type SettingsSource = Readonly<Record<string, string | undefined>>;

/**
 * Bounds and timings that are not environment variables: the values below are the server's, and
 * tests may shrink them (`loadSettings(source, limits)`). Units are in the names. A full cache is
 * cleared, never grown. Who reads each one is named beside it.
 */
export interface Limits {
  // --- what a client sends: longer is refused before any work (hashing, a query, a parse) -------
  /** Longest access token, refresh token, authorization code or device code looked up (characters; opaque ones are 43, RFC 9068 JWT access tokens about a kilobyte). bearer.ts, oidc/userinfo.ts, grants/*, endpoints/revoke.ts and introspect.ts */
  tokenMaxLength: number;
  /** Longest id_token_hint verified (characters). oidc/id-token-hint.ts */
  idTokenHintMaxLength: number;
  /** Longest `next` / callbackUrl followed after login (characters, percent-encoded). lib/http/safe-next.ts */
  nextMaxLength: number;
  /** An authorization request's parameters, form-encoded (bytes; README "Limits"). pending-request.ts, endpoints/authorize.ts, server/front-door.ts */
  authorizeMaxRequestBytes: number;
  /** An authorization request's `state` (characters; README "Limits"). pending-request.ts, endpoints/authorize.ts */
  authorizeMaxStateChars: number;
  /** A note's text at /api/notes (characters). lib/api/notes.ts */
  noteMaxLength: number;
  /** A User-Agent read or stored with a login session (characters). lib/auth/sessions.ts, lib/auth/user-agent.ts */
  userAgentMaxLength: number;
  /** A server action's arguments: how many, how many array slots in all, how deep. server/action-request.ts */
  actionMaxArgs: number;
  actionMaxArraySlots: number;
  actionMaxDepth: number;

  // --- in-process caches ---------------------------------------------------------------------
  /** Verified client secrets remembered (entries). oauth/client-auth.ts */
  clientSecretCacheMax: number;
  /** Decoded session cookies remembered (entries), and for how long at most (ms). lib/auth/session-cookie.ts */
  sessionCookieCacheMax: number;
  sessionCookieCacheMs: number;
  /** How long a looked-up client is used before it is read again (ms; PostgreSQL's NOTIFY invalidates sooner). db/queries/clients.ts */
  clientCacheMs: number;
  /** How long a loaded signing key set is used before it is re-read (ms), and how often an unknown kid may force a re-read (ms). oidc/keys.ts */
  keysRefreshMs: number;
  unknownKidReloadMs: number;
  /** Cache-Control max-age of the discovery documents and the JWKS (seconds). oidc/discovery.ts */
  discoveryCacheSeconds: number;
  /** A Client ID Metadata Document is reused for its HTTP caching lifetime, clamped to these (seconds). oauth/client-metadata.ts */
  clientMetadataMinCacheSeconds: number;
  clientMetadataMaxCacheSeconds: number;
  /** A Client ID Metadata Document: largest body read (bytes, counted while reading) and the whole fetch's time limit (ms). http/safe-fetch.ts */
  clientMetadataMaxBytes: number;
  clientMetadataTimeoutMs: number;

  // --- CPU ---------------------------------------------------------------------------------------
  /** argon2 verifications of client secrets at once; with more than argon2MaxWaiting waiting for a turn, a 429. oauth/client-auth.ts */
  argon2MaxConcurrent: number;
  argon2MaxWaiting: number;

  // --- windows and lifetimes -------------------------------------------------------------------
  /** A superseded refresh token presented within this many seconds is a concurrent refresh, not a replay. grants/refresh-token.ts */
  concurrentRefreshWindowSeconds: number;
  /** Lifetime of a pending authorization request (seconds; README "Limits"). pending-request.ts, endpoints/authorize.ts, app/(auth)/accounts/destination.tsx */
  pendingRequestTtlSeconds: number;
  /** Lifetime of a login: the session cookie and its row in `sessions` (seconds). lib/auth/config.ts, lib/auth/sessions.ts */
  sessionMaxAgeSeconds: number;
  /** A session's last_seen_at is written at most this often (seconds): reads stay reads. db/queries/sessions.ts */
  sessionSeenEverySeconds: number;
  /** An authorization's last use (consents.last_used_at, "Last used" on /o/authorized_tokens/) is written at most this often (seconds). db/queries/tokens.ts */
  authorizationUsedEverySeconds: number;
  /** HTTP keep-alive: an idle connection is closed after this (ms; above the usual 60 s of load balancers). server.ts */
  keepAliveTimeoutMs: number;
  /** GET /readyz answers 503 when the database has not answered within this (ms). server/health.ts */
  readyTimeoutMs: number;
  /** A refused request's connection is read and discarded this long before it is closed (ms; RFC 9112 §9.6). server/request-gate.ts */
  lingerMs: number;

  // --- writes and maintenance ------------------------------------------------------------------
  /** Audit events are written in batches: at most this many, at most this late (ms). db/queries/audit.ts */
  auditMaxBatch: number;
  auditFlushMs: number;
  /** Rows deleted per statement by `npm run cleartokens`. db/queries/cleanup.ts, scripts/cleartokens.ts */
  cleanupBatchSize: number;
  /** Revoked or rotated refresh tokens without expiry are kept this long, when REFRESH_TOKEN_EXPIRE_SECONDS is unset (seconds). db/queries/cleanup.ts */
  revokedRefreshRetentionSeconds: number;
  /** A Client ID Metadata Document client with nothing left is deleted this long after its document was fetched (seconds). db/queries/cleanup.ts */
  unusedMetadataClientRetentionSeconds: number;

  // --- the log (OWASP Logging Cheat Sheet: protect the log from flooding) ----------------------
  /** Lines of one (level, event) per window, and the window (ms). lib/log.ts */
  logFloodMaxLines: number;
  logFloodWindowMs: number;
  /** A printed value is cut to this many characters; an error shows at most this many of our stack frames. lib/log.ts */
  logValueMaxLength: number;
  logMaxFrames: number;
}

/** The limits' values (see Limits). */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  tokenMaxLength: 4096,
  idTokenHintMaxLength: 16_384,
  nextMaxLength: 4096,
  authorizeMaxRequestBytes: 12 * 1024,
  authorizeMaxStateChars: 8192,
  noteMaxLength: 1000,
  userAgentMaxLength: 512,
  actionMaxArgs: 1000,
  actionMaxArraySlots: 1_000_000,
  actionMaxDepth: 64,
  clientSecretCacheMax: 10_000,
  sessionCookieCacheMax: 5_000,
  sessionCookieCacheMs: 60_000,
  clientCacheMs: 60_000,
  keysRefreshMs: 60_000,
  unknownKidReloadMs: 5_000,
  discoveryCacheSeconds: 300,
  clientMetadataMinCacheSeconds: 300,
  clientMetadataMaxCacheSeconds: 24 * 3600,
  clientMetadataMaxBytes: 5 * 1024,
  clientMetadataTimeoutMs: 5000,
  argon2MaxConcurrent: 2,
  argon2MaxWaiting: 64,
  concurrentRefreshWindowSeconds: 2,
  pendingRequestTtlSeconds: 30 * 60,
  sessionMaxAgeSeconds: 14 * 24 * 3600,
  sessionSeenEverySeconds: 300,
  authorizationUsedEverySeconds: 60,
  keepAliveTimeoutMs: 65_000,
  readyTimeoutMs: 2000,
  lingerMs: 2000,
  auditMaxBatch: 200,
  auditFlushMs: 100,
  cleanupBatchSize: 10_000,
  revokedRefreshRetentionSeconds: 30 * 24 * 3600,
  unusedMetadataClientRetentionSeconds: 30 * 24 * 3600,
  logFloodMaxLines: 100,
  logFloodWindowMs: 10_000,
  logValueMaxLength: 2000,
  logMaxFrames: 8,
});

/**
 * The server's settings: every environment variable of the README's table, parsed (numbers,
 * booleans, lists, TRUST_PROXY), with the defaults filled in, and the limits. The value and its
 * limits are frozen: no module can change the settings the others read.
 */
export type Settings = Readonly<
  Omit<z.infer<typeof schema>, 'ISSUER' | 'AUTH_SECRET'> & {
    /** Without a trailing slash; defaults to http://localhost:PORT. */
    ISSUER: string;
    AUTH_SECRET: string;
    /** Absolute. */
    DATA_DIR: string;
    /** When AUTH_SECRET is not set (development only): the file under DATA_DIR it was read from or generated into. */
    AUTH_SECRET_FILE: string | null;
    limits: Readonly<Limits>;
  }
>;

/** The name the call sites use for Settings. */
export type Env = Settings;

/** A setting that cannot be used; the message names it ("Invalid configuration: PORT …"). */
export class ConfigError extends Error {}

function loadOrCreateDevSecret(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 }); // DATA_DIR: private (lib/private-dir.ts)
    const secret = crypto.randomBytes(33).toString('base64url');
    try {
      fs.writeFileSync(file, secret + '\n', { flag: 'wx', mode: 0o600 });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process won the race
    }
  }
}

/**
 * Parses and validates settings from `source` (process.env, or a plain object in tests), with
 * `limits` replacing some of DEFAULT_LIMITS. Pure, except that without AUTH_SECRET outside
 * production it reads (or creates, mode 0600) DATA_DIR/auth-secret.
 * @throws ConfigError naming the first bad variable (or limit); AUTH_SECRET missing in production;
 *   DEFAULT_SCOPES not within SCOPES; REGISTRATION=token without REGISTRATION_TOKEN.
 */
export function loadSettings(source: SettingsSource, limits: Partial<Limits> = {}): Settings {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0] ?? '?')} ${issue.message}`);
  }
  const e = result.data;
  const dataDir = path.resolve(e.DATA_DIR);
  let secret = e.AUTH_SECRET;
  let secretFile: string | null = null;
  if (!secret) {
    if (e.NODE_ENV === 'production') {
      throw new ConfigError('Invalid configuration: AUTH_SECRET is required in production (try: openssl rand -base64 33)');
    }
    secretFile = path.join(dataDir, 'auth-secret');
    secret = loadOrCreateDevSecret(secretFile);
  }
  if (e.DEFAULT_SCOPES.some((s) => !e.SCOPES.includes(s))) {
    throw new ConfigError('Invalid configuration: DEFAULT_SCOPES must be a subset of SCOPES');
  }
  if (e.REGISTRATION === 'token' && !e.REGISTRATION_TOKEN) {
    throw new ConfigError('Invalid configuration: REGISTRATION_TOKEN is required when REGISTRATION=token');
  }
  for (const [name, v] of Object.entries(limits)) {
    if (!(name in DEFAULT_LIMITS)) throw new ConfigError(`Invalid configuration: limits.${name} is not a limit`);
    if (!Number.isFinite(v) || v < 0) throw new ConfigError(`Invalid configuration: limits.${name} must be a number ≥ 0`);
  }
  return Object.freeze({
    ...e,
    DATA_DIR: dataDir,
    AUTH_SECRET: secret,
    AUTH_SECRET_FILE: secretFile,
    ISSUER: (e.ISSUER || `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...limits }),
  });
}

/** The settings of this process's environment: the one read of process.env. Throws ConfigError. */
export function settingsFromEnvironment(): Settings {
  return loadSettings(process.env);
}

// On globalThis: Next.js' bundle has its own copy of this module, in the same process (server.ts
// runs Next.js inside it), and must see the settings server.ts installed.
const KEY = Symbol.for('oauth.settings');
type G = typeof globalThis & { [KEY]?: Settings };

/**
 * Makes `settings` the ones every module reads (env()), for this whole process. Called once by
 * server.ts and the CLI scripts at start; by tests to change settings (test/helpers/settings.ts).
 *
 * Its one side effect outside this module: process.env.AUTH_URL = the issuer's origin. next-auth v5
 * reads AUTH_URL from process.env only (no option in its config) and otherwise builds its
 * redirects from the request's Host header, which the client chose. Only the origin, so its
 * basePath (lib/auth/config.ts) stays.
 * @returns `settings`
 */
export function installSettings(settings: Settings): Settings {
  (globalThis as G)[KEY] = settings;
  process.env.AUTH_URL = new URL(settings.ISSUER).origin;
  return settings;
}

/** The installed settings, or undefined before any are: for code that must never trigger a parse (the logger). */
export function installedSettings(): Settings | undefined {
  return (globalThis as G)[KEY];
}

/**
 * The settings: the installed value (a property read). Where nothing installed any (plain
 * `next dev` / `next start` without server.ts), the first call installs settingsFromEnvironment().
 * @throws ConfigError on that first call when the environment holds a bad value
 */
export function env(): Settings {
  return (globalThis as G)[KEY] ?? installSettings(settingsFromEnvironment());
}
