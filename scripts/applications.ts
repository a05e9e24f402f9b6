// npm run applications -- list|remove …  (the applications of every owner, from a script)
// Works while the server runs (control socket on the embedded database).
import { CliError, parseOptions, runCli, runSetupCommand } from './cli';

const HELP = `Usage:
  npm run applications -- list [--json]
  npm run applications -- remove --client-id ID [--json]

  remove deletes the application with its tokens, codes and consents.
  Create one with npm run createapplication (see its --help).
  --json  print one JSON object on stdout (errors go to stderr, with exit code 1)`;

const [sub, ...rest] = process.argv.slice(2);
if (sub === undefined || sub === '--help' || sub === 'help' || rest.includes('--help')) {
  process.stdout.write(`${HELP}\n`);
  process.exit(sub === undefined ? 1 : 0);
}

void runCli(
  async () => {
    if (sub === 'list') {
      const o = parseOptions(rest, { flags: ['json'], values: [] });
      await runSetupCommand({ command: 'application.list' }, o.has('json'));
    } else if (sub === 'remove') {
      const o = parseOptions(rest, { flags: ['json'], values: ['client-id'] });
      const clientId = o.get('client-id')?.[0];
      if (!clientId) throw new CliError('remove needs --client-id ID (see --help).');
      await runSetupCommand({ command: 'application.remove', clientId }, o.has('json'));
    } else throw new CliError(`Unknown command "${sub}": list or remove (see --help).`);
  },
  { openDatabase: false },
);
