// The client_credentials grant (RFC 6749 §4.4) against the in-memory token store. Over HTTP and the
// database: test/grants/client-credentials/client-credentials.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { clientCredentialsGrant } from './client-credentials';
import { application, grantContext, MemoryTokenStore, storedTokens } from '@/test/helpers/grant-context';
import { audit } from '../../db/queries/audit';

vi.mock('../../db/queries/audit', () => ({ audit: vi.fn() }));

function setup(over: Parameters<typeof application>[1] = {}) {
  const store = new MemoryTokenStore();
  const app = application(store, { grantTypes: ['client_credentials'], ...over });
  const token = (params: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    clientCredentialsGrant.handle(grantContext(store, app, { grant_type: 'client_credentials', ...params }, headers));
  return { store, app, token };
}

describe('client_credentials grant', () => {
  it('RFC 6749 §4.4.3: an access token without a user and no refresh token, for the default scopes', async () => {
    const { store, app, token } = setup();
    const body = await token();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    expect(body.refresh_token).toBeUndefined();
    expect(storedTokens(store, body).access).toMatchObject({ applicationId: app.id, userId: null, familyId: null, grantType: 'client_credentials' });
    expect(store.refresh).toHaveLength(0);
    expect(audit).toHaveBeenCalledWith('token.issued', expect.objectContaining({ actorUserId: null, applicationId: app.id }));
    expect((await token({ scope: 'read' })).scope).toBe('read');
  });

  it('RFC 6749 §3.3 invalid_scope: an unknown scope, or an identity scope that needs a user', async () => {
    const { store, token } = setup();
    await expect(token({ scope: 'admin' })).rejects.toMatchObject({ code: 'invalid_scope' });
    await expect(token({ scope: 'read openid' })).rejects.toMatchObject({ code: 'invalid_scope', description: "The scope 'openid' needs a user; client credentials have none." });
    expect(store.access).toHaveLength(0);
  });

  it('RFC 6749 §5.2: a client suspended since it authenticated gets invalid_client and no token', async () => {
    const store = new MemoryTokenStore();
    const owner = store.addUser({ isActive: false });
    const app = application(store, { grantTypes: ['client_credentials'], userId: owner.id });
    await expect(clientCredentialsGrant.handle(grantContext(store, app, {}))).rejects.toMatchObject({ code: 'invalid_client', status: 400, description: 'This application is suspended.' });
    expect(store.access).toHaveLength(0);
  });
});
