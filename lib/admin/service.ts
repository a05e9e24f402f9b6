// The staff area's rules, used by the pages and server actions of /admin/. Every function checks
// that the actor is staff first and answers anyone else with AdminNotFoundError (the pages and
// actions turn it into a 404, like requireStaff): the admin area does not reveal it exists.
// Every change writes an 'admin.action' audit event. No Next.js imports.
import * as users from '../db/queries/users';
import * as registration from '../db/queries/registration';
import * as apps from '../db/queries/applications';
import { audit, listAuditEvents as queryAuditEvents } from '../db/queries/audit';
import { databaseTokenStore as tokens } from '../db/queries/token-store';
import type { AdminUserRow } from '../db/queries/users';
import type { AdminAppRow, OwnedApp } from '../db/queries/applications';
import type { AdminAuditRow } from '../db/queries/audit';
import type { Page } from '../db/queries/page';
import type { TokenListRow as AdminTokenRow } from '../oauth/store';
import { clientIdsOwnedBy, invalidateClients } from '../db/queries/clients';
import { canonicalUsername } from '../canonical';
import { revokeUserSessions } from '../db/queries/sessions';
import {
  ApplicationNotFoundError,
  deleteApplication,
  getApplication,
  regenerateSecret,
  type ApplicationView,
  type RegenerateResult,
} from '../apps/service';
import { isRowId, isUuid } from '../fields';
import { PAGE_SIZE, type AppFilters, type AuditFilters, type TokenFilters, type TokenKind, type UserFilters } from './schema';

export type { AdminAppRow, AdminAuditRow, AdminTokenRow, AdminUserRow, OwnedApp, Page };

export interface StaffActor {
  id: string;
  isStaff: boolean;
  ip?: string | null;
}

/** Not staff, or no such object: the same answer, a 404. */
export class AdminNotFoundError extends Error {
  constructor() {
    super('Not found');
    this.name = 'AdminNotFoundError';
  }
}

/**
 * The actor must be staff and active *now*, read from the database: a session or an actor object
 * that still says "staff" after the flag was removed grants nothing.
 */
export async function assertStaff(actor: StaffActor | null | undefined): Promise<void> {
  if (!actor || !actor.isStaff) throw new AdminNotFoundError();
  const u = await users.findUserById(actor.id);
  if (!u || !u.isStaff || !u.isActive) throw new AdminNotFoundError();
}

function adminAudit(actor: StaffActor, action: string, detail: Record<string, unknown>, applicationId: number | null = null) {
  audit('admin.action', { actorUserId: actor.id, applicationId, ip: actor.ip ?? null, detail: { action, ...detail } });
}

export type ActionResult = { ok: true; message: string } | { ok: false; message: string };
/** A user action's result; when done, with the user's username (the notice names them). */
export type UserActionResult = { ok: true; message: string; username: string } | { ok: false; message: string };

// --- users ----------------------------------------------------------------------------------------

export async function listUsers(actor: StaffActor, f: UserFilters): Promise<Page<AdminUserRow>> {
  await assertStaff(actor);
  return users.listUsers({ q: f.q, after: f.after, limit: PAGE_SIZE });
}

/**
 * Activate or deactivate. Deactivating revokes all of the user's tokens and suspends the
 * applications they own (derived from is_active: reactivating restores them, with the tokens
 * already issued to them). Staff cannot lock themselves out.
 */
export async function setUserActive(actor: StaffActor, userId: string, active: boolean): Promise<UserActionResult> {
  await assertStaff(actor);
  if (!isUuid(userId)) throw new AdminNotFoundError();
  if (userId === actor.id && !active) return { ok: false, message: 'You cannot deactivate your own account.' };
  const r = await users.setUserActive(userId, active);
  if (!r.found) throw new AdminNotFoundError();
  // Their applications are suspended (or restored) with them: drop the cached clients everywhere.
  const clientIds = await clientIdsOwnedBy(userId);
  await invalidateClients(clientIds);
  if (!active) await revokeUserSessions(userId, null, 'deactivated'); // OWASP: their logins end too, and stay ended if reactivated
  adminAudit(actor, active ? 'user.activated' : 'user.deactivated', {
    user_id: userId,
    ...(active ? {} : { revoked_access_tokens: r.accessTokens, revoked_refresh_tokens: r.refreshTokens }),
    ...(clientIds.length ? { [active ? 'restored_applications' : 'suspended_applications']: clientIds.length } : {}),
  });
  const apps = clientIds.length ? ` Applications ${active ? 'restored' : 'suspended'}: ${clientIds.length}.` : '';
  return {
    ok: true,
    username: r.username ?? '',
    message: active ? `User activated.${apps}` : `User deactivated; ${r.accessTokens} access and ${r.refreshTokens} refresh tokens revoked.${apps}`,
  };
}

export async function setUserStaff(actor: StaffActor, userId: string, staff: boolean): Promise<UserActionResult> {
  await assertStaff(actor);
  if (!isUuid(userId)) throw new AdminNotFoundError();
  if (userId === actor.id && !staff) return { ok: false, message: 'You cannot remove your own staff status.' };
  const username = await users.setUserStaff(userId, staff);
  if (username === null) throw new AdminNotFoundError();
  adminAudit(actor, staff ? 'user.made_staff' : 'user.staff_removed', { user_id: userId });
  return { ok: true, username, message: staff ? 'User is now staff.' : 'User is no longer staff.' };
}

// --- applications (the applications service does the work; staff may act on any application) ------

export async function listApplications(actor: StaffActor, f: AppFilters): Promise<Page<AdminAppRow>> {
  await assertStaff(actor);
  return apps.listApplications({ q: f.q, after: f.after ? Number(f.after) : undefined, limit: PAGE_SIZE });
}

async function orNotFound<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApplicationNotFoundError) throw new AdminNotFoundError();
    throw e;
  }
}

/** An application as staff see it: its settings, and whether it is suspended (by staff, or its owner is deactivated). */
export async function getApplicationForAdmin(actor: StaffActor, id: number): Promise<ApplicationView & { suspended: boolean }> {
  await assertStaff(actor);
  const [app, suspended] = await Promise.all([orNotFound(getApplication(id, actor)), apps.isApplicationSuspended(id)]);
  return { ...app, suspended };
}

/**
 * Suspends (`suspended` true) or unsuspends an application of any owner: a suspended client is
 * refused everywhere (authorization, client authentication, its tokens; lib/db/queries/clients.ts
 * appSuspended). Tokens stay stored and work again after unsuspending, as for a deactivated owner.
 * @returns the application's name (for the notice)
 * @throws AdminNotFoundError when there is no such application
 */
export async function setApplicationSuspended(actor: StaffActor, id: number, suspended: boolean): Promise<{ name: string }> {
  await assertStaff(actor);
  const r = await registration.setApplicationSuspended(id, suspended);
  if (!r) throw new AdminNotFoundError();
  adminAudit(actor, suspended ? 'application.suspended' : 'application.unsuspended', { application_id: id, client_id: r.clientId }, id);
  return { name: r.name };
}

/** A new secret, returned once (the page shows it in the action's answer only). */
export async function resetApplicationSecret(actor: StaffActor, id: number): Promise<RegenerateResult> {
  await assertStaff(actor);
  const r = await orNotFound(regenerateSecret(id, actor));
  if (r.ok) adminAudit(actor, 'application.secret_reset', { application_id: id }, id);
  return r;
}

/** @returns the deleted application's name (for the "Deleted <name>" notice) */
export async function deleteApplicationAsAdmin(actor: StaffActor, id: number): Promise<{ name: string }> {
  await assertStaff(actor);
  const app = await orNotFound(getApplication(id, actor));
  await orNotFound(deleteApplication(id, actor));
  adminAudit(actor, 'application.deleted', { application_id: id, client_id: app.clientId, name: app.name }, id);
  return { name: app.name };
}

// --- tokens and grants ----------------------------------------------------------------------------

export interface TokenList extends Page<AdminTokenRow> {
  /** Set when a filter names an application or user that does not exist (the list is then empty). */
  unknown?: 'application' | 'user';
}

export async function listTokens(actor: StaffActor, f: TokenFilters): Promise<TokenList> {
  await assertStaff(actor);
  let applicationId: number | undefined;
  let userId: string | undefined;
  if (f.app) {
    const a = await apps.findApplicationForAdmin(f.app);
    if (!a) return { rows: [], next: null, unknown: 'application' };
    applicationId = a.id;
  }
  if (f.user) {
    const u = await users.findUserForAdmin(f.user);
    if (!u) return { rows: [], next: null, unknown: 'user' };
    userId = u.id;
  }
  return tokens.listTokens({ kind: f.kind, applicationId, userId, state: f.state, after: f.after ? Number(f.after) : undefined, limit: PAGE_SIZE });
}

export async function revokeTokens(actor: StaffActor, kind: TokenKind, ids: number[]): Promise<ActionResult & { count: number }> {
  await assertStaff(actor);
  const n = await tokens.revokeByIds(kind, ids);
  if (n > 0) {
    audit('token.revoked', { actorUserId: actor.id, ip: actor.ip ?? null, detail: { via: 'admin', kind, count: n } });
    adminAudit(actor, 'tokens.revoked', { kind, ids: ids.slice(0, 200), count: n });
  }
  const what = kind === 'code' ? (n === 1 ? 'authorization code voided' : 'authorization codes voided') : n === 1 ? 'token revoked' : 'tokens revoked';
  return { ok: true, count: n, message: n === 0 ? 'Nothing to revoke: the selected rows were already revoked or used.' : `${n} ${what}.` };
}

// --- audit events ---------------------------------------------------------------------------------

export interface AuditList extends Page<AdminAuditRow> {
  unknown?: 'application';
}

export async function listAuditEvents(actor: StaffActor, f: AuditFilters): Promise<AuditList> {
  await assertStaff(actor);
  let applicationId: number | undefined;
  if (f.app) {
    const a = await apps.findApplicationForAdmin(f.app);
    // A deleted application's events keep its numeric id.
    if (a) applicationId = a.id;
    else if (isRowId(f.app)) applicationId = Number(f.app);
    else return { rows: [], next: null, unknown: 'application' };
  }
  let actorUserId: string | undefined;
  let actorLabels: string[] | undefined;
  if (f.actor) {
    const u = await users.findUserForAdmin(f.actor);
    if (u) actorUserId = u.id;
    else if (isUuid(f.actor)) actorUserId = f.actor;
    // Failed logins are labelled with the canonical form of whatever username was typed, which may
    // belong to nobody; other labels (e.g. createsuperuser) as written.
    if (!isUuid(f.actor)) actorLabels = [...new Set([f.actor, canonicalUsername(f.actor)])];
  }
  return queryAuditEvents({
    type: f.type,
    actorUserId,
    actorLabels,
    applicationId,
    ip: f.ip || undefined,
    after: f.after ? Number(f.after) : undefined,
    limit: PAGE_SIZE,
  });
}
