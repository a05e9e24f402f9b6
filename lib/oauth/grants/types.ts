import type { OAuthRequest, Params } from '../http';
import type { AuthenticatedClient } from '../client-auth';
import type { TokenResponse } from '../tokens';

export interface GrantContext {
  req: OAuthRequest;
  params: Params;
  client: AuthenticatedClient;
}

/**
 * One module per grant type; the token endpoint dispatches on `grant_type` (node-oidc-provider
 * style). Who may use it, and whether it is on, is the grant catalogue's (catalogue.ts).
 */
export interface Grant {
  grantType: string;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
