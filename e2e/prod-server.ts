// A production server of our own (`npm start` after `next build`) whose stdout and stderr the test
// reads: Playwright's webServer keeps its output to itself. Own port, own DATA_DIR, own AUTH_SECRET;
// PostgreSQL instead of PGlite when TEST_DB=postgres (a fresh database on TEST_DATABASE_URL).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

export interface ProdServer {
  baseURL: string;
  authSecret: string;
  /** Where its data lives, as variables for a CLI command run beside it (DATA_DIR, and DATABASE_URL with PostgreSQL). */
  dataEnv: Record<string, string>;
  /** Everything the server printed so far, stdout and stderr interleaved as they arrived. */
  output: () => string;
  /** SIGTERM (the server flushes its audit batch and closes the database), then the full output. */
  stop: () => Promise<string>;
  /** Every row of every table as JSON text; only after stop() with PGlite (the server holds its files). */
  dumpTables: () => Promise<Record<string, Record<string, unknown>[]>>;
  /** Removes the data directory (and the PostgreSQL database). */
  dispose: () => Promise<void>;
}

/** A TCP port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** @param extraEnv settings over the defaults; its PORT, when given, is the port (else a free one). */
export async function startProdServer(extraEnv: Record<string, string> = {}): Promise<ProdServer> {
  const port = extraEnv.PORT ? Number(extraEnv.PORT) : await freePort();
  const baseURL = `http://localhost:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-logs-'));
  const authSecret = crypto.randomBytes(33).toString('base64url');
  let databaseUrl: string | undefined;
  let adminUrl: string | undefined;
  let dbName: string | undefined;
  if (process.env.TEST_DB === 'postgres') {
    adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL');
    dbName = `oauth_logs_${crypto.randomBytes(6).toString('hex')}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = '/' + dbName;
    databaseUrl = u.toString();
  }

  let out = '';
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: process.cwd(),
    detached: true, // its own process group: npm, sh and node stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ISSUER: baseURL,
      DATA_DIR: dataDir,
      AUTH_SECRET: authSecret,
      NEXT_TELEMETRY_DISABLED: '1',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
      ...extraEnv,
    },
  });
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let running = true;
  void exited.then(() => (running = false));

  // Ready when discovery answers (at most 90 s: Next.js loads its build on first start).
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (!running) throw new Error(`the server exited during start:\n${out}`);
    const ok = await fetch(`${baseURL}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the server did not start within 90 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const stop = async () => {
    if (running) {
      process.kill(-child.pid!, 'SIGTERM');
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      if (!killed) {
        process.kill(-child.pid!, 'SIGKILL');
        await exited;
      }
    }
    return out;
  };

  const dumpTables = async () => {
    const dump: Record<string, Record<string, unknown>[]> = {};
    const listSql = `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    if (databaseUrl) {
      const c = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        for (const { name } of await c.unsafe<{ name: string }[]>(listSql)) dump[name] = [...(await c.unsafe(`SELECT * FROM "${name}"`))];
      } finally {
        await c.end();
      }
      return dump;
    }
    if (running) throw new Error('stop the server before reading its embedded database');
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(path.join(dataDir, 'pglite'));
    try {
      for (const { name } of (await db.query<{ name: string }>(listSql)).rows) dump[name] = (await db.query<Record<string, unknown>>(`SELECT * FROM "${name}"`)).rows;
    } finally {
      await db.close();
    }
    return dump;
  };

  const dispose = async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (adminUrl && dbName) {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await a.end();
    }
  };

  const dataEnv = { DATA_DIR: dataDir, AUTH_SECRET: authSecret, DATABASE_URL: databaseUrl ?? '' };
  return { baseURL, authSecret, dataEnv, output: () => out, stop, dumpTables, dispose };
}
