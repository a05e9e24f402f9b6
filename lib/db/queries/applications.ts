// Applications (OAuth clients) as their owners and staff manage them: the only DB access of the
// /o/applications/ feature. The protocol's hot path reads clients through ./clients.ts instead.
//
// Visibility: a user sees the applications they own; staff see every application. Anything else
// reads as "does not exist" (null), so that ids of other users' applications reveal nothing.
// The stored client secret never leaves this module except through getSecretStateForViewer,
// which the service needs to hash a stored plain secret or to tell whether it can be unhashed.
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { getDb } from '../index';
import { applications, users, type Application, type NewApplication } from '../schema';
import { appOwner, appSuspended, ownerOf } from './clients';
import { contains, page, type Page } from './page';
import { canonicalUsername } from '../../canonical';
import { hasNul, isRowId } from '../../fields';

export interface Viewer {
  id: string;
  isStaff: boolean;
}

/** An application as the pages show it: everything but the secret. */
export type ApplicationView = Omit<Application, 'clientSecret'> & {
  ownerUsername: string | null;
  /** False for public clients (and any client whose secret was never set). */
  hasSecret: boolean;
};

export type ApplicationSummary = Pick<Application, 'id' | 'name' | 'clientId' | 'clientType' | 'grantTypes' | 'createdAt'>;

const viewColumns = {
  id: applications.id,
  clientId: applications.clientId,
  secretHashed: applications.secretHashed,
  version: applications.version,
  name: applications.name,
  clientType: applications.clientType,
  grantTypes: applications.grantTypes,
  redirectUris: applications.redirectUris,
  postLogoutRedirectUris: applications.postLogoutRedirectUris,
  allowedOrigins: applications.allowedOrigins,
  algorithm: applications.algorithm,
  skipAuthorization: applications.skipAuthorization,
  userId: applications.userId,
  allowedScopes: applications.allowedScopes,
  scopePolicy: applications.scopePolicy,
  registrationMethod: applications.registrationMethod,
  registrationAccessTokenHash: applications.registrationAccessTokenHash,
  suspendedAt: applications.suspendedAt,
  logoUri: applications.logoUri,
  clientUri: applications.clientUri,
  metadataFetchedAt: applications.metadataFetchedAt,
  metadataExpiresAt: applications.metadataExpiresAt,
  createdAt: applications.createdAt,
  updatedAt: applications.updatedAt,
  ownerUsername: users.username,
  hasSecret: sql<boolean>`(${applications.clientSecret} <> '')`.mapWith(Boolean),
};

function visibleTo(id: number, viewer: Viewer): SQL {
  const byId = eq(applications.id, id);
  return viewer.isStaff ? byId : and(byId, eq(applications.userId, viewer.id))!;
}

/** The columns of an ApplicationSummary. */
const summaryColumns = {
  id: applications.id,
  name: applications.name,
  clientId: applications.clientId,
  clientType: applications.clientType,
  grantTypes: applications.grantTypes,
  createdAt: applications.createdAt,
};

export async function listForOwner(userId: string): Promise<ApplicationSummary[]> {
  const db = await getDb();
  return db
    .select(summaryColumns)
    .from(applications)
    .where(eq(applications.userId, userId))
    .orderBy(desc(applications.createdAt), desc(applications.id));
}

/** The application if `viewer` may see it (owner or staff), else null. Never includes the secret. */
export async function getForViewer(id: number, viewer: Viewer): Promise<ApplicationView | null> {
  const db = await getDb();
  const [row] = await db
    .select(viewColumns)
    .from(applications)
    .leftJoin(users, eq(users.id, applications.userId))
    .where(visibleTo(id, viewer))
    .limit(1);
  return row ?? null;
}

export interface SecretState {
  id: number;
  clientId: string;
  clientType: 'confidential' | 'public';
  clientSecret: string;
  secretHashed: boolean;
  version: number;
  userId: string | null;
}

/** For the service only: the stored secret (hash or plain) and what decides how to change it. */
export async function getSecretStateForViewer(id: number, viewer: Viewer): Promise<SecretState | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      id: applications.id,
      clientId: applications.clientId,
      clientType: applications.clientType,
      clientSecret: applications.clientSecret,
      secretHashed: applications.secretHashed,
      version: applications.version,
      userId: applications.userId,
    })
    .from(applications)
    .where(visibleTo(id, viewer))
    .limit(1);
  return row ?? null;
}

/** Inserts; null when the client id is taken (the caller picks another). */
export async function create(values: Omit<NewApplication, 'id' | 'version' | 'createdAt' | 'updatedAt'>): Promise<{ id: number; clientId: string } | null> {
  const db = await getDb();
  const [row] = await db
    .insert(applications)
    .values(values)
    .onConflictDoNothing({ target: applications.clientId })
    .returning({ id: applications.id, clientId: applications.clientId });
  return row ?? null;
}

export type ApplicationPatch = Partial<
  Pick<
    Application,
    | 'name'
    | 'clientType'
    | 'grantTypes'
    | 'redirectUris'
    | 'postLogoutRedirectUris'
    | 'allowedOrigins'
    | 'algorithm'
    | 'skipAuthorization'
    | 'userId'
    | 'clientSecret'
    | 'secretHashed'
    | 'allowedScopes'
    | 'scopePolicy'
  >
>;

export type UpdateResult = { status: 'updated'; clientId: string; version: number } | { status: 'not_found' } | { status: 'conflict' };

/**
 * Applies `patch` if the application is visible to `viewer` and still at `expectedVersion`
 * (optimistic concurrency: a concurrent edit is not silently overwritten). Every change bumps
 * `version` (which invalidates the protocol's client and secret caches) and `updatedAt`.
 */
export async function update(id: number, viewer: Viewer, expectedVersion: number | null, patch: ApplicationPatch): Promise<UpdateResult> {
  const db = await getDb();
  const where = expectedVersion === null ? visibleTo(id, viewer) : and(visibleTo(id, viewer), eq(applications.version, expectedVersion))!;
  const [row] = await db
    .update(applications)
    .set({ ...patch, version: sql`${applications.version} + 1`, updatedAt: sql`now()` })
    .where(where)
    .returning({ clientId: applications.clientId, version: applications.version });
  if (row) return { status: 'updated', ...row };
  if (expectedVersion !== null && (await getSecretStateForViewer(id, viewer))) return { status: 'conflict' };
  return { status: 'not_found' };
}

/** Replaces the secret of a confidential client. Null when not visible (or a public client). */
export async function regenerateSecret(
  id: number,
  viewer: Viewer,
  secret: { clientSecret: string; secretHashed: boolean },
): Promise<{ clientId: string; version: number } | null> {
  const db = await getDb();
  const [row] = await db
    .update(applications)
    .set({ ...secret, version: sql`${applications.version} + 1`, updatedAt: sql`now()` })
    .where(and(visibleTo(id, viewer), eq(applications.clientType, 'confidential')))
    .returning({ clientId: applications.clientId, version: applications.version });
  return row ?? null;
}

/**
 * Deletes the application. Its grants (codes), access and refresh tokens, consents and device
 * codes go with it: their application_id foreign keys are ON DELETE CASCADE (drizzle/0000_init.sql).
 */
export async function deleteForViewer(id: number, viewer: Viewer): Promise<{ id: number; clientId: string; name: string } | null> {
  const db = await getDb();
  const [row] = await db
    .delete(applications)
    .where(visibleTo(id, viewer))
    .returning({ id: applications.id, clientId: applications.clientId, name: applications.name });
  return row ?? null;
}

/** The application's name, whoever owns it; null when there is none. Callers decide who may learn it. */
export async function applicationName(id: number): Promise<string | null> {
  const db = await getDb();
  const [row] = await db.select({ name: applications.name }).from(applications).where(eq(applications.id, id)).limit(1);
  return row?.name ?? null;
}

export { findUserByUsername } from './users';

// --- the staff area (lib/admin/service.ts checks staff before calling anything here) -----------------

export interface AdminAppRow {
  id: number;
  name: string;
  clientId: string;
  clientType: 'confidential' | 'public';
  grantTypes: string[];
  ownerUsername: string | null;
  /** Suspended by staff or its owner is deactivated (lib/db/queries/clients.ts): it can neither authenticate nor use its tokens. */
  suspended: boolean;
  /** Set when staff suspended it. */
  suspendedAt: Date | null;
  /** How it was registered: 'dynamic' and 'metadata_document' are self-registered (no owner). */
  registrationMethod: Application['registrationMethod'];
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
    .select({ ...summaryColumns, ownerUsername: appOwner.username, suspended: appSuspended, suspendedAt: applications.suspendedAt, registrationMethod: applications.registrationMethod })
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

/** An application by row id or client_id, for the staff's filters. */
export async function findApplicationForAdmin(idOrClientId: string): Promise<{ id: number; name: string } | null> {
  if (hasNul(idOrClientId)) return null;
  const db = await getDb();
  const where = isRowId(idOrClientId)
    ? or(eq(applications.id, Number(idOrClientId)), eq(applications.clientId, idOrClientId))
    : eq(applications.clientId, idOrClientId);
  const [a] = await db.select({ id: applications.id, name: applications.name }).from(applications).where(where).limit(1);
  return a ?? null;
}

export interface OwnedApp {
  id: number;
  name: string;
  suspended: boolean;
}

/** The applications each of these users owns (applications_user_idx), with their suspended state. */
export async function applicationsOwnedBy(userIds: string[]): Promise<Map<string, OwnedApp[]>> {
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
