// The UserInfo endpoint's lookup: the access token, its client and its user in one indexed round trip.
// Never cached: a revocation must take effect on the very next request.
import { eq } from 'drizzle-orm';
import { getDb } from '../index';
import { accessTokens, applications, users } from '../schema';
import { appOwner, appSuspended, ownerOf } from './clients';

export interface UserinfoRow {
  clientId: string;
  scope: string;
  expiresAt: Date;
  revokedAt: Date | null;
  userId: string | null;
  username: string | null;
  email: string | null;
  userActive: boolean | null;
  /** The application is suspended (its owner is deactivated): the token is not active. */
  clientSuspended: boolean;
}

export async function findUserinfoToken(tokenHash: string): Promise<UserinfoRow | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      clientId: applications.clientId,
      scope: accessTokens.scope,
      expiresAt: accessTokens.expiresAt,
      revokedAt: accessTokens.revokedAt,
      userId: accessTokens.userId,
      username: users.username,
      email: users.email,
      userActive: users.isActive,
      clientSuspended: appSuspended,
    })
    .from(accessTokens)
    .innerJoin(applications, eq(applications.id, accessTokens.applicationId))
    .leftJoin(appOwner, ownerOf(applications))
    .leftJoin(users, eq(users.id, accessTokens.userId))
    .where(eq(accessTokens.tokenHash, tokenHash))
    .limit(1);
  return row ?? null;
}
