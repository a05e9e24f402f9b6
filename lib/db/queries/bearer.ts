// Token lookups for protected resources (withBearer) and introspection: the token, its client (and
// whether it is suspended) and its user in ONE indexed round trip (unique index on token_hash). Never cached: a revocation must
// take effect on the very next request.
import { eq, sql } from 'drizzle-orm';
import { getDb, type Db } from '../index';
import { accessTokens, applications, refreshTokens, users } from '../schema';
import { appOwner, appSuspended, ownerOf } from './clients';

export interface BearerRow {
  id: number;
  applicationId: number;
  clientId: string;
  allowedOrigins: string[];
  userId: string | null;
  username: string | null;
  /** Null when the token has no user (client_credentials). */
  userActive: boolean | null;
  /** The application is suspended (its owner is deactivated): the token is not active. */
  clientSuspended: boolean;
  scope: string;
  grantType: string;
  expiresAt: Date;
  createdAt: Date;
  revokedAt: Date | null;
}

function buildAccessLookup(db: Db) {
  return db
    .select({
      id: accessTokens.id,
      applicationId: accessTokens.applicationId,
      clientId: applications.clientId,
      allowedOrigins: applications.allowedOrigins,
      userId: accessTokens.userId,
      username: users.username,
      userActive: users.isActive,
      clientSuspended: appSuspended,
      scope: accessTokens.scope,
      grantType: accessTokens.grantType,
      expiresAt: accessTokens.expiresAt,
      createdAt: accessTokens.createdAt,
      revokedAt: accessTokens.revokedAt,
    })
    .from(accessTokens)
    .innerJoin(applications, eq(applications.id, accessTokens.applicationId))
    .leftJoin(appOwner, ownerOf(applications))
    .leftJoin(users, eq(users.id, accessTokens.userId))
    .where(eq(accessTokens.tokenHash, sql.placeholder('hash')))
    .limit(1)
    .prepare('bearer_access_lookup');
}

// The statement is built once per database handle (this is on every API call).
const prepared = new WeakMap<Db, ReturnType<typeof buildAccessLookup>>();

/** The access token with this hash, with its client and user; null when unknown. */
export async function findBearerToken(tokenHash: string): Promise<BearerRow | null> {
  const db = await getDb();
  let q = prepared.get(db);
  if (!q) prepared.set(db, (q = buildAccessLookup(db)));
  const [row] = await q.execute({ hash: tokenHash });
  return row ?? null;
}

export interface RefreshIntrospectionRow {
  id: number;
  applicationId: number;
  clientId: string;
  allowedOrigins: string[];
  userId: string | null;
  username: string | null;
  userActive: boolean | null;
  clientSuspended: boolean;
  scope: string;
  expiresAt: Date | null;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

/** The refresh token with this hash, with its client and user; null when unknown. */
export async function findRefreshTokenForIntrospection(tokenHash: string): Promise<RefreshIntrospectionRow | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      id: refreshTokens.id,
      applicationId: refreshTokens.applicationId,
      clientId: applications.clientId,
      allowedOrigins: applications.allowedOrigins,
      userId: refreshTokens.userId,
      username: users.username,
      userActive: users.isActive,
      clientSuspended: appSuspended,
      scope: refreshTokens.scope,
      expiresAt: refreshTokens.expiresAt,
      createdAt: refreshTokens.createdAt,
      rotatedAt: refreshTokens.rotatedAt,
      revokedAt: refreshTokens.revokedAt,
    })
    .from(refreshTokens)
    .innerJoin(applications, eq(applications.id, refreshTokens.applicationId))
    .leftJoin(appOwner, ownerOf(applications))
    .leftJoin(users, eq(users.id, refreshTokens.userId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return row ?? null;
}
