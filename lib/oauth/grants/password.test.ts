// The legacy password grant (RFC 6749 §4.3) against the in-memory token store, with the shared
// password check (lib/auth/check-password.ts) replaced by a stub. Over HTTP and the database:
// test/grants/password/password-grant.test.ts.
import { describe, expect, it, vi, beforeEach } from 'vitest';
import { decodeJwt } from 'jose';
import { passwordGrant } from './password';
import { application, grantContext, MemoryTokenStore, storedTokens } from '@/test/helpers/grant-context';
import { checkPassword } from '../../auth/check-password';
import type { User } from '../../db/schema';

vi.mock('../../db/queries/audit', () => ({ audit: vi.fn() }));
vi.mock('../../auth/check-password', async (original) => ({ ...(await original<typeof import('../../auth/check-password')>()), checkPassword: vi.fn() }));

const check = vi.mocked(checkPassword);
beforeEach(() => check.mockReset());

function setup(over: Parameters<typeof application>[1] = {}) {
  const store = new MemoryTokenStore();
  const user = store.addUser({ username: 'ada', email: 'ada@example.com' });
  const app = application(store, { grantTypes: ['password', 'refresh_token'], ...over });
  check.mockResolvedValue({ ok: true, user: { id: user.id, username: 'ada', email: 'ada@example.com', isActive: true } as User });
  const token = (params: Record<string, string> = {}) =>
    passwordGrant.handle(grantContext(store, app, { grant_type: 'password', username: 'ada', password: 'correct horse', ...params }));
  return { store, user, app, token };
}

describe('password grant', () => {
  it('RFC 6749 §4.3.3: the user’s access token and, with the refresh grant, a refresh token', async () => {
    const { store, user, app, token } = setup();
    const body = await token({ scope: 'read' });
    expect(body).toMatchObject({ scope: 'read', token_type: 'Bearer' });
    expect(body.refresh_token).toBeTruthy();
    expect(storedTokens(store, body).access).toMatchObject({ userId: user.id, grantType: 'password' });
    expect(check).toHaveBeenCalledWith('ada', 'correct horse', '192.0.2.1', { applicationId: app.id, via: 'password_grant' });
  });

  it('RFC 6749 §5.2: a wrong password is invalid_grant, too many is 429, too long is invalid_request; nothing stored', async () => {
    const { store, token } = setup();
    check.mockResolvedValueOnce({ ok: false, reason: 'invalid' });
    await expect(token()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The username or password is incorrect.' });
    check.mockResolvedValueOnce({ ok: false, reason: 'rate_limited', retryAfterSeconds: 30 });
    await expect(token()).rejects.toMatchObject({ status: 429, headers: { 'Retry-After': '30' } });
    await expect(token({ password: 'x'.repeat(1025) })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(store.access).toHaveLength(0);
  });

  it('RFC 6749 §5.2: a user deactivated after the password check is refused by the store, and no token is stored', async () => {
    const { store, user, token } = setup();
    store.users.get(user.id)!.isActive = false;
    await expect(token()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The user account is inactive.' });
    expect(store.access).toHaveLength(0);
  });

  it('OIDC Core §3.1.3.3: an ID token for openid with auth_time; server_error and nothing stored when it cannot be signed', async () => {
    const { token, user } = setup({ algorithm: 'HS256' });
    const claims = decodeJwt((await token({ scope: 'openid email' })).id_token!);
    expect(claims).toMatchObject({ sub: user.id, email: 'ada@example.com' });
    expect(claims.auth_time).toBeTypeOf('number');
    const hashed = setup({ algorithm: 'HS256', secretHashed: true });
    await expect(hashed.token({ scope: 'openid' })).rejects.toMatchObject({ code: 'server_error' });
    expect(hashed.store.access).toHaveLength(0);
  });
});
