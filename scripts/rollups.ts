// npm run rollups -- --rebuild — recomputes the usage charts' daily rollups (usage_daily,
// usage_daily_users) from audit_events (lib/db/queries/audit.ts rebuildUsageRollups). They are kept
// up to date as events are written; a rebuild is for events written another way (an import, a
// restore of audit_events alone). With the embedded database it cannot run while the server holds it.
import { CliError, parseArgs, runCli } from './cli';
import { rebuildUsageRollups } from '../lib/db/queries/audit';

void runCli(async () => {
  const args = parseArgs(process.argv.slice(2));
  if (!args.has('rebuild') || args.size !== 1) throw new CliError('Usage: npm run rollups -- --rebuild');
  const r = await rebuildUsageRollups();
  console.log(`Rebuilt the usage rollups: ${r.counts.toLocaleString('en-US')} daily counts, ${r.users.toLocaleString('en-US')} daily active users.`);
});
