import type { OAuthRequest, Params } from '../http';
import type { AuthenticatedClient } from '../client-auth';
import type { TokenResponse } from '../tokens';

export interface GrantContext {
  req: OAuthRequest;
  params: Params;
  client: AuthenticatedClient;
}

/** One module per grant type; the token endpoint dispatches on `grant_type` (node-oidc-provider style). */
export interface Grant {
  grantType: string;
  /** Public clients (no secret) may use it. */
  allowPublic: boolean;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
