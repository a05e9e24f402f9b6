// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
// client_secret_basic, client_secret_post, or none (public clients send only client_id).
import crypto from 'node:crypto';
import { verify as argon2Verify } from '@node-rs/argon2';
import { invalidClient, invalidRequest, tooManyRequests } from './errors';
import type { OAuthRequest, Params } from './http';
import { timingSafeEqualStr } from './random';
import type { Application } from '../db/schema';
import type { Client } from '../db/queries/clients';
import { resolveClient } from './client-metadata';
import { beginGuess } from '../rate-limits';
import { audit } from '../db/queries/audit';
import { hasNul } from '../fields';
import { env } from '../env';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
export interface AuthenticatedClient {
  app: Application;
  method: AuthMethod;
}

interface Presented {
  clientId: string;
  secret: string | null;
  method: AuthMethod;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being put in the Basic header. */
function fromBasic(header: string): Presented {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw invalidClient('The Basic credentials are malformed.', { challenge: true });
  try {
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)), method: 'client_secret_basic' };
  } catch {
    throw invalidClient('The Basic credentials are malformed.', { challenge: true });
  }
}

/** invalid_client, with a Basic challenge only when the client used the Authorization header (RFC 6749 §5.2). */
const refused = (req: Pick<OAuthRequest, 'headers'>, description?: string) =>
  invalidClient(description, { challenge: req.headers.get('authorization') !== null });

/** Reads the credentials the request carries, refusing more than one method (§2.3). */
function presentedCredentials(req: OAuthRequest, params: Params): Presented | null {
  const authz = req.headers.get('authorization');
  const basic = authz && /^basic /i.test(authz) ? fromBasic(authz) : null;
  const postSecret = params.get('client_secret');
  const bodyId = params.get('client_id');
  // PostgreSQL text cannot hold NUL: such a client_id would fail the lookup with a 500.
  if (hasNul(basic?.clientId ?? '') || hasNul(bodyId ?? '')) throw refused(req);
  if (basic) {
    // "The client MUST NOT use more than one authentication method in each request."
    if (postSecret !== undefined) throw invalidRequest('Use one client authentication method: Basic or client_secret in the body, not both.');
    if (bodyId !== undefined && bodyId !== basic.clientId) throw invalidRequest('client_id in the body does not match the Basic credentials.');
    return basic;
  }
  if (bodyId === undefined) return null;
  return postSecret !== undefined
    ? { clientId: bodyId, secret: postSecret, method: 'client_secret_post' }
    : { clientId: bodyId, secret: null, method: 'none' };
}

// --- verified-secret cache ------------------------------------------------------------------
// argon2 costs ~13 ms of CPU and every counted guess a database write: the token endpoint must pay
// neither per request. After one successful verification (hashed or not) we remember
// HMAC(processKey, client_id ‖ secret) → application version. Editing the application bumps its
// version, so stale entries stop matching at once.
const KEY = Symbol.for('oauth.secretCache');
interface SecretCache {
  key: Buffer;
  verified: Map<string, number>;
  running: number;
  waiting: Array<() => void>;
}
type G = typeof globalThis & { [KEY]?: SecretCache };
const cache: SecretCache = ((globalThis as G)[KEY] ??= { key: crypto.randomBytes(32), verified: new Map(), running: 0, waiting: [] });

/** At most limits.argon2MaxConcurrent verifications at once: wrong secrets must not eat every core. */
async function withArgon2Slot<T>(fn: () => Promise<T>): Promise<T> {
  const { argon2MaxConcurrent, argon2MaxWaiting } = env().limits;
  if (cache.running >= argon2MaxConcurrent) {
    if (cache.waiting.length > argon2MaxWaiting) throw tooManyRequests('The server is busy verifying client secrets; retry shortly.', 1);
    await new Promise<void>((resolve) => cache.waiting.push(resolve));
  }
  cache.running++;
  try {
    return await fn();
  } finally {
    cache.running--;
    cache.waiting.shift()?.();
  }
}

const cacheKey = (app: Application, secret: string) =>
  crypto.createHmac('sha256', cache.key).update(app.clientId).update('\0').update(secret).digest('base64url');

/**
 * Whether `secret` is the client's secret. A hit in the verified-secret cache answers at once
 * (no hashing, no database write); a miss is a guess, limited like a password (lib/rate-limits.ts)
 * whether the secret is stored hashed (argon2id) or not (HS256 clients): throws 429 over a limit.
 */
async function secretMatches(app: Application, secret: string, ip: string): Promise<boolean> {
  if (!app.clientSecret) return false;
  const k = cacheKey(app, secret);
  if (cache.verified.get(k) === app.version) return true;
  const attempt = await beginGuess({ kind: 'client', clientId: app.clientId, applicationId: app.id, ip });
  if (!attempt.allowed) throw tooManyRequests('Too many failed client authentications; retry later.', attempt.retryAfterSeconds);
  const ok = app.secretHashed
    ? await withArgon2Slot(() => argon2Verify(app.clientSecret, secret).catch(() => false))
    : timingSafeEqualStr(secret, app.clientSecret);
  if (ok) {
    if (cache.verified.size >= env().limits.clientSecretCacheMax) cache.verified.clear();
    cache.verified.set(k, app.version);
    await attempt.succeeded();
  }
  return ok;
}

/** The client a request names: its credentials, parsed once, and the application they name (if any). */
export interface NamedClient {
  presented: Presented | null;
  app: Client | null;
}

/**
 * Reads the credentials and looks up the application they name, without verifying anything yet.
 * Endpoints use `app` for CORS on every answer (errors included: it only decides whether the
 * browser may read the response), then pass the result to authenticateClient. A client_id that is
 * a Client ID Metadata Document URL is resolved by fetching it (lib/oauth/client-metadata.ts).
 * @throws OAuthError invalid_client when such a document is refused or cannot be fetched
 */
export async function nameClient(req: OAuthRequest, params: Params): Promise<NamedClient> {
  const presented = presentedCredentials(req, params);
  return { presented, app: presented ? await resolveClient(presented.clientId, req.ip) : null };
}

/**
 * Authenticates the named client. `allowPublic` lets public clients identify with client_id alone.
 * Throws invalid_client for every failure, without saying which part was wrong: 401 with a Basic
 * challenge when the client used the Authorization header, else 400 (RFC 6749 §5.2). A client that
 * authenticated but is suspended (by staff, or its owner is deactivated) is told so.
 */
export async function authenticateClient(req: OAuthRequest, named: NamedClient, opts: { allowPublic: boolean }): Promise<AuthenticatedClient> {
  const { presented: p, app } = named;
  if (!p) throw refused(req, 'Client authentication is required (HTTP Basic, or client_id and client_secret in the body).');
  const fail = (why: string, description?: string) => {
    audit('client.auth_failed', { applicationId: app?.id ?? null, ip: req.ip, detail: { client_id: p.clientId.slice(0, 64), why } });
    return refused(req, description);
  };
  if (!app) throw fail('unknown client');
  // Checked once the client has shown its credentials, so that a wrong secret still counts as one.
  const authenticated = (method: AuthMethod): AuthenticatedClient => {
    if (app.suspended) throw fail('application suspended', 'This application is suspended.');
    return { app, method };
  };
  if (p.method === 'none') {
    if (app.clientType !== 'public' || !opts.allowPublic) throw fail('secret missing');
    return authenticated('none');
  }
  if (app.clientType === 'public') {
    // A public client has no secret; accept an empty one (Basic "id:") as `none`.
    if (p.secret === '' && opts.allowPublic) return authenticated('none');
    throw fail('public client sent a secret');
  }
  if (!(await secretMatches(app, p.secret ?? '', req.ip))) throw fail('wrong secret');
  return authenticated(p.method);
}
