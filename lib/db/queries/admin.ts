// The staff area's reads and writes. Every list is keyset-paginated ("rows after this one", by an
// indexed order), so page 2,000 costs what page 1 costs on 100k rows; the cursor is the last row's
// id and its sort key is read back from the primary key. Authorization is the caller's job
// (lib/admin/service.ts checks staff before calling anything here). No token value or hash ever
// leaves this module.
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { getDb, query } from '../index';
import { accessTokens, applications, auditEvents, grants, refreshTokens, users } from '../schema';
import { canonicalUsername } from '../../canonical';
import { hasNul, isRowId, isUuid } from '../../fields';
import { appOwner, appSuspended, ownerOf } from './clients';

export interface Page<T> {
  rows: T[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
}

function page<T>(rows: T[], limit: number, cursor: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { rows, next: null };
  const shown = rows.slice(0, limit);
  return { rows: shown, next: cursor(shown[shown.length - 1]) };
}

/** LIKE pattern matching `s` anywhere, with %, _ and \ taken literally. */
const contains = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;

// --- users ----------------------------------------------------------------------------------------

export interface AdminUserRow {
  id: string;
  username: string;
  email: string;
  isStaff: boolean;
  isActive: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** The applications they own, oldest first; suspended while the user is inactive. */
  applications: OwnedApp[];
}

export interface OwnedApp {
  id: number;
  name: string;
  suspended: boolean;
}

/** Newest first (users_created_idx); `q` matches part of the username (canonical forms, lib/canonical.ts) or of the email, case-insensitively. */
export async function listUsers(f: { q: string; after?: string; limit: number }): Promise<Page<AdminUserRow>> {
  const db = await getDb();
  const conds: SQL[] = [];
  if (f.q) {
    conds.push(or(sql`${users.usernameCanonical} LIKE ${contains(canonicalUsername(f.q))}`, sql`lower(${users.email}) LIKE ${contains(f.q)}`)!);
  }
  if (f.after) {
    conds.push(sql`(${users.createdAt}, ${users.id}) < (SELECT u2.created_at, u2.id FROM users u2 WHERE u2.id = ${f.after})`);
  }
  const rows = await db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      isStaff: users.isStaff,
      isActive: users.isActive,
      createdAt: users.createdAt,
      lastLoginAt: users.lastLoginAt,
    })
    .from(users)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(f.limit + 1);
  const p = page(rows, f.limit, (r) => r.id);
  const owned = await applicationsOwnedBy(p.rows.map((r) => r.id));
  return { ...p, rows: p.rows.map((r) => ({ ...r, applications: owned.get(r.id) ?? [] })) };
}

/** The applications each of these users owns (applications_user_idx), with their suspended state. */
async function applicationsOwnedBy(userIds: string[]): Promise<Map<string, OwnedApp[]>> {
  const out = new Map<string, OwnedApp[]>();
  if (userIds.length === 0) return out;
  const db = await getDb();
  const rows = await db
    .select({ id: applications.id, name: applications.name, userId: applications.userId, suspended: appSuspended })
    .from(applications)
    .leftJoin(appOwner, ownerOf(applications))
    .where(inArray(applications.userId, userIds))
    .orderBy(applications.id);
  for (const { userId, ...app } of rows) {
    if (!userId) continue;
    const list = out.get(userId) ?? [];
    list.push(app);
    out.set(userId, list);
  }
  return out;
}

export async function findUserForAdmin(idOrUsername: string): Promise<{ id: string; username: string } | null> {
  if (hasNul(idOrUsername)) return null;
  const db = await getDb();
  const isId = isUuid(idOrUsername);
  const [u] = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(isId ? eq(users.id, idOrUsername) : eq(users.usernameCanonical, canonicalUsername(idOrUsername)))
    .limit(1);
  return u ?? null;
}

export interface Deactivated {
  found: boolean;
  accessTokens: number;
  refreshTokens: number;
}

/**
 * Activates or deactivates a user. Deactivating also revokes every token they hold and voids their
 * unused codes and device approvals, in the same statement; their browser session ends at once too
 * (currentUser() checks is_active on every request).
 */
export async function setUserActive(userId: string, active: boolean): Promise<Deactivated> {
  if (active) {
    const rows = await query<{ id: string }>(sql`UPDATE users SET is_active = true WHERE id = ${userId} RETURNING id`);
    return { found: rows.length > 0, accessTokens: 0, refreshTokens: 0 };
  }
  const rows = await query<{ found: number; access: number; refresh: number }>(sql`
    WITH u AS (
      UPDATE users SET is_active = false WHERE id = ${userId} RETURNING id
    ), a AS (
      UPDATE access_tokens SET revoked_at = now()
      WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > now() AND EXISTS (SELECT 1 FROM u)
      RETURNING 1
    ), r AS (
      UPDATE refresh_tokens SET revoked_at = now()
      WHERE user_id = ${userId} AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM u)
      RETURNING rotated_at
    ), g AS (
      UPDATE grants SET consumed_at = now()
      WHERE user_id = ${userId} AND consumed_at IS NULL AND expires_at > now() AND EXISTS (SELECT 1 FROM u)
      RETURNING 1
    ), d AS (
      UPDATE device_codes SET status = 'denied'
      WHERE user_id = ${userId} AND status IN ('pending', 'approved') AND EXISTS (SELECT 1 FROM u)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM u)::int AS found, (SELECT count(*) FROM a)::int AS access,
           (SELECT count(*) FROM r WHERE rotated_at IS NULL)::int AS refresh,
           (SELECT count(*) FROM g)::int + (SELECT count(*) FROM d)::int AS voided`);
  const r = rows[0];
  return { found: Number(r?.found ?? 0) > 0, accessTokens: Number(r?.access ?? 0), refreshTokens: Number(r?.refresh ?? 0) };
}

export async function setUserStaff(userId: string, staff: boolean): Promise<boolean> {
  const rows = await query<{ id: string }>(sql`UPDATE users SET is_staff = ${staff} WHERE id = ${userId} RETURNING id`);
  return rows.length > 0;
}

// --- applications ---------------------------------------------------------------------------------

export interface AdminAppRow {
  id: number;
  name: string;
  clientId: string;
  clientType: 'confidential' | 'public';
  grantTypes: string[];
  ownerUsername: string | null;
  /** Its owner is deactivated (lib/db/queries/clients.ts): it can neither authenticate nor use its tokens. */
  suspended: boolean;
  createdAt: Date;
}

/** Every owner's applications, newest first (primary key); `q` matches name, client id or owner. */
export async function listApplications(f: { q: string; after?: number; limit: number }): Promise<Page<AdminAppRow>> {
  const db = await getDb();
  const conds: SQL[] = [];
  if (f.q) {
    const p = contains(f.q);
    conds.push(
      or(sql`lower(${applications.name}) LIKE ${p}`, eq(applications.clientId, f.q), eq(appOwner.usernameCanonical, canonicalUsername(f.q)))!,
    );
  }
  if (f.after) conds.push(lt(applications.id, f.after));
  const rows = await db
    .select({
      id: applications.id,
      name: applications.name,
      clientId: applications.clientId,
      clientType: applications.clientType,
      grantTypes: applications.grantTypes,
      ownerUsername: appOwner.username,
      suspended: appSuspended,
      createdAt: applications.createdAt,
    })
    .from(applications)
    .leftJoin(appOwner, ownerOf(applications))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(applications.id))
    .limit(f.limit + 1);
  return page(rows, f.limit, (r) => String(r.id));
}

/** Whether application `id` is suspended (false when there is no such application). */
export async function isApplicationSuspended(id: number): Promise<boolean> {
  const db = await getDb();
  const [r] = await db.select({ suspended: appSuspended }).from(applications).leftJoin(appOwner, ownerOf(applications)).where(eq(applications.id, id)).limit(1);
  return r?.suspended ?? false;
}

export async function findApplicationForAdmin(idOrClientId: string): Promise<{ id: number; name: string } | null> {
  if (hasNul(idOrClientId)) return null;
  const db = await getDb();
  const where = isRowId(idOrClientId)
    ? or(eq(applications.id, Number(idOrClientId)), eq(applications.clientId, idOrClientId))
    : eq(applications.clientId, idOrClientId);
  const [a] = await db.select({ id: applications.id, name: applications.name }).from(applications).where(where).limit(1);
  return a ?? null;
}

// --- tokens and codes -----------------------------------------------------------------------------

export type TokenKind = 'access' | 'refresh' | 'code';
export type TokenState = 'active' | 'expired' | 'revoked' | 'used';

export interface AdminTokenRow {
  id: number;
  kind: TokenKind;
  applicationId: number;
  applicationName: string;
  userId: string | null;
  username: string | null;
  scope: string;
  /** Access tokens: the grant that issued it. */
  grantType: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  /** Revoked, rotated or redeemed at. */
  endedAt: Date | null;
  state: TokenState;
  lastUsedAt: Date | null;
}

export interface TokenQuery {
  kind: TokenKind;
  applicationId?: number;
  userId?: string;
  state?: TokenState;
  after?: number;
  limit: number;
}

const NEVER = sql`false`;

function accessState(s: TokenState): SQL {
  const t = accessTokens;
  if (s === 'active') return sql`${t.revokedAt} IS NULL AND ${t.expiresAt} > now()`;
  if (s === 'expired') return sql`${t.revokedAt} IS NULL AND ${t.expiresAt} <= now()`;
  if (s === 'revoked') return isNotNull(t.revokedAt);
  return NEVER;
}

function refreshState(s: TokenState): SQL {
  const t = refreshTokens;
  const live = sql`${t.revokedAt} IS NULL AND ${t.rotatedAt} IS NULL`;
  if (s === 'active') return sql`${live} AND (${t.expiresAt} IS NULL OR ${t.expiresAt} > now())`;
  if (s === 'expired') return sql`${live} AND ${t.expiresAt} <= now()`;
  if (s === 'revoked') return isNotNull(t.revokedAt);
  return and(isNull(t.revokedAt), isNotNull(t.rotatedAt))!;
}

function codeState(s: TokenState): SQL {
  const t = grants;
  if (s === 'active') return sql`${t.consumedAt} IS NULL AND ${t.expiresAt} > now()`;
  if (s === 'expired') return sql`${t.consumedAt} IS NULL AND ${t.expiresAt} <= now()`;
  if (s === 'used') return isNotNull(t.consumedAt);
  return NEVER;
}

/** Newest first by primary key; filters use the (application_id, user_id) and (user_id) indexes. */
export async function listTokens(f: TokenQuery): Promise<Page<AdminTokenRow>> {
  const db = await getDb();
  const limit = f.limit + 1;
  let rows: AdminTokenRow[];
  if (f.kind === 'access') {
    const t = accessTokens;
    const conds = [
      f.applicationId ? eq(t.applicationId, f.applicationId) : undefined,
      f.userId ? eq(t.userId, f.userId) : undefined,
      f.state ? accessState(f.state) : undefined,
      f.after ? lt(t.id, f.after) : undefined,
    ];
    const r = await db
      .select({
        id: t.id,
        applicationId: t.applicationId,
        applicationName: applications.name,
        userId: t.userId,
        username: users.username,
        scope: t.scope,
        grantType: t.grantType,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        revokedAt: t.revokedAt,
        expired: sql<boolean>`(${t.expiresAt} <= now())`.mapWith(Boolean),
      })
      .from(t)
      .innerJoin(applications, eq(applications.id, t.applicationId))
      .leftJoin(users, eq(users.id, t.userId))
      .where(and(...conds))
      .orderBy(desc(t.id))
      .limit(limit);
    rows = r.map((x) => ({
      ...x,
      kind: 'access',
      endedAt: x.revokedAt,
      lastUsedAt: null,
      state: x.revokedAt ? 'revoked' : x.expired ? 'expired' : 'active',
    }));
  } else if (f.kind === 'refresh') {
    const t = refreshTokens;
    const conds = [
      f.applicationId ? eq(t.applicationId, f.applicationId) : undefined,
      f.userId ? eq(t.userId, f.userId) : undefined,
      f.state ? refreshState(f.state) : undefined,
      f.after ? lt(t.id, f.after) : undefined,
    ];
    const r = await db
      .select({
        id: t.id,
        applicationId: t.applicationId,
        applicationName: applications.name,
        userId: t.userId,
        username: users.username,
        scope: t.scope,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        revokedAt: t.revokedAt,
        rotatedAt: t.rotatedAt,
        lastUsedAt: t.lastUsedAt,
        expired: sql<boolean>`(${t.expiresAt} IS NOT NULL AND ${t.expiresAt} <= now())`.mapWith(Boolean),
      })
      .from(t)
      .innerJoin(applications, eq(applications.id, t.applicationId))
      .leftJoin(users, eq(users.id, t.userId))
      .where(and(...conds))
      .orderBy(desc(t.id))
      .limit(limit);
    rows = r.map((x) => ({
      id: x.id,
      kind: 'refresh',
      applicationId: x.applicationId,
      applicationName: x.applicationName,
      userId: x.userId,
      username: x.username,
      scope: x.scope,
      grantType: null,
      createdAt: x.createdAt,
      expiresAt: x.expiresAt,
      endedAt: x.revokedAt ?? x.rotatedAt,
      lastUsedAt: x.lastUsedAt,
      state: x.revokedAt ? 'revoked' : x.rotatedAt ? 'used' : x.expired ? 'expired' : 'active',
    }));
  } else {
    const t = grants;
    const conds = [
      f.applicationId ? eq(t.applicationId, f.applicationId) : undefined,
      f.userId ? eq(t.userId, f.userId) : undefined,
      f.state ? codeState(f.state) : undefined,
      f.after ? lt(t.id, f.after) : undefined,
    ];
    const r = await db
      .select({
        id: t.id,
        applicationId: t.applicationId,
        applicationName: applications.name,
        userId: t.userId,
        username: users.username,
        scope: t.scope,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        consumedAt: t.consumedAt,
        expired: sql<boolean>`(${t.expiresAt} <= now())`.mapWith(Boolean),
      })
      .from(t)
      .innerJoin(applications, eq(applications.id, t.applicationId))
      .leftJoin(users, eq(users.id, t.userId))
      .where(and(...conds))
      .orderBy(desc(t.id))
      .limit(limit);
    rows = r.map((x) => ({
      id: x.id,
      kind: 'code',
      applicationId: x.applicationId,
      applicationName: x.applicationName,
      userId: x.userId,
      username: x.username,
      scope: x.scope,
      grantType: 'authorization_code',
      createdAt: x.createdAt,
      expiresAt: x.expiresAt,
      endedAt: x.consumedAt,
      lastUsedAt: null,
      state: x.consumedAt ? 'used' : x.expired ? 'expired' : 'active',
    }));
  }
  return page(rows, f.limit, (r) => String(r.id));
}

/**
 * Revokes the given tokens (or voids the given codes); returns how many changed. Revoking a refresh
 * token also revokes the access tokens of its family (RFC 7009 §2.1: "the authorization server
 * SHOULD also invalidate all access tokens based on the same authorization grant").
 */
export async function revokeTokens(kind: TokenKind, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const db = await getDb();
  if (kind === 'access') {
    const r = await db
      .update(accessTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(inArray(accessTokens.id, ids), isNull(accessTokens.revokedAt)))
      .returning({ id: accessTokens.id });
    return r.length;
  }
  if (kind === 'refresh') {
    const r = await db
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(inArray(refreshTokens.id, ids), isNull(refreshTokens.revokedAt)))
      .returning({ familyId: refreshTokens.familyId });
    const families = [...new Set(r.map((x) => x.familyId))];
    if (families.length) {
      await db
        .update(accessTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(inArray(accessTokens.familyId, families), isNull(accessTokens.revokedAt)));
    }
    return r.length;
  }
  const r = await db
    .update(grants)
    .set({ consumedAt: sql`now()` })
    .where(and(inArray(grants.id, ids), isNull(grants.consumedAt)))
    .returning({ id: grants.id });
  return r.length;
}

// --- audit events ---------------------------------------------------------------------------------

export interface AdminAuditRow {
  id: number;
  at: Date;
  type: string;
  actorUserId: string | null;
  actorUsername: string | null;
  actorLabel: string | null;
  applicationId: number | null;
  applicationName: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  type?: string;
  actorUserId?: string;
  /** Matches actor_label, any of these: e.g. the canonical username of a failed login, which may belong to nobody. */
  actorLabels?: string[];
  applicationId?: number;
  ip?: string;
  after?: number;
  limit: number;
}

/** Newest first by time (audit_events_at_idx, or (type, at) when filtered by type). */
export async function listAuditEvents(f: AuditQuery): Promise<Page<AdminAuditRow>> {
  const db = await getDb();
  const e = auditEvents;
  const byLabel = f.actorLabels?.length ? inArray(e.actorLabel, f.actorLabels) : undefined;
  const byId = f.actorUserId ? eq(e.actorUserId, f.actorUserId) : undefined;
  const actor = byId && byLabel ? or(byId, byLabel) : (byId ?? byLabel);
  const conds = [
    f.type ? eq(e.type, f.type) : undefined,
    actor,
    f.applicationId ? eq(e.applicationId, f.applicationId) : undefined,
    f.ip ? eq(e.ip, f.ip) : undefined,
    f.after ? sql`(${e.at}, ${e.id}) < (SELECT a2.at, a2.id FROM audit_events a2 WHERE a2.id = ${f.after})` : undefined,
  ];
  const rows = await db
    .select({
      id: e.id,
      at: e.at,
      type: e.type,
      actorUserId: e.actorUserId,
      actorUsername: users.username,
      actorLabel: e.actorLabel,
      applicationId: e.applicationId,
      applicationName: applications.name,
      ip: e.ip,
      detail: e.detail,
    })
    .from(e)
    .leftJoin(users, eq(users.id, e.actorUserId))
    .leftJoin(applications, eq(applications.id, e.applicationId))
    .where(and(...conds))
    .orderBy(desc(e.at), desc(e.id))
    .limit(f.limit + 1);
  return page(rows, f.limit, (r) => String(r.id));
}
