// The user's side of the device flow (RFC 8628 §3.3), used by the /o/device/ page and its actions:
// enter the user code (which binds it to this user), see what the device asks for, approve or deny.
// Only the user who entered a code may decide on it (DOT #1819), and entries are limited per user
// and per source (lib/rate-limits.ts): a user code has only ~34.5 bits (RFC 8628 §5.1, §6.1).
import { formatUserCode, normalizeUserCode } from './random';
import { parseScope } from './scope';
import { bindUserCode, decideDeviceCode, findBoundDeviceRequest } from '../db/queries/device';
import { beginUserCodeEntry } from '../rate-limits';
import { saveConsent } from '../db/queries/tokens';
import { audit } from '../db/queries/audit';
import { selfRegisteredHost, type UnverifiedHosts } from './client-metadata';
import { consentGroups, defaultResource, listResources, type ConsentGroup } from './resources';

export interface DeviceActor {
  userId: string;
  ip: string;
}

export type EnterResult = { ok: true; userCode: string } | { ok: false; error: 'invalid' } | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * The user typed a code. On success the code is bound to them and the formatted code is returned
 * (the page then shows the consent for it). Unknown, expired, used and someone else's codes all
 * give the same answer and count as a failure. Every entry is counted before it is looked at
 * (lib/rate-limits.ts), so parallel entries cannot get past the limit.
 */
export async function enterUserCode(a: DeviceActor, input: string): Promise<EnterResult> {
  const attempt = await beginUserCodeEntry(a.userId, a.ip);
  if (!attempt.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: attempt.retryAfterSeconds };
  const code = normalizeUserCode(input);
  const bound = code ? await bindUserCode(code, a.userId) : null;
  if (!code || !bound) return { ok: false, error: 'invalid' };
  await attempt.succeeded();
  return { ok: true, userCode: formatUserCode(code) };
}

export interface DeviceConsent {
  userCode: string;
  applicationId: number;
  appName: string;
  ownerUsername: string | null;
  /** For a self-registered client, the hosts its "not verified" warning names (no redirect URI here); else null. */
  unverified: UnverifiedHosts | null;
  scopes: string[];
  /** The scopes grouped by resource, with their sentences, as the consent screen shows them. */
  groups: ConsentGroup[];
  expiresAt: Date;
}

/** What the device asks for, if `userCode` is pending and bound to this user; else null. */
export async function loadDeviceConsent(userId: string, userCode: string): Promise<DeviceConsent | null> {
  const code = normalizeUserCode(userCode);
  if (!code) return null;
  const r = await findBoundDeviceRequest(code, userId);
  if (!r) return null;
  return {
    userCode: formatUserCode(code),
    applicationId: r.applicationId,
    appName: r.appName,
    ownerUsername: r.ownerUsername,
    unverified: selfRegisteredHost(r, null),
    scopes: parseScope(r.scope),
    // No stored resource means the default resource (RFC 8707 §2: without `resource`).
    groups: consentGroups(parseScope(r.scope), r.resources.length ? r.resources : [(await defaultResource()).identifier], await listResources()),
    expiresAt: r.expiresAt,
  };
}

export type DecideResult = { ok: true; decision: 'approved' | 'denied' } | { ok: false };

/**
 * Approve or deny. Succeeds only for the user the code is bound to, while it is pending and live;
 * a second decision, another user's attempt or an expired code change nothing.
 */
export async function decideDevice(a: DeviceActor, userCode: string, decision: 'approve' | 'deny'): Promise<DecideResult> {
  const code = normalizeUserCode(userCode);
  if (!code) return { ok: false };
  const status = decision === 'approve' ? 'approved' : 'denied';
  const row = await decideDeviceCode(code, a.userId, status);
  if (!row) return { ok: false };
  if (status === 'approved') {
    // Approving is consenting: the application then appears under Authorized apps, where the
    // user can revoke it.
    await saveConsent(a.userId, row.applicationId, parseScope(row.scope));
    audit('device.approved', { actorUserId: a.userId, applicationId: row.applicationId, ip: a.ip, detail: { scope: row.scope } });
  } else {
    audit('device.denied', { actorUserId: a.userId, applicationId: row.applicationId, ip: a.ip });
  }
  return { ok: true, decision: status };
}
