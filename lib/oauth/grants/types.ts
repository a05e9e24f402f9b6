import type { OAuthRequest, Params } from '../http';
import type { AuthenticatedClient } from '../client-auth';
import type { TokenResponse } from '../tokens';
import type { TokenStore } from '../store';

export interface GrantContext {
  req: OAuthRequest;
  params: Params;
  client: AuthenticatedClient;
  /** Where codes and tokens are redeemed, stored and revoked: the database (lib/db/queries/token-store.ts) in production. */
  store: TokenStore;
}

/**
 * One module per grant type; the token endpoint dispatches on `grant_type` (node-oidc-provider
 * style). Who may use it, and whether it is on, is the grant catalogue's (catalogue.ts).
 */
export interface Grant {
  grantType: string;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
