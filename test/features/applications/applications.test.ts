// Registering and managing applications (lib/apps/service.ts) against a real database:
// PGlite by default, PostgreSQL with TEST_DB=postgres.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getDb } from '@/lib/db';
import { accessTokens, applications, auditEvents, consents, deviceCodes, authorizationCodes, refreshTokens, type User } from '@/lib/db/schema';
import { flushAudit } from '@/lib/db/queries/audit';
import { getClient } from '@/lib/db/queries/clients';
import { getForViewer, listForOwner } from '@/lib/db/queries/applications';
import { verifyPassword } from '@/lib/auth/password';
import { defaultFormValues, MESSAGES, parseApplicationValues, type ApplicationFormValues, type ApplicationInput } from '@/lib/apps/schema';
import {
  ApplicationNotFoundError,
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  regenerateSecret,
  updateApplication,
  type Actor,
} from '@/lib/apps/service';
import { settings } from './settings';

let server: TestServer;
let alice: User;
let bob: User;
let staff: User;
const actor = (u: User): Actor => ({ id: u.id, isStaff: u.isStaff, ip: '203.0.113.7' });

beforeAll(async () => {
  server = await startTestServer(settings);
  alice = await makeUser({ username: `alice_${crypto.randomBytes(3).toString('hex')}` });
  bob = await makeUser({ username: `bob_${crypto.randomBytes(3).toString('hex')}` });
  staff = await makeUser({ username: `staff_${crypto.randomBytes(3).toString('hex')}`, isStaff: true });
});

afterAll(async () => {
  await server?.close();
});

/** Form values → validated input, as the server action does. */
function input(over: Partial<ApplicationFormValues> = {}): ApplicationInput {
  const r = parseApplicationValues({ ...defaultFormValues(''), name: 'Postman', redirectUris: POSTMAN_CALLBACK, ...over });
  if (!r.success) throw new Error('invalid test input: ' + JSON.stringify(r.errors));
  return r.data;
}

async function create(owner: User, over: Partial<ApplicationFormValues> = {}) {
  const r = await createApplication(input(over), actor(owner));
  if (!r.ok) throw new Error('create failed: ' + JSON.stringify(r.errors));
  return r;
}

async function stored(id: number) {
  const db = await getDb();
  const [row] = await db.select().from(applications).where(eq(applications.id, id));
  return row;
}

async function auditTypes(applicationId: number): Promise<string[]> {
  await flushAudit();
  const db = await getDb();
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.applicationId, applicationId)).orderBy(auditEvents.id);
  return rows.map((r) => r.type);
}

describe('createApplication', () => {
  it('registers the tutorial application with a generated client id and a hashed 128-char secret', async () => {
    const r = await create(alice, { grantTypes: ['authorization_code'] });
    const a = r.application;
    expect(a.clientId).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(r.plainSecret).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(a).toMatchObject({
      name: 'Postman',
      clientType: 'confidential',
      grantTypes: ['authorization_code'],
      redirectUris: [POSTMAN_CALLBACK],
      algorithm: '',
      secretHashed: true,
      skipAuthorization: false,
      userId: alice.id,
      ownerUsername: alice.username,
      hasSecret: true,
      version: 1,
    });
    expect(a).not.toHaveProperty('clientSecret');

    const row = await stored(a.id);
    expect(row.clientSecret.startsWith('$argon2id$')).toBe(true);
    expect(row.clientSecret).not.toContain(r.plainSecret!);
    expect(await verifyPassword(row.clientSecret, r.plainSecret!)).toBe(true);
    expect(await auditTypes(a.id)).toEqual(['application.created']);
  });

  it('keeps the client id shown on the form when it is well-formed and free', async () => {
    const clientId = 'Z'.repeat(30) + 'abcdefghij';
    const r = await create(alice, { clientId });
    expect(r.application.clientId).toBe(clientId);
    // The same id again (a double submit, or a forged one): a fresh id instead of a clash.
    const r2 = await create(alice, { clientId });
    expect(r2.application.clientId).not.toBe(clientId);
    expect(r2.application.clientId).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it('stores the secret as given when Hash client secret is off (HS256)', async () => {
    const r = await create(alice, { algorithm: 'HS256', hashClientSecret: false });
    const row = await stored(r.application.id);
    expect(row.secretHashed).toBe(false);
    expect(row.clientSecret).toBe(r.plainSecret);
    expect(r.application.algorithm).toBe('HS256');
  });

  it('gives a public client no secret', async () => {
    const r = await create(alice, { clientType: 'public' });
    expect(r.plainSecret).toBeNull();
    expect(r.application.hasSecret).toBe(false);
    expect((await stored(r.application.id)).clientSecret).toBe('');
  });

  it('stores the uri lists and grant types as arrays', async () => {
    const r = await create(alice, {
      grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      redirectUris: `${POSTMAN_CALLBACK}\nhttp://127.0.0.1:8080/cb`,
      postLogoutRedirectUris: 'https://app.example/bye',
      allowedOrigins: 'https://app.example http://localhost:3000',
      algorithm: 'RS256',
    });
    const row = await stored(r.application.id);
    expect(row.grantTypes).toEqual(['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
    expect(row.redirectUris).toEqual([POSTMAN_CALLBACK, 'http://127.0.0.1:8080/cb']);
    expect(row.postLogoutRedirectUris).toEqual(['https://app.example/bye']);
    expect(row.allowedOrigins).toEqual(['https://app.example', 'http://localhost:3000']);
    expect(row.algorithm).toBe('RS256');
  });

  it('makes the new client visible to the protocol at once, even after a lookup of its id missed', async () => {
    const clientId = 'Q'.repeat(30) + 'klmnopqrst';
    expect(await getClient(clientId)).toBeNull(); // cached as unknown
    await create(alice, { clientId });
    expect((await getClient(clientId))?.clientId).toBe(clientId);
  });

  it('ignores another owner and Skip authorization from non-staff', async () => {
    const r = await create(alice, { owner: bob.username, skipAuthorization: true });
    expect(r.application.userId).toBe(alice.id);
    expect(r.application.skipAuthorization).toBe(false);
  });

  it('lets staff register for another user, by username, and set Skip authorization', async () => {
    const r = await create(staff, { owner: bob.username.toUpperCase(), skipAuthorization: true });
    expect(r.application.userId).toBe(bob.id);
    expect(r.application.skipAuthorization).toBe(true);
    const bad = await createApplication(input({ owner: 'no-such-user-here' }), actor(staff));
    expect(bad).toEqual({ ok: false, errors: { owner: [MESSAGES.ownerUnknown] } });
  });
});

describe('reading applications', () => {
  it('never returns the secret from get or list', async () => {
    const r = await create(alice);
    const got = await getApplication(r.application.id, actor(alice));
    expect(got).not.toHaveProperty('clientSecret');
    expect(JSON.stringify(got)).not.toContain(r.plainSecret!);
    expect(JSON.stringify(got)).not.toContain('$argon2');
    const viaQuery = await getForViewer(r.application.id, alice);
    expect(JSON.stringify(viaQuery)).not.toContain('$argon2');
    const list = await listApplications(actor(alice));
    expect(list.some((a) => a.id === r.application.id)).toBe(true);
    expect(JSON.stringify(list)).not.toContain(r.plainSecret!);
    expect(JSON.stringify(list)).not.toContain('$argon2');
    expect(JSON.stringify(await listForOwner(alice.id))).not.toContain('$argon2');
  });

  it('lists only my applications, newest first', async () => {
    const mine = await create(bob, { name: 'Bob 1' });
    const mine2 = await create(bob, { name: 'Bob 2' });
    const list = await listApplications(actor(bob));
    const ids = list.map((a) => a.id);
    expect(ids.indexOf(mine2.application.id)).toBeLessThan(ids.indexOf(mine.application.id));
    const aliceList = await listApplications(actor(alice));
    expect(aliceList.some((a) => a.id === mine.application.id)).toBe(false);
  });
});

describe('owner scoping', () => {
  it('answers not-found for another user’s application in get, update, regenerate and delete', async () => {
    const r = await create(alice);
    const id = r.application.id;
    const before = await stored(id);
    await expect(getApplication(id, actor(bob))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(updateApplication(id, input({ name: 'Stolen' }), actor(bob))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(regenerateSecret(id, actor(bob))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(deleteApplication(id, actor(bob))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    expect(await stored(id)).toEqual(before);
  });

  it('answers the same for an id that does not exist', async () => {
    const missing = 987_654_321;
    await expect(getApplication(missing, actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(updateApplication(missing, input(), actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(regenerateSecret(missing, actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(deleteApplication(missing, actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
  });

  it('lets staff open, edit, regenerate and delete any application, keeping its owner', async () => {
    const r = await create(alice);
    const id = r.application.id;
    expect((await getApplication(id, actor(staff))).ownerUsername).toBe(alice.username);
    const u = await updateApplication(id, input({ name: 'Renamed by staff', owner: alice.username }), actor(staff));
    expect(u.ok && u.application).toMatchObject({ name: 'Renamed by staff', userId: alice.id });
    const g = await regenerateSecret(id, actor(staff));
    expect(g.ok).toBe(true);
    await deleteApplication(id, actor(staff));
    expect(await stored(id)).toBeUndefined();
  });

  it('lets staff move an application to another owner; non-staff cannot', async () => {
    const r = await create(alice);
    const id = r.application.id;
    const self = await updateApplication(id, input({ owner: bob.username }), actor(alice));
    expect(self.ok && self.application.userId).toBe(alice.id);
    const moved = await updateApplication(id, input({ owner: bob.username }), actor(staff));
    expect(moved.ok && moved.application.userId).toBe(bob.id);
    await expect(getApplication(id, actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    expect((await getApplication(id, actor(bob))).id).toBe(id);
  });
});

describe('updateApplication', () => {
  it('edits the fields, bumps version, sets updatedAt, invalidates the client cache and audits', async () => {
    const r = await create(alice);
    const a = r.application;
    expect((await getClient(a.clientId))?.name).toBe('Postman'); // now cached
    const u = await updateApplication(
      a.id,
      input({ name: 'Postman (edited)', grantTypes: ['authorization_code', 'client_credentials'], allowedOrigins: 'https://app.example' }),
      actor(alice),
    );
    expect(u.ok).toBe(true);
    if (!u.ok) return;
    expect(u.plainSecret).toBeNull();
    expect(u.application).toMatchObject({ name: 'Postman (edited)', grantTypes: ['authorization_code', 'client_credentials'], allowedOrigins: ['https://app.example'], version: 2 });
    expect(u.application.updatedAt.getTime()).toBeGreaterThanOrEqual(a.updatedAt.getTime());
    const cached = await getClient(a.clientId);
    expect(cached).toMatchObject({ name: 'Postman (edited)', version: 2 });
    // The secret is untouched by an edit that does not mention it.
    expect(await verifyPassword(cached!.clientSecret, r.plainSecret!)).toBe(true);
    expect(await auditTypes(a.id)).toEqual(['application.created', 'application.updated']);
  });

  it('bumps version on every change', async () => {
    const r = await create(alice);
    const id = r.application.id;
    for (let i = 2; i <= 4; i++) {
      const u = await updateApplication(id, input({ name: `v${i}` }), actor(alice));
      expect(u.ok && u.application.version).toBe(i);
    }
    const g = await regenerateSecret(id, actor(alice));
    expect(g.ok && g.application.version).toBe(5);
  });

  it('takes a secret of the owner’s own and hashes it (the tutorial’s reset trick)', async () => {
    const r = await create(alice);
    const mine = crypto.randomBytes(48).toString('base64url');
    const u = await updateApplication(r.application.id, input({ clientSecret: mine }), actor(alice));
    expect(u.ok && u.plainSecret).toBeNull(); // they typed it: nothing to show
    const row = await stored(r.application.id);
    expect(row.clientSecret.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(row.clientSecret, mine)).toBe(true);
    expect(await verifyPassword(row.clientSecret, r.plainSecret!)).toBe(false);
    expect(await auditTypes(r.application.id)).toEqual(['application.created', 'application.updated', 'application.secret_reset']);
  });

  it('hashes the stored plain secret when hashing is turned on later', async () => {
    const r = await create(alice, { algorithm: 'HS256', hashClientSecret: false });
    expect((await stored(r.application.id)).clientSecret).toBe(r.plainSecret);
    const u = await updateApplication(r.application.id, input({ algorithm: 'RS256', hashClientSecret: true }), actor(alice));
    expect(u.ok && u.application.secretHashed).toBe(true);
    const row = await stored(r.application.id);
    expect(row.secretHashed).toBe(true);
    expect(row.clientSecret.startsWith('$argon2id$')).toBe(true);
    // The client keeps working with the secret it has.
    expect(await verifyPassword(row.clientSecret, r.plainSecret!)).toBe(true);
  });

  it('refuses to turn hashing off without a new secret, since a hash cannot be reversed', async () => {
    const r = await create(alice);
    const before = await stored(r.application.id);
    const u = await updateApplication(r.application.id, input({ algorithm: 'HS256', hashClientSecret: false }), actor(alice));
    expect(u).toEqual({ ok: false, errors: { clientSecret: [MESSAGES.secretHashedCannotUnhash] } });
    expect(await stored(r.application.id)).toEqual(before);

    const mine = 'S'.repeat(40);
    const ok = await updateApplication(r.application.id, input({ algorithm: 'HS256', hashClientSecret: false, clientSecret: mine }), actor(alice));
    expect(ok.ok).toBe(true);
    const row = await stored(r.application.id);
    expect(row).toMatchObject({ secretHashed: false, clientSecret: mine, algorithm: 'HS256' });
  });

  it('drops the secret when a client becomes public, and generates one (shown once) when it becomes confidential', async () => {
    const r = await create(alice);
    const pub = await updateApplication(r.application.id, input({ clientType: 'public' }), actor(alice));
    expect(pub.ok && pub.application.hasSecret).toBe(false);
    expect((await stored(r.application.id)).clientSecret).toBe('');

    const conf = await updateApplication(r.application.id, input({ clientType: 'confidential' }), actor(alice));
    expect(conf.ok).toBe(true);
    if (!conf.ok) return;
    expect(conf.plainSecret).toMatch(/^[A-Za-z0-9]{128}$/);
    const row = await stored(r.application.id);
    expect(await verifyPassword(row.clientSecret, conf.plainSecret!)).toBe(true);
  });

  it('does not overwrite a concurrent edit silently', async () => {
    const r = await create(alice);
    const [a, b] = await Promise.all([
      updateApplication(r.application.id, input({ name: 'A' }), actor(alice)),
      updateApplication(r.application.id, input({ name: 'B' }), actor(alice)),
    ]);
    const oks = [a, b].filter((x) => x.ok);
    expect(oks.length).toBeGreaterThanOrEqual(1);
    const row = await stored(r.application.id);
    expect(row.version).toBe(1 + oks.length);
    for (const x of [a, b]) if (!x.ok) expect(x.message).toMatch(/changed meanwhile/);
  });
});

describe('regenerateSecret', () => {
  it('replaces the secret, returns the new one once, keeps hashing, and invalidates the cache', async () => {
    const r = await create(alice);
    await getClient(r.application.clientId);
    const g = await regenerateSecret(r.application.id, actor(alice));
    expect(g.ok).toBe(true);
    if (!g.ok) return;
    expect(g.plainSecret).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(g.plainSecret).not.toBe(r.plainSecret);
    expect(g.application).not.toHaveProperty('clientSecret');
    const row = await stored(r.application.id);
    expect(row.clientSecret.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(row.clientSecret, g.plainSecret)).toBe(true);
    expect(await verifyPassword(row.clientSecret, r.plainSecret!)).toBe(false);
    expect((await getClient(r.application.clientId))?.version).toBe(2);
    expect(JSON.stringify(await getApplication(r.application.id, actor(alice)))).not.toContain(g.plainSecret);
    expect(await auditTypes(r.application.id)).toEqual(['application.created', 'application.secret_reset']);
  });

  it('stores a regenerated secret unhashed for an unhashed (HS256) client', async () => {
    const r = await create(alice, { algorithm: 'HS256', hashClientSecret: false });
    const g = await regenerateSecret(r.application.id, actor(alice));
    expect(g.ok && (await stored(r.application.id)).clientSecret).toBe(g.ok ? g.plainSecret : '');
  });

  it('refuses for a public client', async () => {
    const r = await create(alice, { clientType: 'public' });
    expect(await regenerateSecret(r.application.id, actor(alice))).toEqual({ ok: false, message: 'Public clients have no secret.' });
    expect((await stored(r.application.id)).version).toBe(1);
  });
});

describe('deleteApplication', () => {
  it('deletes the application with its codes, tokens, consents and device codes, and invalidates the cache', async () => {
    const r = await create(alice);
    const appId = r.application.id;
    const other = await create(alice, { name: 'Survivor' });
    const db = await getDb();
    const h = () => crypto.randomBytes(32).toString('base64url');
    const soon = new Date(Date.now() + 60_000);
    const family = crypto.randomUUID();
    for (const applicationId of [appId, other.application.id]) {
      const [g] = await db
        .insert(authorizationCodes)
        .values({ codeHash: h(), applicationId, userId: alice.id, redirectUri: POSTMAN_CALLBACK, scope: 'read', authTime: new Date(), expiresAt: soon })
        .returning();
      await db.insert(accessTokens).values([
        { tokenHash: h(), applicationId, userId: alice.id, scope: 'read', grantType: 'authorization_code', authorizationCodeId: g.id, familyId: family, expiresAt: soon },
        { tokenHash: h(), applicationId, userId: null, scope: 'read', grantType: 'client_credentials', expiresAt: soon },
      ]);
      await db.insert(refreshTokens).values({ tokenHash: h(), applicationId, userId: alice.id, scope: 'read', familyId: family, authorizationCodeId: g.id });
      await db.insert(consents).values({ userId: alice.id, applicationId, scope: 'read' });
      await db
        .insert(deviceCodes)
        .values({ deviceCodeHash: h(), userCode: crypto.randomBytes(4).toString('hex').toUpperCase(), applicationId, scope: 'read', interval: 5, expiresAt: soon });
    }
    const counts = async (applicationId: number) => ({
      authorizationCodes: (await db.select({ n: count() }).from(authorizationCodes).where(eq(authorizationCodes.applicationId, applicationId)))[0].n,
      accessTokens: (await db.select({ n: count() }).from(accessTokens).where(eq(accessTokens.applicationId, applicationId)))[0].n,
      refreshTokens: (await db.select({ n: count() }).from(refreshTokens).where(eq(refreshTokens.applicationId, applicationId)))[0].n,
      consents: (await db.select({ n: count() }).from(consents).where(eq(consents.applicationId, applicationId)))[0].n,
      deviceCodes: (await db.select({ n: count() }).from(deviceCodes).where(eq(deviceCodes.applicationId, applicationId)))[0].n,
    });
    expect(await counts(appId)).toEqual({ authorizationCodes: 1, accessTokens: 2, refreshTokens: 1, consents: 1, deviceCodes: 1 });
    expect(await getClient(r.application.clientId)).not.toBeNull(); // cached

    await deleteApplication(appId, actor(alice));

    expect(await stored(appId)).toBeUndefined();
    expect(await counts(appId)).toEqual({ authorizationCodes: 0, accessTokens: 0, refreshTokens: 0, consents: 0, deviceCodes: 0 });
    expect(await counts(other.application.id)).toEqual({ authorizationCodes: 1, accessTokens: 2, refreshTokens: 1, consents: 1, deviceCodes: 1 });
    expect(await getClient(r.application.clientId)).toBeNull();
    await expect(getApplication(appId, actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    await expect(deleteApplication(appId, actor(alice))).rejects.toBeInstanceOf(ApplicationNotFoundError);
    expect(await auditTypes(appId)).toEqual(['application.created', 'application.deleted']);
  });

  it('records the actor and IP in the audit log', async () => {
    const r = await create(alice);
    await deleteApplication(r.application.id, actor(alice));
    await flushAudit();
    const db = await getDb();
    const rows = await db.select().from(auditEvents).where(eq(auditEvents.applicationId, r.application.id));
    expect(rows.every((e) => e.actorUserId === alice.id && e.ip === '203.0.113.7')).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(r.plainSecret!);
  });
});
