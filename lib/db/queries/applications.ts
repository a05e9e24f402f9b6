// Applications (OAuth clients) as their owners and staff manage them: the only DB access of the
// /o/applications/ feature. The protocol's hot path reads clients through ./clients.ts instead.
//
// Visibility: a user sees the applications they own; staff see every application. Anything else
// reads as "does not exist" (null), so that ids of other users' applications reveal nothing.
// The stored client secret never leaves this module except through getSecretStateForViewer,
// which the service needs to hash a stored plain secret or to tell whether it can be unhashed.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { getDb } from '../index';
import { applications, users, type Application, type NewApplication } from '../schema';

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
  createdAt: applications.createdAt,
  updatedAt: applications.updatedAt,
  ownerUsername: users.username,
  hasSecret: sql<boolean>`(${applications.clientSecret} <> '')`.mapWith(Boolean),
};

function visibleTo(id: number, viewer: Viewer): SQL {
  const byId = eq(applications.id, id);
  return viewer.isStaff ? byId : and(byId, eq(applications.userId, viewer.id))!;
}

export async function listForOwner(userId: string): Promise<ApplicationSummary[]> {
  const db = await getDb();
  return db
    .select({
      id: applications.id,
      name: applications.name,
      clientId: applications.clientId,
      clientType: applications.clientType,
      grantTypes: applications.grantTypes,
      createdAt: applications.createdAt,
    })
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
export async function deleteForViewer(id: number, viewer: Viewer): Promise<{ id: number; clientId: string } | null> {
  const db = await getDb();
  const [row] = await db
    .delete(applications)
    .where(visibleTo(id, viewer))
    .returning({ id: applications.id, clientId: applications.clientId });
  return row ?? null;
}

export { findUserByUsername } from './users';
