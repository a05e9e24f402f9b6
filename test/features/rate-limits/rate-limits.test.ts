// Limits on guessing passwords and client secrets (lib/rate-limits.ts), over real HTTP from real
// source addresses (127.0.0.0/8): per (account or client, source) and per source they block, per
// account or client across sources they only delay. Nobody can lock anyone else out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { startTestServer, type TestServer } from '@/test/helpers/server';
import { basic, form, makeApp, makeUser } from '@/test/helpers/fixtures';
import { fetchFrom, freshSource } from '@/test/helpers/source';
import { getDb, query } from '@/lib/db';
import { accessTokens, auditEvents, rateLimits } from '@/lib/db/schema';
import { flushAudit } from '@/lib/db/queries/audit';
import { checkPassword } from '@/lib/auth/check-password';
import { clientKeys, loginKeys } from '@/lib/rate-limits';
import { countAttempts, settleAttempts } from '@/lib/db/queries/rate-limit';
import { settings } from './settings';

const MAX = 3;
const PER_IP = 20;
const MAX_DELAY_MS = 400;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ...settings,
    ALLOW_PASSWORD_GRANT: 'true',
    RATE_LIMIT_MAX_FAILURES: String(MAX),
    RATE_LIMIT_MAX_FAILURES_PER_IP: String(PER_IP),
    RATE_LIMIT_MAX_DELAY_MS: String(MAX_DELAY_MS),
  });
});
afterAll(async () => srv?.close());
beforeEach(async () => {
  await (await getDb()).delete(rateLimits);
});

type App = Awaited<ReturnType<typeof makeApp>>;
const pwApp = () => makeApp({ grantTypes: ['password'], redirectUris: [] });
const ccApp = (over: Parameters<typeof makeApp>[0] = {}) => makeApp({ grantTypes: ['client_credentials'], redirectUris: [], ...over });

/** The password grant (RFC 6749 §4.3) from `source`: the same check as the login form. */
const passwordGrant = (source: string, app: App, username: string, password: string) =>
  fetchFrom(source, `${srv.url}/o/token/`, { headers: { authorization: basic(app.clientId, app.secret) }, body: form({ grant_type: 'password', username, password }) });

const clientCredentials = (source: string, app: Pick<App, 'clientId'>, secret: string) =>
  fetchFrom(source, `${srv.url}/o/token/`, { headers: { authorization: basic(app.clientId, secret) }, body: form({ grant_type: 'client_credentials' }) });

async function count(key: string): Promise<number> {
  const [row] = await (await getDb()).select().from(rateLimits).where(eq(rateLimits.key, key));
  return row ? Number(row.count) : 0;
}

async function tokensOf(userId: string) {
  return (await getDb()).select().from(accessTokens).where(eq(accessTokens.userId, userId));
}

describe('OWASP Authentication Cheat Sheet: password limits per (account, source) and per source, never a lockout', () => {
  it('failures for an account from one source block that source only, never the right password from a source that has not failed', async () => {
    const bob = await makeUser();
    const app = await pwApp();
    const attacker = freshSource();
    for (let i = 0; i < MAX; i++) expect((await passwordGrant(attacker, app, bob.username, `guess ${i}`)).status).toBe(400);
    const blocked = await passwordGrant(attacker, app, bob.username, bob.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await blocked.json()).error).toBe('temporarily_unavailable');
    // Bob, anywhere else: in.
    const r = await passwordGrant(freshSource(), app, bob.username, bob.password);
    expect(r.status).toBe(200);
    expect((await r.json()).access_token).toEqual(expect.any(String));
    // The login form's check, from yet another source: in too.
    expect((await checkPassword(bob.username, bob.password, freshSource())).ok).toBe(true);
  });

  it("a success from one source does not wipe the failures another source piled on the same account", async () => {
    const bob = await makeUser();
    const app = await pwApp();
    const attacker = freshSource();
    for (let i = 0; i < MAX; i++) await passwordGrant(attacker, app, bob.username, `guess ${i}`);
    expect((await passwordGrant(freshSource(), app, bob.username, bob.password)).status).toBe(200);
    // The attacker is still blocked, even with the right password.
    expect((await passwordGrant(attacker, app, bob.username, bob.password)).status).toBe(429);
    expect(await count(loginKeys(bob.username, attacker).pair)).toBe(MAX + 1);
  });

  it('a source failing across many accounts stops at RATE_LIMIT_MAX_FAILURES_PER_IP, and logging into its own account does not reset that', async () => {
    const app = await pwApp();
    const own = await makeUser();
    const source = freshSource();
    const victims = await Promise.all(Array.from({ length: PER_IP / 2 }, () => makeUser()));
    for (const [i, v] of victims.entries()) {
      for (let j = 0; j < 2; j++) expect((await passwordGrant(source, app, v.username, `guess ${j}`)).status).toBe(400);
      // Half-way, the attacker logs into its own account: only that attempt is taken back.
      if (i === 1) expect((await passwordGrant(source, app, own.username, own.password)).status).toBe(200);
    }
    expect(await count(loginKeys(own.username, source).source)).toBe(PER_IP);
    expect((await passwordGrant(source, app, own.username, own.password)).status).toBe(429);
    // Another source is not affected.
    expect((await passwordGrant(freshSource(), app, own.username, own.password)).status).toBe(200);
  });

  it('failures against one account from many sources raise one audit event and a growing delay, bounded by RATE_LIMIT_MAX_DELAY_MS, never a block', async () => {
    const carol = await makeUser();
    const app = await pwApp();
    const timings: number[] = [];
    for (let i = 0; i < MAX + 5; i++) {
      const t0 = performance.now();
      expect((await passwordGrant(freshSource(), app, carol.username, `guess ${i}`)).status).toBe(400);
      timings.push(performance.now() - t0);
    }
    // 100 ms, 200 ms, 400 ms (the ceiling), 400 ms, 400 ms after the first MAX attempts.
    expect(Math.min(...timings.slice(MAX + 1))).toBeGreaterThanOrEqual(190);
    expect(Math.min(...timings.slice(MAX + 2))).toBeGreaterThanOrEqual(MAX_DELAY_MS - 10);
    // The right password from a source that has not failed: delayed, bounded, and in.
    const t0 = performance.now();
    const r = await passwordGrant(freshSource(), app, carol.username, carol.password);
    const took = performance.now() - t0;
    expect(r.status).toBe(200);
    expect(took).toBeGreaterThanOrEqual(MAX_DELAY_MS - 10);
    expect(took).toBeLessThan(MAX_DELAY_MS + 2000);
    await flushAudit();
    const events = await (await getDb())
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'login.throttled'), eq(auditEvents.actorLabel, carol.username.toLowerCase())));
    expect(events).toHaveLength(1);
    expect(events[0].detail).toMatchObject({ attempts: MAX + 1, max_delay_ms: MAX_DELAY_MS });
  });
});

describe('rate-limit counters under concurrency (lib/db/queries/rate-limit.ts)', () => {
  it('counting and settling the same keys at once never deadlocks: both lock them in key order', async () => {
    // Rows created in reverse key order, so that a scan meets them in the opposite order to a sort.
    const tag = Math.random().toString(36).slice(2);
    const [a, b, c] = ['a', 'b', 'c'].map((k) => `test:${tag}:${k}`);
    await countAttempts([c]);
    await countAttempts([b]);
    await countAttempts([a]);
    const errors: unknown[] = [];
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? countAttempts([a, b, c]) : settleAttempts({ clear: [a], refund: [c, b] })).catch((e: unknown) => void errors.push(e)),
        ),
      );
    }
    expect(errors).toEqual([]);
  });
});

describe('canonical usernames (lib/canonical.ts): one spelling of an account for the lookup and the limit key', () => {
  it('with alice over the limit from a source, ALICE, ＡＬＩＣＥ, ａｌｉｃｅ and " alice " are refused as alice; alİce, alıce and alice\\u0301 are nobody; none gets alice’s tokens', async () => {
    const alice = await makeUser({ username: 'alice' });
    const app = await pwApp();
    const source = freshSource();
    for (let i = 0; i < MAX; i++) expect((await passwordGrant(source, app, 'alice', `guess ${i}`)).status).toBe(400);
    const pair = loginKeys('alice', source).pair;
    expect(await count(pair)).toBe(MAX);

    // Spellings of alice: the same account, so the same (full) counter.
    const same = ['ALICE', '\uFF21\uFF2C\uFF29\uFF23\uFF25', '\uFF41\uFF4C\uFF49\uFF43\uFF45', ' alice '];
    for (const name of same) {
      const r = await passwordGrant(source, app, name, alice.password);
      expect(r.status, name).toBe(429);
      expect(loginKeys(name, source).pair, name).toBe(pair);
    }
    expect(await count(pair)).toBe(MAX + same.length);

    // Look-alikes that are not alice: no account, their own counters, never alice's tokens.
    const others = ['al\u0130ce', 'al\u0131ce', 'alice\u0301'];
    for (const name of others) {
      expect(loginKeys(name, source).pair, name).not.toBe(pair);
      for (const from of [source, freshSource()]) {
        const r = await passwordGrant(from, app, name, alice.password);
        expect(r.status, name).toBe(400);
        expect((await r.json()).error).toBe('invalid_grant');
      }
      expect(await count(loginKeys(name, source).pair), name).toBe(1);
      // The login form's check gives the same answers.
      expect(await checkPassword(name, alice.password, freshSource())).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(await count(pair)).toBe(MAX + same.length);
    for (const name of same) expect((await checkPassword(name, alice.password, source)).ok, name).toBe(false);
    expect(await tokensOf(alice.id)).toHaveLength(0);

    // From a clean source every spelling of alice is alice.
    const r = await passwordGrant(freshSource(), app, '\uFF21\uFF2C\uFF29\uFF23\uFF25', alice.password);
    expect(r.status).toBe(200);
    expect(await tokensOf(alice.id)).toHaveLength(1);
  });

  it('labels failed logins with the canonical username, so every spelling of an account is one label in the audit log', async () => {
    await makeUser({ username: 'Dora.Label' });
    for (const name of ['DORA.LABEL', '\uFF24\uFF4F\uFF52\uFF41.label']) await checkPassword(name, 'wrong', freshSource());
    await flushAudit();
    const labels = await query<{ actor_label: string }>(sql`SELECT actor_label FROM audit_events WHERE type = 'login.failure' AND actor_label ILIKE 'dora%'`);
    expect(labels.map((l) => l.actor_label)).toEqual(['dora.label', 'dora.label']);
  });
});

describe('RFC 9700 §4.15, OWASP: client secret limits per (client, source) and per source', () => {
  it('wrong secrets for one client from a source block only that client from that source', async () => {
    const x = await ccApp();
    const y = await ccApp();
    const nat = freshSource();
    for (let i = 0; i < MAX; i++) expect((await clientCredentials(nat, x, `wrong-${i}`)).status).toBe(401);
    expect((await clientCredentials(nat, x, 'wrong-again')).status).toBe(429);
    // The blocked pair stays blocked, even with the right secret (not verified yet in this process).
    expect((await clientCredentials(nat, x, x.secret)).status).toBe(429);
    // Another client behind the same address, and the same client elsewhere: in.
    expect((await clientCredentials(nat, y, y.secret)).status).toBe(200);
    expect((await clientCredentials(freshSource(), x, x.secret)).status).toBe(200);
  });

  it('a source failing across many clients stops at RATE_LIMIT_MAX_FAILURES_PER_IP, whatever other clients it authenticates', async () => {
    const source = freshSource();
    const own = await ccApp();
    for (let i = 0; i < PER_IP / 2; i++) {
      const target = await ccApp();
      for (let j = 0; j < 2; j++) expect((await clientCredentials(source, target, `wrong-${j}`)).status).toBe(401);
      // A first (uncached) verification of its own client: only that attempt is taken back.
      if (i === 1) expect((await clientCredentials(source, own, own.secret)).status).toBe(200);
    }
    const fresh = await ccApp();
    expect((await clientCredentials(source, fresh, fresh.secret)).status).toBe(429);
    expect((await clientCredentials(freshSource(), fresh, fresh.secret)).status).toBe(200);
  });

  it('a burst of right secrets from one source, before any is cached, is not refused by the attempts it counted itself', async () => {
    // A client's workers starting at once: each attempt is counted before its secret is checked.
    const app = await ccApp();
    const source = freshSource();
    const statuses = await Promise.all(Array.from({ length: MAX * 4 }, () => clientCredentials(source, app, app.secret).then((r) => r.status)));
    expect(statuses).toEqual(Array(MAX * 4).fill(200));
  });

  it('a guesser over the limit is still refused after the second look, while the owner elsewhere gets in', async () => {
    const app = await ccApp();
    const source = freshSource();
    const statuses = await Promise.all(Array.from({ length: MAX * 4 }, (_, i) => clientCredentials(source, app, `wrong-${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(MAX * 3);
    expect((await clientCredentials(source, app, app.secret)).status).toBe(429);
    expect((await clientCredentials(freshSource(), app, app.secret)).status).toBe(200);
  });

  it('unhashed (HS256) secrets have the same limits as hashed ones', async () => {
    const app = await ccApp({ secretHashed: false });
    const source = freshSource();
    const statuses = [];
    for (let i = 0; i < MAX + 3; i++) statuses.push((await clientCredentials(source, app, `wrong-${i}`)).status);
    expect(statuses).toEqual([...Array(MAX).fill(401), 429, 429, 429]);
    expect((await clientCredentials(source, app, app.secret)).status).toBe(429);
    expect((await clientCredentials(freshSource(), app, app.secret)).status).toBe(200);
    expect(await count(clientKeys(app.clientId, source).pair)).toBe(MAX + 4);
  });

  it('a verified secret, hashed or not, is served from the cache: no rate-limit write on the hot path', async () => {
    for (const secretHashed of [true, false]) {
      const app = await ccApp({ secretHashed });
      const source = freshSource();
      expect((await clientCredentials(source, app, app.secret)).status).toBe(200);
      await (await getDb()).delete(rateLimits);
      for (let i = 0; i < 3; i++) expect((await clientCredentials(source, app, app.secret)).status).toBe(200);
      expect(await (await getDb()).select().from(rateLimits)).toEqual([]);
    }
  });

  it('wrong secrets for one client from many sources raise one audit event and a bounded delay, never a block', async () => {
    const app = await ccApp();
    for (let i = 0; i < MAX + 2; i++) expect((await clientCredentials(freshSource(), app, `wrong-${i}`)).status).toBe(401);
    const t0 = performance.now();
    expect((await clientCredentials(freshSource(), app, app.secret)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    await flushAudit();
    const events = await (await getDb())
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'client.auth_throttled'), eq(auditEvents.applicationId, app.id)));
    expect(events).toHaveLength(1);
  });
});
