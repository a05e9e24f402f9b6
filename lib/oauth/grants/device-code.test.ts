// The device_code grant's polling (RFC 8628 §3.4–3.5) against the in-memory token store. Over HTTP
// and the database: test/endpoints/device-authorization/device.test.ts, test/endpoints/token/refusals-before-storing.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { deviceCodeGrant } from './device-code';
import { GRANT_DEVICE_CODE } from './catalogue';
import { application, grantContext, MemoryTokenStore, storedTokens } from '@/test/helpers/grant-context';
import type { MemoryDeviceCode } from '@/test/helpers/memory-token-store';

vi.mock('../../db/queries/audit', () => ({ audit: vi.fn() }));

function setup(over: Partial<MemoryDeviceCode> = {}, app: Parameters<typeof application>[1] = {}) {
  const store = new MemoryTokenStore();
  const user = store.addUser({ username: 'ada' });
  const client = application(store, { clientType: 'public', grantTypes: [GRANT_DEVICE_CODE], ...app });
  const { deviceCode, row } = store.addDeviceCode({ applicationId: client.id, userId: user.id, ...over });
  const poll = (code = deviceCode, c = client) => deviceCodeGrant.handle(grantContext(store, c, { grant_type: GRANT_DEVICE_CODE, device_code: code }));
  return { store, user, client, row, deviceCode, poll };
}

describe('device_code grant', () => {
  it('RFC 8628 §3.5: authorization_pending, then slow_down with the interval raised by 5 s when polled too fast', async () => {
    const { row, poll } = setup();
    await expect(poll()).rejects.toMatchObject({ code: 'authorization_pending' });
    await expect(poll()).rejects.toMatchObject({ code: 'slow_down', description: 'Polling too fast: wait at least 10 seconds between requests.' });
    expect(row.interval).toBe(10);
  });

  it('RFC 8628 §3.5: access_denied (400), expired_token, and invalid_grant for an unknown, another client’s or a used code', async () => {
    await expect(setup({ status: 'denied' }).poll()).rejects.toMatchObject({ code: 'access_denied', status: 400 });
    await expect(setup({ status: 'approved', expiresAt: new Date(Date.now() - 1000) }).poll()).rejects.toMatchObject({ code: 'expired_token' });
    const s = setup({ status: 'approved' });
    await expect(s.poll('unknown')).rejects.toMatchObject({ code: 'invalid_grant', description: 'The device code is invalid or was already used.' });
    await expect(s.poll(undefined, application(s.store, { grantTypes: [GRANT_DEVICE_CODE] }))).rejects.toMatchObject({ code: 'invalid_grant' });
    await s.poll();
    await expect(s.poll()).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('RFC 8628 §3.5: an approved code gives the user’s tokens once, and is consumed', async () => {
    const { store, user, row, poll } = setup({ status: 'approved', scope: 'read' }, { grantTypes: [GRANT_DEVICE_CODE, 'refresh_token'] });
    const body = await poll();
    expect(body).toMatchObject({ scope: 'read', token_type: 'Bearer' });
    expect(body.refresh_token).toBeTruthy();
    expect(storedTokens(store, body).access).toMatchObject({ userId: user.id, grantType: GRANT_DEVICE_CODE });
    expect(row.status).toBe('consumed');
  });

  it("RFC 8628 §3.5 / RFC 6749 §5.2: an inactive user's approved code is refused saying so, and no token is stored", async () => {
    const { store, user, row, poll } = setup({ status: 'approved' });
    store.users.get(user.id)!.isActive = false;
    await expect(poll()).rejects.toMatchObject({ code: 'invalid_grant', description: 'The user account is inactive.' });
    expect(store.access).toHaveLength(0);
    expect(row.status).toBe('approved');
  });

  it('RFC 8628 §3.5: a code consumed by a concurrent poll between this poll and its redemption is invalid_grant, with no second set of tokens', async () => {
    const s = setup({ status: 'approved' });
    const racing = Object.assign(Object.create(s.store) as MemoryTokenStore, {
      pollDeviceCode: async (hash: string, applicationId: number) => {
        const polled = await s.store.pollDeviceCode(hash, applicationId);
        s.row.status = 'consumed'; // the other poll won
        return polled;
      },
    });
    await expect(deviceCodeGrant.handle(grantContext(racing, s.client, { device_code: s.deviceCode }))).rejects.toMatchObject({
      code: 'invalid_grant',
      description: 'The device code is invalid or was already used.',
    });
    expect(s.store.access).toHaveLength(0);
  });

  it('OIDC Core §3.1.3.3: an openid code whose ID token cannot be signed is server_error, stores nothing, and stays approved', async () => {
    const { store, row, poll } = setup({ status: 'approved', scope: 'openid' }, { algorithm: 'HS256', clientSecret: '' });
    await expect(poll()).rejects.toMatchObject({ code: 'server_error' });
    expect(store.access).toHaveLength(0);
    expect(row.status).toBe('approved');
  });
});
