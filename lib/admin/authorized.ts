// The signed-in user's own authorized applications (/o/authorized_tokens/). Not staff-only: every
// function acts for `user` alone, and another user's grant reads as "not found".
import { listAuthorizedApps, revokeAuthorization, type AuthorizedApp, type RevokedAuthorization } from '../db/queries/authorized';
import { audit } from '../db/queries/audit';
import { applicationName } from '../db/queries/applications';

export type { AuthorizedApp };

export interface UserActor {
  id: string;
  ip?: string | null;
}

/** No grant of this user for this application (another user's, or none): the page answers 404. */
export class AuthorizationNotFoundError extends Error {
  constructor() {
    super('Authorization not found');
    this.name = 'AuthorizationNotFoundError';
  }
}

export async function listMyAuthorizedApps(user: UserActor): Promise<AuthorizedApp[]> {
  return listAuthorizedApps(user.id);
}

/**
 * Revoke: removes the consent and revokes this user's access and refresh tokens for the
 * application (RFC 7009 §2.1: revoking a grant invalidates the tokens based on it). Other users'
 * tokens for the same application stay valid.
 * @returns what was revoked, and the application's name (for "Revoked access for <name>")
 * @throws AuthorizationNotFoundError when the user had nothing of this application to revoke
 */
export async function revokeMyAuthorizedApp(user: UserActor, applicationId: number): Promise<RevokedAuthorization & { name: string }> {
  if (!Number.isSafeInteger(applicationId) || applicationId <= 0) throw new AuthorizationNotFoundError();
  const r = await revokeAuthorization(user.id, applicationId);
  if (!r.consent && r.accessTokens === 0 && r.refreshTokens === 0 && r.codes === 0 && r.deviceCodes === 0) {
    throw new AuthorizationNotFoundError();
  }
  audit('consent.revoked', {
    actorUserId: user.id,
    applicationId,
    ip: user.ip ?? null,
    detail: { access_tokens: r.accessTokens, refresh_tokens: r.refreshTokens },
  });
  // Read only once something was revoked: the user held a grant of it, so may know its name.
  return { ...r, name: (await applicationName(applicationId)) ?? 'the application' };
}
