// The one production TokenStore (lib/oauth/store.ts has the contract): the database. Each method is
// one statement of the module that owns its table.
import type { TokenStore } from '../../oauth/store';
import { findToken, issueTokens, redeemAuthorizationCode, redeemDeviceCode, replaceAccessToken, rotateRefreshToken } from './tokens';
import { revokeByAuthorizationCode, revokeByIds, revokeFamily, revokeToken } from './revocation';
import { listAuthorizedApps, revokeAuthorization } from './authorized';
import { listTokens } from './token-list';
import { pollDeviceCode } from './device';

export const databaseTokenStore: TokenStore = {
  redeemAuthorizationCode,
  issueTokens,
  rotateRefreshToken,
  pollDeviceCode,
  redeemDeviceCode,
  findToken,
  replaceAccessToken,
  revokeToken,
  revokeFamily,
  revokeByAuthorizationCode,
  revokeAuthorization,
  revokeByIds,
  listTokens,
  listAuthorizedApps,
};
