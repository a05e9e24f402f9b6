// The scripted setup (issue 16): `npm run resource`, `npm run createapplication` and
// `npm run applications` while the server runs. With the embedded database the server holds it,
// and the command asks the server over its control socket (lib/server/control-socket.ts); with
// PostgreSQL the command opens the database itself. Either way: the pages' rules, errors on stderr
// with exit code 1, and with --json exactly one JSON object on stdout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeUser } from '@/test/helpers/fixtures';
import { listenControlSocket } from '@/lib/server/control-socket';
import { findResourceRow } from '@/lib/db/queries/resources';
import { ensureBuiltIn, listResources } from '@/lib/oauth/resources';
import { getForViewer } from '@/lib/db/queries/applications';
import { MESSAGES } from '@/lib/apps/schema';
import { RESOURCE_MESSAGES } from '@/lib/resources/schema';
import { env } from '@/lib/env';
import { settings } from './settings';
import { runScript } from './run-script';

let srv: TestServer;
let control: net.Server | null;
const cli = (script: string, ...args: string[]) => runScript(srv.db.env, script, args);
/** The database the commands must say they used: the server's. */
const serversDatabase = () => {
  const url = srv.db.env.DATABASE_URL;
  if (!url) return `embedded database at ${env().DATA_DIR}, through the running server`;
  const u = new URL(url);
  return `PostgreSQL ${u.host}${u.pathname}`;
};
/** stdout is one JSON object and nothing else; its `database` is the server's (then left out). */
const onlyJson = (stdout: string) => {
  expect(stdout.trim().split('\n')).toHaveLength(1);
  const { database, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  expect(database).toBe(serversDatabase());
  return rest;
};

beforeAll(async () => {
  srv = await startTestServer(settings);
  control = await listenControlSocket(srv.db.env.DATA_DIR);
  await ensureBuiltIn();
  await listResources(); // the server's cached list, which the commands must refresh
  await makeUser({ username: 'cli.owner' });
});
afterAll(async () => {
  control?.close();
  await srv?.close();
});

const T = { timeout: 180_000 };

describe('npm run resource while the server runs', () => {
  it('RFC 8707 §2: creates a resource with its scopes, prints it as one JSON object, and lists it beside the built-in one', T, async () => {
    const made = await cli('resource', 'create', '--identifier', 'https://mcp.example.com/mcp', '--name', 'MCP tools', '--scope', 'tools:read=See the tools', '--scope', 'tools:call=Run tools for you', '--format', 'jwt', '--lifetime', '900', '--json');
    expect(made.stderr).toBe(`Database: ${serversDatabase()}\n`);
    expect(made.code).toBe(0);
    expect(onlyJson(made.stdout)).toEqual({
      resource: {
        identifier: 'https://mcp.example.com/mcp',
        name: 'MCP tools',
        scopes: [
          { name: 'tools:read', description: 'See the tools' },
          { name: 'tools:call', description: 'Run tools for you' },
        ],
        access_token_format: 'jwt',
        access_token_lifetime_seconds: 900,
        built_in: false,
      },
    });
    expect(await findResourceRow('https://mcp.example.com/mcp')).toMatchObject({ name: 'MCP tools', accessTokenFormat: 'jwt' });
    // The running server sees it without a restart: it ran the command (embedded database), or was
    // told by NOTIFY (PostgreSQL, where the command changed the database itself).
    await expect.poll(async () => (await listResources()).map((r) => r.identifier), { timeout: 10_000 }).toContain('https://mcp.example.com/mcp');

    const listed = await cli('resource', 'list', '--json');
    expect(listed.code).toBe(0);
    const ids = (onlyJson(listed.stdout).resources as { identifier: string; built_in: boolean }[]).map((r) => [r.identifier, r.built_in]);
    expect(ids).toEqual([
      [`${env().ISSUER}/api`, true],
      ['https://mcp.example.com/mcp', false],
    ]);
  });

  it('RFC 8707 §2: refuses what the staff form refuses, each reason on stderr, exit code 1 and nothing on stdout', T, async () => {
    const bad = await cli('resource', 'create', '--identifier', 'https://mcp.example.com/#frag', '--name', 'x', '--scope', 'openid=Sign in', '--json');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(`identifier: ${RESOURCE_MESSAGES.identifierFragment}`);
    expect(bad.stderr).toContain(`scope 1 name: ${RESOURCE_MESSAGES.scopeNameReserved('openid')}`);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    // A scope name belongs to one resource: the built-in resource's `read` is refused, naming it.
    const taken = await cli('resource', 'create', '--identifier', 'https://other.example.com/', '--name', 'Other', '--scope', 'read=Read things');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('scope 1 name: Scope “read” is already defined by the resource');
    const noSentence = await cli('resource', 'create', '--identifier', 'https://x.example.com/', '--name', 'x', '--scope', 'lonely');
    expect(noSentence).toMatchObject({ code: 1, stdout: '' });
    expect(noSentence.stderr).toContain('--scope lonely: write name="sentence"');
  });

  it('the built-in resource cannot be removed; another is removed by its identifier', T, async () => {
    const builtIn = await cli('resource', 'remove', '--identifier', `${env().ISSUER}/api`);
    expect(builtIn.code).toBe(1);
    expect(builtIn.stderr).toContain('The built-in resource cannot be removed');
    await cli('resource', 'create', '--identifier', 'https://gone.example.com/', '--name', 'Gone');
    const removed = await cli('resource', 'remove', '--identifier', 'https://gone.example.com/', '--json');
    expect(removed.code).toBe(0);
    expect(onlyJson(removed.stdout)).toMatchObject({ removed: { identifier: 'https://gone.example.com/', name: 'Gone' } });
    expect(await findResourceRow('https://gone.example.com/')).toBeNull();
    await expect.poll(async () => (await listResources()).map((r) => r.identifier), { timeout: 10_000 }).not.toContain('https://gone.example.com/');
  });
});

describe('npm run createapplication and npm run applications while the server runs', () => {
  it('RFC 6749 §2.3.1: prints the client_id and, once, a secret that the token endpoint accepts; registered as command_line with its allowed scopes', T, async () => {
    const made = await cli(
      'createapplication',
      '--name', 'Nightly job', '--client-type', 'confidential', '--grant-types', 'client_credentials',
      '--allowed-scopes', 'read,tools:read', '--scope-policy', 'narrow', '--owner', 'cli.owner', '--json',
    );
    expect(made.stderr).toBe(`Database: ${serversDatabase()}\n`);
    const out = onlyJson(made.stdout) as { id: number; client_id: string; client_secret: string };
    // Exactly the fields the README documents (database: checked by onlyJson).
    expect(Object.keys(out).sort()).toEqual(['allowed_scopes', 'client_id', 'client_secret', 'client_type', 'grant_types', 'id', 'name', 'owner', 'redirect_uris', 'registration_method', 'scope_policy']);
    expect(out).toMatchObject({ name: 'Nightly job', client_type: 'confidential', owner: 'cli.owner', allowed_scopes: ['read', 'tools:read'], scope_policy: 'narrow', registration_method: 'command_line' });
    expect(out.client_secret).toMatch(/^[A-Za-z0-9]{100,}$/);
    const stored = await getForViewer(out.id, { id: '', isStaff: true });
    expect(stored).toMatchObject({ clientId: out.client_id, registrationMethod: 'command_line', allowedScopes: ['read', 'tools:read'], scopePolicy: 'narrow', secretHashed: true });

    const t = await fetch(`${srv.url}/o/token/`, {
      method: 'POST',
      headers: { authorization: basic(out.client_id, out.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', scope: 'read' }),
    });
    expect(t.status).toBe(200);

    const listed = await cli('applications', 'list', '--json');
    const apps = onlyJson(listed.stdout).applications as { client_id: string; name: string }[];
    expect(apps.map((a) => a.client_id)).toContain(out.client_id);
    expect(JSON.stringify(apps)).not.toContain(out.client_secret);

    const removed = await cli('applications', 'remove', '--client-id', out.client_id);
    expect(removed).toMatchObject({ code: 0, stdout: expect.stringContaining('Application "Nightly job" removed') });
    expect(await getForViewer(out.id, { id: '', isStaff: true })).toBeNull();
    const again = await cli('applications', 'remove', '--client-id', out.client_id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No application has the client_id');
  });

  it('RFC 6749 §4.4: refuses what the application form refuses (a public client with client credentials, an unknown scope), on stderr with exit code 1', T, async () => {
    const r = await cli('createapplication', '--name', 'Bad', '--client-type', 'public', '--grant-types', 'client_credentials', '--allowed-scopes', 'nope', '--json');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain(`grantTypes: ${MESSAGES.publicGrant(['client_credentials'])}`);
    const unknown = await cli('createapplication', '--name', 'Bad', '--client-type', 'confidential', '--grant-types', 'client_credentials', '--allowed-scopes', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`allowedScopes: ${MESSAGES.allowedScopeUnknown('nope')}`);
    const noOwner = await cli('createapplication', '--name', 'Bad', '--client-type', 'confidential', '--grant-types', 'client_credentials', '--owner', 'nobody.here');
    expect(noOwner).toMatchObject({ code: 1, stdout: '' });
    expect(noOwner.stderr).toContain(`owner: ${MESSAGES.ownerUnknown}`);
    const badOption = await cli('createapplication', '--name', 'Bad', '--colour', 'red');
    expect(badOption).toMatchObject({ code: 1, stdout: '' });
    expect(badOption.stderr).toContain('Unknown option --colour');
  });

  it('every setup command says on stderr which database it used, so one run with another DATA_DIR than the server\'s does not write elsewhere silently', T, async () => {
    for (const args of [['resource', 'list'], ['applications', 'list']]) {
      const r = await cli(args[0], ...args.slice(1));
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`Database: ${serversDatabase()}\n`);
    }
    if (srv.db.env.DATABASE_URL) return; // PostgreSQL: the URL is the only choice
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'cli-elsewhere-'));
    try {
      // Another DATA_DIR with no database: refused, and no empty database is made there.
      const r = await runScript({ ...srv.db.env, DATA_DIR: elsewhere }, 'resource', ['list', '--json']);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toContain(`No database at ${elsewhere} yet: nothing was changed.`);
      expect(existsSync(path.join(elsewhere, 'pglite'))).toBe(false);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('--help says how to call each command, with exit code 0', T, async () => {
    for (const [script, words] of [['resource', '--scope name="sentence"'], ['createapplication', '--client-type confidential|public'], ['applications', 'remove --client-id ID']] as const) {
      const h = await cli(script, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(words);
    }
  });
});
