// The only reader of process.env. Every setting is parsed and validated here once;
// a bad value stops startup with one line naming the variable (see ConfigError).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { log } from './log';

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
});

/** Parsed TRUST_PROXY: trust the last `hops` hops, or the proxies in `cidrs`. */
export interface TrustProxy {
  hops: number;
  cidrs: string[];
}

export type Env = z.infer<typeof schema> & {
  ISSUER: string;
  AUTH_SECRET: string;
  DATA_DIR: string;
  /** True when AUTH_SECRET was generated for this dev data directory. */
  AUTH_SECRET_GENERATED: boolean;
};

export class ConfigError extends Error {}

function loadOrCreateDevSecret(dataDir: string): string {
  const file = path.join(dataDir, 'auth-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(33).toString('base64url');
    try {
      fs.writeFileSync(file, secret + '\n', { flag: 'wx', mode: 0o600 });
      log.warn('config.auth_secret_generated', { file, msg: 'AUTH_SECRET is not set: generated one for development. Set AUTH_SECRET in production.' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process won the race
    }
  }
}

function parse(source: NodeJS.ProcessEnv): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0] ?? '?')} ${issue.message}`);
  }
  const e = result.data;
  const dataDir = path.resolve(e.DATA_DIR);
  let secret = e.AUTH_SECRET;
  let generated = false;
  if (!secret) {
    if (e.NODE_ENV === 'production') {
      throw new ConfigError('Invalid configuration: AUTH_SECRET is required in production (try: openssl rand -base64 33)');
    }
    secret = loadOrCreateDevSecret(dataDir);
    generated = true;
  }
  const issuer = (e.ISSUER || `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  // next-auth builds its redirects from AUTH_URL's origin when set, else from the request's Host
  // header (whatever the client sent): make it ours. Only the origin, so its basePath stays.
  source.AUTH_URL = new URL(issuer).origin;
  if (e.DEFAULT_SCOPES.some((s) => !e.SCOPES.includes(s))) {
    throw new ConfigError('Invalid configuration: DEFAULT_SCOPES must be a subset of SCOPES');
  }
  return { ...e, DATA_DIR: dataDir, AUTH_SECRET: secret, AUTH_SECRET_GENERATED: generated, ISSUER: issuer };
}

const KEY = Symbol.for('oauth.env');
type G = typeof globalThis & { [KEY]?: Env };

/** Parsed settings, memoised per process (shared by the custom server and Next's bundle). */
export function env(): Env {
  const g = globalThis as G;
  return (g[KEY] ??= parse(process.env));
}

/** For tests and scripts that must re-read process.env after changing it. */
export function resetEnvForTests() {
  delete (globalThis as G)[KEY];
}

/** Read by the CLI scripts only: they print but do not parse it as settings. */
export const isCI = () => process.env.CI === 'true';
