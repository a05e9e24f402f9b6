// Resources (RFC 8707) as staff register them (lib/resources/service.ts, the shared schema in
// lib/resources/schema.ts): who may, what is refused and why, what removal leaves behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeApp, makeUser } from '@/test/helpers/fixtures';
import { query } from '@/lib/db';
import { flushAudit } from '@/lib/db/queries/audit';
import { randomToken, sha256b64url } from '@/lib/oauth/random';
import { AdminNotFoundError, type StaffActor } from '@/lib/admin/service';
import { createResource, deleteResource, getResourceFor, listResourcesFor, updateResource } from '@/lib/resources/service';
import { ensureBuiltIn, listResources } from '@/lib/oauth/resources';
import { RESOURCE_MESSAGES, checkResourceIdentifier, parseResourceValues } from '@/lib/resources/schema';
import { env } from '@/lib/env';
import { settings } from './settings';

let srv: TestServer;
let staff: StaffActor;
beforeAll(async () => {
  srv = await startTestServer(settings);
  await ensureBuiltIn();
  const s = await makeUser({ username: 'resource.boss', isStaff: true });
  staff = { id: s.id, isStaff: true, ip: '192.0.2.1' };
});
afterAll(async () => srv?.close());

const values = (over: Record<string, unknown> = {}) => ({
  identifier: 'https://api.example.com/',
  name: 'Example API',
  scopes: [
    { name: 'orders:read', description: 'See your orders' },
    { name: 'orders:write', description: 'Place orders for you' },
  ],
  accessTokenFormat: 'opaque',
  accessTokenLifetimeSeconds: '',
  ...over,
});

describe('who may register resources', () => {
  it('refuses every resource function to a non-staff user, a forged staff claim and the anonymous, as not found', async () => {
    const user = await makeUser();
    for (const actor of [{ id: user.id, isStaff: false }, { id: user.id, isStaff: true }, null]) {
      await expect(listResourcesFor(actor as StaffActor)).rejects.toBeInstanceOf(AdminNotFoundError);
      await expect(createResource(actor as StaffActor, values({ identifier: 'https://forged.example.com/' }))).rejects.toBeInstanceOf(AdminNotFoundError);
    }
    const rows = await query<{ n: number }>(sql`SELECT count(*)::int AS n FROM resources WHERE identifier = 'https://forged.example.com/'`);
    expect(rows[0].n).toBe(0);
  });
});

describe('RFC 8707 §2: the identifier is an absolute URI without a fragment', () => {
  it('RFC 8707 §2: refuses a fragment, a relative reference, a query, plain http off loopback and a non-canonical spelling, each with its reason', () => {
    expect(checkResourceIdentifier('https://api.example.com/#x')).toBe(RESOURCE_MESSAGES.identifierFragment);
    expect(checkResourceIdentifier('/api')).toBe(RESOURCE_MESSAGES.identifierNotUri);
    expect(checkResourceIdentifier('https://api.example.com/?v=1')).toBe(RESOURCE_MESSAGES.identifierQuery);
    expect(checkResourceIdentifier('http://api.example.com/')).toBe(RESOURCE_MESSAGES.identifierScheme);
    expect(checkResourceIdentifier('HTTPS://API.example.com')).toBe(RESOURCE_MESSAGES.identifierNotCanonical('https://api.example.com/'));
    expect(checkResourceIdentifier('http://127.0.0.1:9000/mcp')).toBeNull();
    expect(checkResourceIdentifier('https://mcp.example.com/mcp')).toBeNull();
  });

  it('RFC 6749 §3.3: scope names follow the scope-token syntax, are unique in the resource, are not OIDC scopes, and each has its sentence; each error is at its own row (as sent)', () => {
    const bad = parseResourceValues(
      values({
        scopes: [
          { name: 'has space', description: 'x' },
          { name: 'openid', description: 'x' },
          { name: 'a', description: 'First' },
          { name: 'a', description: 'Again' },
          { name: 'b', description: '' },
          { name: '', description: '' }, // a spare row: ignored
        ],
      }),
    );
    expect(bad.success).toBe(false);
    if (bad.success) return;
    expect(bad.errors).toEqual({
      'scopes.0.name': [RESOURCE_MESSAGES.scopeNameSyntax('has space')],
      'scopes.1.name': [RESOURCE_MESSAGES.scopeNameReserved('openid')],
      'scopes.3.name': [RESOURCE_MESSAGES.scopeNameDuplicate('a')],
      'scopes.4.description': [RESOURCE_MESSAGES.scopeDescriptionRequired('b')],
    });
    // A spare row before a bad one does not shift its position.
    const spare = parseResourceValues(values({ scopes: [{ name: '', description: '' }, { name: 'ok', description: 'Fine' }, { name: 'bad name', description: 'x' }] }));
    expect(spare.success ? null : spare.errors).toEqual({ 'scopes.2.name': [RESOURCE_MESSAGES.scopeNameSyntax('bad name')] });
    const lifetime = parseResourceValues(values({ accessTokenLifetimeSeconds: '5' }));
    expect(lifetime.success ? null : lifetime.errors.accessTokenLifetimeSeconds).toEqual([RESOURCE_MESSAGES.lifetime]);
  });
});

describe('registering, editing and removing', () => {
  it('registers a resource, which the protocol’s list shows at once, and audits it; a second one with the same identifier is refused on its field', async () => {
    const r = await createResource(staff, values({ accessTokenFormat: 'jwt', accessTokenLifetimeSeconds: '600' }));
    expect(r).toMatchObject({ ok: true, resource: { identifier: 'https://api.example.com/', accessTokenFormat: 'jwt', accessTokenLifetimeSeconds: 600, builtIn: false } });
    expect((await listResources()).map((x) => x.identifier)).toContain('https://api.example.com/');
    expect(await createResource(staff, values({ name: 'Again' }))).toEqual({ ok: false, errors: { identifier: [RESOURCE_MESSAGES.identifierTaken] } });
    await flushAudit();
    const ev = await query<{ actor_user_id: string }>(sql`SELECT actor_user_id FROM audit_events WHERE detail->>'action' = 'resource.created'`);
    expect(ev.map((e) => e.actor_user_id)).toEqual([staff.id]);
  });

  it('a scope name belongs to exactly one resource: another resource’s (or the built-in’s SCOPES) is refused at its row, naming the owner, on create and on edit', async () => {
    const first = await createResource(staff, values({ identifier: 'https://tools-one.example.com/', scopes: [{ name: 'tools:call', description: 'Run tools' }] }));
    expect(first.ok).toBe(true);
    const second = await createResource(staff, values({ identifier: 'https://tools-two.example.com/', scopes: [{ name: 'tools:list', description: 'List tools' }, { name: 'tools:call', description: 'Run tools' }] }));
    expect(second).toEqual({ ok: false, errors: { 'scopes.1.name': [RESOURCE_MESSAGES.scopeNameTaken('tools:call', '“Example API” (https://tools-one.example.com/)')] } });
    const builtInName = env().SCOPES[0];
    const clash = await createResource(staff, values({ identifier: 'https://tools-two.example.com/', scopes: [{ name: builtInName, description: 'Mine' }] }));
    expect(clash.ok ? null : clash.errors['scopes.0.name']?.[0]).toMatch(new RegExp(`^Scope “${builtInName}” is already defined by the resource .*${env().ISSUER}/api`));
    const two = await createResource(staff, values({ identifier: 'https://tools-two.example.com/', scopes: [{ name: 'tools:list', description: 'List tools' }] }));
    if (!two.ok || !first.ok) throw new Error('setup');
    const edit = await updateResource(staff, two.resource.id, values({ identifier: 'https://tools-two.example.com/', scopes: [{ name: 'tools:call', description: 'Run tools' }] }));
    expect(edit.ok ? null : edit.errors['scopes.0.name']?.[0]).toMatch(/tools-one/);
    // Its own scopes are no clash.
    expect((await updateResource(staff, first.resource.id, values({ identifier: 'https://tools-one.example.com/', scopes: [{ name: 'tools:call', description: 'Run tools now' }] }))).ok).toBe(true);
    for (const r of [first, two]) await deleteResource(staff, { id: r.resource.id });
  });

  it('edits a resource’s scopes and lifetime; the built-in resource keeps its identifier', async () => {
    const [builtIn] = (await listResourcesFor(staff)).filter((r) => r.builtIn);
    expect(builtIn.identifier).toBe(`${env().ISSUER}/api`);
    const moved = await updateResource(staff, builtIn.id, { ...values(), identifier: 'https://elsewhere.example.com/' });
    expect(moved).toEqual({ ok: false, errors: { identifier: [RESOURCE_MESSAGES.identifierBuiltIn] } });
    const renamed = await updateResource(staff, builtIn.id, { ...values(), identifier: builtIn.identifier, name: 'Notes API' });
    expect(renamed).toMatchObject({ ok: true, resource: { name: 'Notes API', builtIn: true } });
  });

  it('the built-in resource cannot be removed, by staff or from the command line', async () => {
    const [builtIn] = (await listResourcesFor(staff)).filter((r) => r.builtIn);
    expect(await deleteResource(staff, { id: builtIn.id })).toMatchObject({ ok: false });
    expect(await deleteResource('command_line', { identifier: builtIn.identifier })).toMatchObject({ ok: false });
    expect((await listResourcesFor(staff)).some((r) => r.id === builtIn.id)).toBe(true);
  });

  it('removing a resource leaves the access tokens issued for it valid until they expire, and the confirmation counts them', async () => {
    const made = await createResource(staff, values({ identifier: 'https://billing.example.com/', name: 'Billing', scopes: [{ name: 'invoices', description: 'See your invoices' }] }));
    if (!made.ok) throw new Error(JSON.stringify(made));
    const app = await makeApp({ grantTypes: ['client_credentials'] });
    const hash = sha256b64url(randomToken());
    await query(sql`INSERT INTO access_tokens (token_hash, application_id, scope, family_id, grant_type, audience, expires_at)
      VALUES (${hash}, ${app.id}, 'billing:read', gen_random_uuid(), 'client_credentials', ARRAY['https://billing.example.com/']::text[], now() + interval '1 hour')`);
    expect((await getResourceFor(staff, made.resource.id)).liveTokens).toBe(1);
    expect(await deleteResource(staff, { id: made.resource.id })).toMatchObject({ ok: true, resource: { name: 'Billing' } });
    await expect(getResourceFor(staff, made.resource.id)).rejects.toBeInstanceOf(AdminNotFoundError);
    const left = await query<{ revoked: boolean }>(sql`SELECT revoked_at IS NOT NULL AS revoked FROM access_tokens WHERE token_hash = ${hash}`);
    expect(left).toEqual([{ revoked: false }]);
    expect((await listResources()).map((x) => x.identifier)).not.toContain('https://billing.example.com/');
  });

  it('RFC 6749 §6: removing a resource revokes the refresh tokens of grants for it (a refresh is then invalid_grant); other grants keep theirs', async () => {
    const made = await createResource(staff, values({ identifier: 'https://ledger.example.com/', name: 'Ledger', scopes: [{ name: 'ledger:read', description: 'See your ledger' }] }));
    if (!made.ok) throw new Error(JSON.stringify(made));
    const app = await makeApp({ grantTypes: ['authorization_code', 'refresh_token'] });
    const user = await makeUser();
    const forLedger = randomToken();
    const forApi = randomToken();
    await query(sql`INSERT INTO refresh_tokens (token_hash, application_id, user_id, scope, family_id, resources)
      VALUES (${sha256b64url(forLedger)}, ${app.id}, ${user.id}, 'ledger:read', gen_random_uuid(), ARRAY['https://ledger.example.com/']::text[]),
             (${sha256b64url(forApi)}, ${app.id}, ${user.id}, 'read', gen_random_uuid(), '{}'::text[])`);
    expect(await deleteResource(staff, { id: made.resource.id })).toMatchObject({ ok: true });
    const refresh = (token: string) =>
      fetch(`${srv.url}/o/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
      });
    const refused = await refresh(forLedger);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await refresh(forApi)).status).toBe(200);
  });

  it('RFC 6749 §3.3: a request without scope from an application allowed none of the default scopes is invalid_scope, not an empty-scope token', async () => {
    const app = await makeApp({ grantTypes: ['client_credentials'], redirectUris: [], allowedScopes: ['no-such-scope'] });
    const r = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe('invalid_scope');
  });
});
