// Per-application allowed scopes (issue 16) as the application form sets them (lib/apps/schema.ts
// formValues → lib/apps/service.ts): "All scopes, including future ones" is stored as null, the
// checked scopes as a list, the policy for other scopes beside them; a scope no resource defines
// is refused on its field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { makeUser, POSTMAN_CALLBACK } from '@/test/helpers/fixtures';
import { getForViewer } from '@/lib/db/queries/applications';
import { formValues, MESSAGES, parseApplicationValues } from '@/lib/apps/schema';
import { createApplication, updateApplication, type Actor } from '@/lib/apps/service';
import { createResource } from '@/lib/resources/service';
import { ensureBuiltIn } from '@/lib/oauth/resources';
import { settings } from './settings';

let server: TestServer;
let owner: Actor;
beforeAll(async () => {
  server = await startTestServer(settings);
  await ensureBuiltIn();
  const made = await createResource('command_line', {
    identifier: 'https://orders.example.com/',
    name: 'Orders',
    scopes: [
      { name: 'orders:read', description: 'See your orders' },
      { name: 'orders:write', description: 'Place orders for you' },
    ],
    accessTokenFormat: 'opaque',
    accessTokenLifetimeSeconds: null,
  });
  if (!made.ok) throw new Error(JSON.stringify(made.errors));
  const u = await makeUser();
  owner = { id: u.id, isStaff: false };
});
afterAll(async () => server?.close());

/** The register form as the browser sends it. */
function form(fields: [string, string][]): FormData {
  const f = new FormData();
  for (const [k, v] of [['name', 'Shop'], ['clientType', 'confidential'], ['grantTypes', 'authorization_code'], ['redirectUris', POSTMAN_CALLBACK], ['algorithm', ''], ['hashClientSecret', 'on'], ...fields]) f.append(k, v);
  return f;
}

async function register(fields: [string, string][]) {
  const p = parseApplicationValues(formValues(form(fields)));
  if (!p.success) throw new Error(JSON.stringify(p.errors));
  return createApplication(p.data, owner);
}

describe('allowed scopes on the application form', () => {
  it('"All scopes, including future ones" is stored as null (every scope, also later ones), with the refuse policy by default', async () => {
    const r = await register([['allowedScopesMode', 'all'], ['allowedScopes', 'orders:read']]);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(await getForViewer(r.application.id, owner)).toMatchObject({ allowedScopes: null, scopePolicy: 'refuse', registrationMethod: 'form' });
  });

  it('"Only the scopes checked below" stores the checked scopes and the narrow policy; an edit changes them', async () => {
    const r = await register([['allowedScopesMode', 'some'], ['allowedScopes', 'orders:read'], ['allowedScopes', 'read'], ['scopePolicy', 'narrow']]);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(await getForViewer(r.application.id, owner)).toMatchObject({ allowedScopes: ['orders:read', 'read'], scopePolicy: 'narrow' });

    const p = parseApplicationValues(formValues(form([['allowedScopesMode', 'some'], ['scopePolicy', 'refuse']])));
    if (!p.success) throw new Error(JSON.stringify(p.errors));
    const u = await updateApplication(r.application.id, p.data, owner);
    expect(u.ok).toBe(true);
    // Nothing checked: only the OpenID Connect scopes remain possible.
    expect(await getForViewer(r.application.id, owner)).toMatchObject({ allowedScopes: [], scopePolicy: 'refuse' });
  });

  it('RFC 6749 §3.3: refuses a scope that no resource defines, and a malformed one, on the Allowed scopes field', async () => {
    const unknown = await register([['allowedScopesMode', 'some'], ['allowedScopes', 'orders:delete']]);
    expect(unknown).toEqual({ ok: false, errors: { allowedScopes: [MESSAGES.allowedScopeUnknown('orders:delete')] } });
    const malformed = parseApplicationValues(formValues(form([['allowedScopesMode', 'some'], ['allowedScopes', 'two words']])));
    expect(malformed.success ? null : malformed.errors.allowedScopes).toEqual([MESSAGES.allowedScopeSyntax]);
    const policy = parseApplicationValues(formValues(form([['scopePolicy', 'ignore']])));
    expect(policy.success ? null : policy.errors.scopePolicy).toEqual([MESSAGES.scopePolicy]);
  });
});
