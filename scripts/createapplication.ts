// npm run createapplication -- --name N --client-type confidential|public --grant-types a,b …
// Like django-oauth-toolkit's createapplication: registers an application (registrationMethod
// 'command_line') with the application form's rules and prints its client_id and, once, its
// secret. Works while the server runs (control socket on the embedded database).
import { CliError, parseOptions, runCli, runSetupCommand } from './cli';
import { GRANT_TYPES } from '../lib/oauth/grants/catalogue';

const HELP = `Usage:
  npm run createapplication -- --name NAME --client-type confidential|public --grant-types G1,G2
      [--redirect-uris U1,U2] [--post-logout-redirect-uris U1,U2] [--allowed-origins O1,O2]
      [--allowed-scopes S1,S2] [--scope-policy refuse|narrow] [--algorithm RS256|HS256]
      [--owner USERNAME] [--client-id ID] [--client-secret SECRET] [--no-hash-client-secret]
      [--skip-authorization] [--json]

  --grant-types     ${GRANT_TYPES.join(', ')}
  --allowed-scopes  the resources' scopes it may be granted (default: all, including future ones);
                    an empty value allows none (OpenID Connect scopes are always allowed)
  --scope-policy    a request for another scope: refuse (invalid_scope, default) or narrow (left out)
  --algorithm       how ID tokens are signed (default: no OpenID Connect)
  --owner           an active user's username (default: no owner)
  --client-secret   a secret of your choosing (at least 32 characters; note that other local users may
                    see a command line); default: generated and printed once
  --no-hash-client-secret  store the secret readable (needed for HS256)
  --json            print one JSON object on stdout: {"client_id", "client_secret" (null for public clients
                    or a secret you chose), …}; errors go to stderr with exit code 1`;

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('--help')) {
  process.stdout.write(`${HELP}\n`);
  process.exit(argv.length === 0 ? 1 : 0);
}

/** "a,b, c" → ['a', 'b', 'c'] (empty parts dropped). */
const csv = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

void runCli(
  async () => {
    const o = parseOptions(argv, {
      flags: ['json', 'skip-authorization', 'no-hash-client-secret'],
      values: ['name', 'client-type', 'grant-types', 'redirect-uris', 'post-logout-redirect-uris', 'allowed-origins', 'allowed-scopes', 'scope-policy', 'algorithm', 'owner', 'client-id', 'client-secret'],
    });
    const one = (k: string) => o.get(k)?.[0];
    if (!one('name') || !one('client-type') || !one('grant-types')) throw new CliError('--name, --client-type and --grant-types are required (see --help).');
    await runSetupCommand(
      {
        command: 'application.create',
        name: one('name')!,
        clientType: one('client-type')!,
        grantTypes: csv(one('grant-types')),
        redirectUris: csv(one('redirect-uris')),
        postLogoutRedirectUris: csv(one('post-logout-redirect-uris')),
        allowedOrigins: csv(one('allowed-origins')),
        allowedScopes: o.has('allowed-scopes') ? csv(one('allowed-scopes')) : null,
        scopePolicy: one('scope-policy') ?? 'refuse',
        algorithm: one('algorithm') ?? '',
        owner: one('owner') ?? null,
        clientId: one('client-id') ?? null,
        clientSecret: one('client-secret') ?? null,
        hashClientSecret: !o.has('no-hash-client-secret'),
        skipAuthorization: o.has('skip-authorization'),
      },
      o.has('json'),
    );
  },
  { openDatabase: false },
);
