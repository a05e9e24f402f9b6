// Pending authorization requests (RFC 6749 §4.1.1): what /o/authorize/ keeps on the server while
// the user logs in and consents, so that the browser carries `?pending=<id>` instead of the whole
// request. The id is 256 random bits (base64url, 43 characters); the database holds its SHA-256
// only, so a database reader can neither finish nor spend someone's request. The stored request
// is the validated one: nothing is parsed twice, nothing is cut or dropped on the way.
import { z } from 'zod';
import { env } from '../env';
import { randomToken, sha256b64url } from './random';
import {
  consumeAuthorizationRequest,
  findAuthorizationRequest,
  insertAuthorizationRequest,
  markLoginRequested,
  type PendingRow,
} from '../db/queries/authorization-requests';
import { pathFor } from './paths';

// The limits of a pending request are settings (lib/env.ts Limits): its lifetime
// (pendingRequestTtlSeconds: long enough to sign up, log in and read the consent page), the largest
// authorization request taken (authorizeMaxRequestBytes: its parameters form-encoded; GET requests
// are further bounded by node's 16 KiB for the request line and headers, 431) and the longest
// `state` taken and sent back (authorizeMaxStateChars; a longer one is refused and not echoed).

/** The query parameter that carries a pending request's id through login and consent. */
export const PENDING_PARAM = 'pending';

const PENDING_ID = /^[A-Za-z0-9_-]{43}$/;

/** Whether `id` has the shape of a pending request id (anything else names no request). */
export const isPendingId = (id: unknown): id is string => typeof id === 'string' && PENDING_ID.test(id);

/**
 * The same-site URL that continues a pending request at the authorization endpoint (both doors):
 * the login's `next`, and where the consent page and its form send whatever they do not decide
 * themselves. The endpoint answers it for the session now logged in: login, the code, an error,
 * or the consent page. `id` is percent-encoded: a malformed one names no request.
 */
export const pendingPath = (id: string) => `${pathFor('authorization')}?${PENDING_PARAM}=${encodeURIComponent(id)}`;

/** The path of the consent page (app/o/authorize/consent/page.tsx). */
export const CONSENT_PAGE_PATH = pathFor('consent');

/** The same-site URL of a pending request's consent page (only the session it is bound to sees the form). */
export const consentPath = (id: string) => `${CONSENT_PAGE_PATH}?${PENDING_PARAM}=${encodeURIComponent(id)}`;

/**
 * The stored form of a validated request (ValidRequest in lib/oauth/endpoints/authorize.ts without
 * the application, which is read fresh on every step). Checked again on the way out of the database.
 */
export const storedRequestSchema = z.object({
  redirectUri: z.string().min(1),
  redirectUriSent: z.boolean(),
  state: z
    .string()
    .refine((s) => s.length <= env().limits.authorizeMaxStateChars)
    .optional(),
  scopes: z.array(z.string()),
  /** RFC 8707: the identifiers of the resources requested (the default resource when none was named). Absent in requests stored before resources. */
  resources: z.array(z.string()).optional(),
  codeChallenge: z.string().optional(),
  codeChallengeMethod: z.enum(['S256', 'plain']).optional(),
  nonce: z.string().optional(),
  prompt: z.array(z.enum(['none', 'login', 'consent', 'select_account'])),
  maxAge: z.number().int().nonnegative().optional(),
  loginHint: z.string().optional(),
  /** The `sub` of a verified id_token_hint (OIDC Core §3.1.2.1). */
  hintSub: z.string().optional(),
});

export type StoredRequest = z.infer<typeof storedRequestSchema>;

/** A pending request as read back: the row and its request, validated. */
export interface PendingRequest {
  id: string;
  idHash: string;
  row: PendingRow;
  request: StoredRequest;
}

/**
 * Stores a validated request for `applicationId` and returns its new id (43 base64url characters).
 * @param opts.sessionSidHash the session that made it, if any (see bindSidHash in findPending)
 * @param opts.loginAfter seconds since the epoch from which a login satisfies its prompt=login and
 *   max_age (set when it sends the user to log in for them), or null
 * @param opts.clientIp the source; it keeps its newest AUTHORIZE_PENDING_PER_IP requests, older ones are dropped
 */
export async function storePending(
  applicationId: number,
  request: StoredRequest,
  opts: { sessionSidHash: string | null; loginAfter: number | null; clientIp: string },
): Promise<string> {
  const id = randomToken(32);
  await insertAuthorizationRequest({
    requestIdHash: sha256b64url(id),
    applicationId,
    params: storedRequestSchema.parse(request),
    sessionSidHash: opts.sessionSidHash,
    loginAfter: opts.loginAfter,
    clientIp: opts.clientIp,
    expiresAt: new Date(Date.now() + env().limits.pendingRequestTtlSeconds * 1000),
  }, env().AUTHORIZE_PENDING_PER_IP);
  return id;
}

/**
 * The live pending request `id`, or null when it is malformed, unknown, spent or expired.
 * @param bindSidHash binds the request to this session in the same statement (a GET by a logged-in user)
 */
export async function findPending(id: unknown, bindSidHash?: string): Promise<PendingRequest | null> {
  if (!isPendingId(id)) return null;
  const idHash = sha256b64url(id);
  const row = await findAuthorizationRequest(idHash, bindSidHash);
  if (!row) return null;
  const request = storedRequestSchema.safeParse(row.params);
  return request.success ? { id, idHash, row, request: request.data } : null;
}

/** Records that a login from `loginAfter` (seconds since the epoch) on satisfies the request's prompt=login and max_age. */
export const markPendingLogin = (p: PendingRequest, loginAfter: number) => markLoginRequested(p.idHash, loginAfter);

/** Spends the request; true for exactly one caller. */
export const consumePending = (p: PendingRequest) => consumeAuthorizationRequest(p.idHash);

/**
 * The pending request id a query names, or null when it is a new authorization request. `pending`
 * counts only without `client_id`: a client's own request may carry a parameter of that name,
 * which RFC 6749 §3.1 says to ignore. The id may be malformed (findPending says no to it).
 */
export function pendingIdOf(query: URLSearchParams): string | null {
  return query.has('client_id') ? null : query.get(PENDING_PARAM);
}

/** The pending request id in a same-site `next` path (pendingPath: "/o/authorize/?pending=<id>"), or null. */
export function pendingIdOfNext(next: string): string | null {
  const prefix = `${pathFor('authorization')}?`;
  return next.startsWith(prefix) ? pendingIdOf(new URLSearchParams(next.slice(prefix.length))) : null;
}

/** What the login page says about the request it continues: the application's name and the login_hint. */
export type PendingSignIn = { kind: 'live'; appName: string; loginHint?: string } | { kind: 'expired' } | null;

/**
 * For the login and sign-up pages: when `next` continues a pending authorization request, the
 * application it is for (and its login_hint), or `expired` when that request is gone; null when
 * `next` is not a pending request. Reads only (binds nothing).
 */
export async function pendingSignIn(next: string): Promise<PendingSignIn> {
  const id = pendingIdOfNext(next);
  if (id === null) return null;
  const p = await findPending(id);
  if (!p) return { kind: 'expired' };
  return { kind: 'live', appName: p.row.appName, loginHint: p.request.loginHint };
}
