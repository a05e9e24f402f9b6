// npm run resource -- create|list|remove …  (the staff's /admin/resources/ from a script)
// Works while the server runs: on the embedded database the running server does it (control
// socket); on PostgreSQL this process does. --json prints one JSON object on stdout and nothing else.
import { CliError, parseOptions, runCli, runSetupCommand } from './cli';

const HELP = `Usage:
  npm run resource -- create --identifier URI --name NAME [--scope name="sentence"]... [--format opaque|jwt] [--lifetime SECONDS] [--json]
  npm run resource -- list [--json]
  npm run resource -- remove --identifier URI [--json]

  --identifier  the RFC 8707 resource value (the tokens' aud): an absolute https URI (http only on a loopback host), no fragment or query
  --name        shown on the consent screen
  --scope       a scope it defines and the sentence the consent screen shows; repeat for each scope
  --format      access token format: opaque (default) or jwt (RFC 9068)
  --lifetime    access token lifetime in seconds (default: ACCESS_TOKEN_EXPIRE_SECONDS)
  --json        print one JSON object on stdout (errors still go to stderr, with exit code 1)
The built-in resource (the issuer's /api) cannot be removed; removing a resource revokes its refresh tokens; access tokens already issued for it stay valid until they expire.`;

const [sub, ...rest] = process.argv.slice(2);
if (sub === undefined || sub === '--help' || sub === 'help' || rest.includes('--help')) {
  process.stdout.write(`${HELP}\n`);
  process.exit(sub === undefined ? 1 : 0);
}

void runCli(
  async () => {
    const one = (o: Map<string, string[]>, k: string) => o.get(k)?.[0];
    if (sub === 'create') {
      const o = parseOptions(rest, { flags: ['json'], values: ['identifier', 'name', 'scope', 'format', 'lifetime'], repeatable: ['scope'] });
      const scopes = (o.get('scope') ?? []).map((s) => {
        const eq = s.indexOf('=');
        if (eq <= 0) throw new CliError(`--scope ${s}: write name="sentence" (the sentence the consent screen shows).`);
        return { name: s.slice(0, eq), description: s.slice(eq + 1) };
      });
      await runSetupCommand(
        {
          command: 'resource.create',
          identifier: one(o, 'identifier') ?? '',
          name: one(o, 'name') ?? '',
          scopes,
          accessTokenFormat: one(o, 'format') ?? 'opaque',
          accessTokenLifetimeSeconds: one(o, 'lifetime') ?? null,
        },
        o.has('json'),
      );
    } else if (sub === 'list') {
      const o = parseOptions(rest, { flags: ['json'], values: [] });
      await runSetupCommand({ command: 'resource.list' }, o.has('json'));
    } else if (sub === 'remove') {
      const o = parseOptions(rest, { flags: ['json'], values: ['identifier'] });
      const identifier = one(o, 'identifier');
      if (!identifier) throw new CliError('remove needs --identifier URI (see --help).');
      await runSetupCommand({ command: 'resource.remove', identifier }, o.has('json'));
    } else throw new CliError(`Unknown command "${sub}": create, list or remove (see --help).`);
  },
  { openDatabase: false },
);
