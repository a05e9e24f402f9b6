// The errors for the refusals every issuance can answer (lib/oauth/store.ts IssueRefusal), worded
// once for every grant.
import type { OAuthRequest } from '../http';
import type { Application } from '../../db/schema';
import type { IssueRefusal } from '../store';
import { OAuthError, invalidClient, invalidGrant, serverError } from '../errors';
import { log } from '../../log';

export interface RefusalContext {
  req: Pick<OAuthRequest, 'headers'>;
  app: Pick<Application, 'clientId'>;
  /** What idTokenProblem (lib/oauth/oidc/attach.ts) said before the store was asked. */
  idTokenProblem: string | null;
}

/**
 * The error to answer for an issuance the token store refused:
 *  - `user_inactive` → invalid_grant (§5.2);
 *  - `client_suspended`, `client_unknown` (the client was suspended or deleted since it
 *    authenticated) → invalid_client, 401 with a challenge when it used the Authorization header;
 *  - `id_token_unavailable` → server_error (logged with why: OIDC Core §3.1.3.3 needs an ID token
 *    this server cannot sign now), nothing stored.
 */
export function issueRefusalError(reason: IssueRefusal | 'client_unknown', c: RefusalContext): OAuthError {
  const challenge = { challenge: c.req.headers.get('authorization') !== null };
  switch (reason) {
    case 'user_inactive':
      // §5.2 invalid_grant: a deactivated account signs in nowhere, through no grant.
      return invalidGrant('The user account is inactive.');
    case 'client_suspended':
      return invalidClient('This application is suspended.', challenge);
    case 'client_unknown':
      return invalidClient('Client authentication failed.', challenge);
    case 'id_token_unavailable':
      log.error('id_token.unavailable', { client_id: c.app.clientId, reason: c.idTokenProblem ?? 'unknown' });
      return serverError();
  }
}

/** Whether a refusal is one of issueRefusalError's. */
export const isIssueRefusal = (reason: string): reason is IssueRefusal | 'client_unknown' =>
  reason === 'user_inactive' || reason === 'client_suspended' || reason === 'client_unknown' || reason === 'id_token_unavailable';
