// npm run keys:rotate — adds a new ID-token signing key and makes it the one new tokens are signed
// with. The previous key stays in the JWKS until the tokens it signed have expired
// (ID_TOKEN_EXPIRE_SECONDS after its retirement); keys retired longer ago than that are deleted.
// On PostgreSQL the running instances pick the new key up at once; with the embedded database,
// stop the server first (only one process may open it).
import { runCli } from './cli';
import { env } from '../lib/env';
import { rotateSigningKey } from '../lib/oauth/oidc/keys';
import { deleteKeysRetiredBefore, listPublishedKeys } from '../lib/db/queries/signing-keys';
import { audit } from '../lib/db/queries/audit';

void runCli(async () => {
  const { kid, retired } = await rotateSigningKey();
  const ttl = env().ID_TOKEN_EXPIRE_SECONDS;
  const deleted = await deleteKeysRetiredBefore(new Date(Date.now() - ttl * 1000));
  audit('admin.action', { actorLabel: 'npm run keys:rotate', detail: { action: 'signing_key.rotated', kid, retired, deleted } });
  console.log(`New signing key: ${kid}`);
  if (retired.length) console.log(`Retired: ${retired.join(', ')} (still published for ${ttl} s, until the ID tokens it signed expire)`);
  if (deleted.length) console.log(`Deleted (expired): ${deleted.join(', ')}`);
  const published = await listPublishedKeys(new Date(Date.now() - ttl * 1000));
  console.log(`Published in the JWKS: ${published.map((k) => k.kid).join(', ')}`);
});
