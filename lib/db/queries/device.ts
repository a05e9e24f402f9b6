// Device codes (RFC 8628). The device_code is stored only as SHA-256; the user_code is stored
// normalized (8 chars, no dash). Every state change is one conditional UPDATE … RETURNING, so that
// concurrent polls, entries and decisions cannot both win.
import { sql } from 'drizzle-orm';
import { query } from '../index';
import type { DeviceStatus, PolledDeviceCode } from '../../oauth/store';
import type { Application } from '../schema';

export interface NewDeviceCode {
  deviceCodeHash: string;
  userCode: string;
  applicationId: number;
  scope: string;
  /** RFC 8707: the resource identifiers requested (identifiers contain no space). */
  resources: string[];
  interval: number;
  expiresAt: Date;
}

/** Inserts; false when the user code is taken (the caller draws another). */
export async function insertDeviceCode(r: NewDeviceCode): Promise<boolean> {
  const rows = await query<{ id: number }>(sql`
    INSERT INTO device_codes (device_code_hash, user_code, application_id, scope, interval, expires_at, resources)
    VALUES (${r.deviceCodeHash}, ${r.userCode}, ${r.applicationId}, ${r.scope}, ${r.interval}, ${r.expiresAt.toISOString()},
            string_to_array(${r.resources.join(' ')}::text, ' '))
    ON CONFLICT (user_code) DO NOTHING
    RETURNING id::int AS id`);
  return rows.length === 1;
}

/**
 * TokenStore.pollDeviceCode: records a poll of the token endpoint and returns the code's state, or
 * null when the hash is unknown or belongs to another client. RFC 8628 §3.5 slow_down: "the interval MUST be increased by
 * 5 seconds for this and all subsequent requests" — done here, in the same statement, only while
 * the request is pending (slow_down is "a variant of authorization_pending").
 */
export async function pollDeviceCode(deviceCodeHash: string, applicationId: number): Promise<PolledDeviceCode | null> {
  const rows = await query<{
    id: number;
    status: DeviceStatus;
    user_id: string | null;
    scope: string;
    interval: number;
    expired: boolean;
    too_fast: boolean;
    user_active: boolean | null;
  }>(sql`
    UPDATE device_codes d SET
      last_polled_at = now(),
      interval = CASE WHEN o.too_fast THEN d.interval + 5 ELSE d.interval END
    FROM (
      SELECT id,
             (status = 'pending' AND expires_at > now() AND last_polled_at IS NOT NULL
              AND now() < last_polled_at + make_interval(secs => interval)) AS too_fast
      FROM device_codes
      WHERE device_code_hash = ${deviceCodeHash} AND application_id = ${applicationId}
      FOR UPDATE
    ) o
    WHERE d.id = o.id
    RETURNING d.id::int AS id, d.status, d.user_id, d.scope, d.interval, (d.expires_at <= now()) AS expired, o.too_fast,
              (SELECT u.is_active FROM users u WHERE u.id = d.user_id) AS user_active`);
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    status: r.status,
    userId: r.user_id,
    scope: r.scope,
    interval: Number(r.interval),
    expired: Boolean(r.expired),
    tooFast: Boolean(r.too_fast),
    userActive: r.user_active === null ? null : Boolean(r.user_active),
  };
}

// approved → consumed, with the tokens: TokenStore.redeemDeviceCode (./tokens.ts).

/**
 * Binds a pending, live user code to the user who entered it (DOT #1819): the first user to enter
 * it owns it; the same user may enter it again; anyone else gets null, as for an unknown code.
 */
export async function bindUserCode(userCode: string, userId: string): Promise<{ id: number } | null> {
  const rows = await query<{ id: number }>(sql`
    UPDATE device_codes SET user_id = ${userId}
    WHERE user_code = ${userCode} AND status = 'pending' AND expires_at > now()
      AND (user_id IS NULL OR user_id = ${userId})
    RETURNING id::int AS id`);
  return rows[0] ? { id: Number(rows[0].id) } : null;
}

export interface DeviceRequestView {
  id: number;
  applicationId: number;
  appName: string;
  ownerUsername: string | null;
  /** What the "not verified" warning needs (selfRegisteredHost). */
  registrationMethod: Application['registrationMethod'];
  clientId: string;
  clientUri: string | null;
  scope: string;
  /** RFC 8707: the resources the device asked for; empty for the default resource. */
  resources: string[];
  expiresAt: Date;
}

/** The pending request behind `userCode`, only if `userId` entered it and it is still live. */
export async function findBoundDeviceRequest(userCode: string, userId: string): Promise<DeviceRequestView | null> {
  const rows = await query<{
    id: number;
    application_id: number;
    app_name: string;
    owner_username: string | null;
    registration_method: Application['registrationMethod'];
    client_id: string;
    client_uri: string | null;
    scope: string;
    resources: string[] | null;
    expires_at: string | Date;
  }>(sql`
    SELECT d.id::int AS id, d.application_id::int AS application_id, a.name AS app_name, u.username AS owner_username,
           a.registration_method, a.client_id, a.client_uri,
           d.scope, d.resources, d.expires_at
    FROM device_codes d
    JOIN applications a ON a.id = d.application_id
    LEFT JOIN users u ON u.id = a.user_id
    WHERE d.user_code = ${userCode} AND d.user_id = ${userId} AND d.status = 'pending' AND d.expires_at > now()`);
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    applicationId: Number(r.application_id),
    appName: r.app_name,
    ownerUsername: r.owner_username,
    registrationMethod: r.registration_method,
    clientId: r.client_id,
    clientUri: r.client_uri,
    scope: r.scope,
    resources: r.resources ?? [],
    expiresAt: new Date(r.expires_at),
  };
}

/** pending → approved/denied, only by the user the code is bound to, once. */
export async function decideDeviceCode(
  userCode: string,
  userId: string,
  status: 'approved' | 'denied',
): Promise<{ id: number; applicationId: number; scope: string } | null> {
  const rows = await query<{ id: number; application_id: number; scope: string }>(sql`
    UPDATE device_codes SET status = ${status}
    WHERE user_code = ${userCode} AND user_id = ${userId} AND status = 'pending' AND expires_at > now()
    RETURNING id::int AS id, application_id::int AS application_id, scope`);
  const r = rows[0];
  return r ? { id: Number(r.id), applicationId: Number(r.application_id), scope: r.scope } : null;
}
