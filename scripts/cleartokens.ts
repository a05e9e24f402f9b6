// npm run cleartokens — deletes expired and revoked tokens and codes, 10,000 rows at a time, and
// prints what it removed (the rules are in lib/db/queries/cleanup.ts). Run it from cron.
// With the embedded database (no DATABASE_URL) it cannot run while the server holds the database:
// it then says so and exits with status 2 instead of opening a second copy.
//
//   npm run cleartokens [-- --batch-size N]
import { ConfigError, env, installSettings, settingsFromEnvironment } from '../lib/env';
import { closeDb, getHandle } from '../lib/db';
import { DatabaseLockedError } from '../lib/db/pglite-lock';
import { clearExpiredTokens, revokedRefreshRetentionSeconds } from '../lib/db/queries/cleanup';
import { log } from '../lib/log';
import { CliError, describeDatabase, requireExistingDatabase } from './cli';

/** --batch-size N, or null for the setting (limits.cleanupBatchSize). */
function batchSizeArg(argv: string[]): number | null {
  const i = argv.findIndex((a) => a === '--batch-size' || a.startsWith('--batch-size='));
  if (i < 0) return null;
  const v = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  if (!v || !/^[1-9][0-9]{0,6}$/.test(v)) {
    log.error('cleartokens.usage', { msg: '--batch-size must be a whole number between 1 and 9999999.' });
    process.exit(64);
  }
  return Number(v);
}

async function main() {
  const batchSizeAsked = batchSizeArg(process.argv.slice(2));
  try {
    installSettings(settingsFromEnvironment()); // the script's settings: its environment, read once
    await requireExistingDatabase();
    await getHandle();
  } catch (err) {
    if (err instanceof DatabaseLockedError) {
      log.error('cleartokens.failed', { msg: `nothing was deleted. ${err.message}` });
      process.exit(2);
    }
    if (err instanceof ConfigError || err instanceof CliError) {
      log.error('cleartokens.failed', { msg: err.message });
      process.exit(1);
    }
    throw err;
  }
  const batchSize = batchSizeAsked ?? env().limits.cleanupBatchSize;
  const days = Math.round((revokedRefreshRetentionSeconds() / 86400) * 10) / 10;
  process.stderr.write(`Database: ${await describeDatabase('direct')}\n`);
  console.log(`Deleting expired and revoked tokens and codes in batches of ${batchSize.toLocaleString('en-US')}…`);
  const r = await clearExpiredTokens({ batchSize });
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(`Deleted ${n(r.accessTokens)} access tokens (expired or revoked)`);
  console.log(`Deleted ${n(r.refreshTokens)} refresh tokens (expired, or revoked/rotated without expiry more than ${days} days ago)`);
  console.log(`Deleted ${n(r.authorizationCodes)} authorization codes (expired)`);
  console.log(`Deleted ${n(r.deviceCodes)} device codes (expired or used)`);
  console.log(`Deleted ${n(r.rateLimits)} ended rate-limit windows`);
  console.log(`Deleted ${n(r.sessions)} login sessions (expired or signed out)`);
  console.log(`Deleted ${n(r.authorizationRequests)} pending authorization requests (expired)`);
  console.log(`Deleted ${n(r.metadataClients)} clients of Client ID Metadata Documents unused for ${Math.round(env().limits.unusedMetadataClientRetentionSeconds / 86400)} days`);
  console.log('Kept revoked and rotated refresh tokens that have not expired yet, so that their reuse is still detected.');
  await closeDb();
}

main().catch(async (err) => {
  log.error('cleartokens.failed', { err });
  await closeDb().catch(() => {});
  process.exit(1);
});
