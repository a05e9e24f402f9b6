// A fresh database per test file: an embedded PGlite in a temp dir, or, when TEST_DB=postgres,
// a new database on TEST_DATABASE_URL's server that is dropped afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import postgres from 'postgres';

export interface TestDatabase {
  /** The settings that point at this database, as variables: for test settings and for a child process's environment. */
  env: { DATA_DIR: string; AUTH_SECRET: string; DATABASE_URL?: string };
  kind: 'pglite' | 'postgres';
  drop: () => Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-test-'));
  const base = { DATA_DIR: dataDir, AUTH_SECRET: crypto.randomBytes(33).toString('base64url') };
  if (process.env.TEST_DB !== 'postgres') {
    return { kind: 'pglite', env: base, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
  const pg = await createPostgresDatabase(url, 'oauth_test');
  return {
    kind: 'postgres',
    env: { ...base, DATABASE_URL: pg.url },
    drop: async () => {
      await pg.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new, empty database `<prefix>_<random hex>` on the PostgreSQL server `adminUrl` points at: its
 * URL, and drop() (WITH (FORCE): connections still open to it are ended).
 */
export async function createPostgresDatabase(adminUrl: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = '/' + name;
  return {
    url: u.toString(),
    drop: async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
