/**
 * `cached` mode with the shared tier, for real: Debian's redis-server on a free port, three replicas of a service
 * as separate processes (Express + Keyv, Fastify + Keyv, Express + cache-manager over Keyv) in front of one
 * compatible tinyauth server, whose authorize-by-token calls are counted by a recording proxy (which can also hold
 * tinyauth's answers until the test lets them through).
 */
import { CLOCK_SKEW_ALLOWANCE_MS } from '../../src/cache/invalidation-marks';
import { signJwt } from '../../src/core/jwt';
import { utcDateStamp } from '../../src/core/keys';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import {
  ALICE_KEY,
  BOB_KEY,
  SERVICE_KEY,
  basic,
  guardFixture,
  sessionCookie,
} from '../helpers/guard-fixture';
import { RedisServer } from '../helpers/redis-server';
import { startReplica, stopReplica, type Replica } from '../helpers/replica-process';
import { startRecordingProxy, type ScriptedServer } from '../helpers/scripted-server';

jest.setTimeout(120_000);

const CACHE_TTL_MS = 4000;
const CHECK_MS = 100;
const CAROL_KEY = { id: 'AKCAROL', secret: 'carol-secret' };
const WRONG = basic({ id: ALICE_KEY.id, secret: 'not-alice-secret' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The guard fixture, plus carol (alice's twin) unless revoked, and alice without her policy when revoked. */
function fixture(opts: { carol?: boolean; alice?: boolean } = {}): Fixture {
  const users: object[] = guardFixture.users.map((u) =>
    u.username === 'alice' && opts.alice === false ? { ...u, policies: [] } : u,
  );
  const alice = guardFixture.users.find((u) => u.username === 'alice');
  if (opts.carol !== false)
    users.push({
      ...alice,
      username: 'carol',
      password: 'carol-pass',
      access_keys: [[CAROL_KEY.id, CAROL_KEY.secret]],
    });
  return { ...guardFixture, users } as unknown as Fixture;
}

describe('shared decision cache on Redis, three replicas', () => {
  let redis: RedisServer;
  let tinyauth: TinyauthServer;
  let proxy: ScriptedServer;
  let replicas: Replica[];
  let A: Replica, B: Replica, C: Replica;
  /** Every call to tinyauth waits for this before it is forwarded. */
  let gate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    redis = await RedisServer.start();
    tinyauth = await startTinyauthServer({ fixture: fixture() });
    proxy = await startRecordingProxy(tinyauth.url, () => gate);
    const env = {
      TINYAUTH_URL: proxy.url,
      REDIS_URL: redis.url,
      CACHE_TTL_MS: String(CACHE_TTL_MS),
      CHECK_MS: String(CHECK_MS),
      STORE_TIMEOUT_MS: '250',
    };
    replicas = await Promise.all([
      startReplica('A', { ...env, REPLICA_ADAPTER: 'express', STORE: 'keyv' }),
      startReplica('B', { ...env, REPLICA_ADAPTER: 'fastify', STORE: 'keyv' }),
      startReplica('C', { ...env, REPLICA_ADAPTER: 'express', STORE: 'cache-manager' }),
    ]);
    [A, B, C] = replicas;
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map(stopReplica));
    await redis?.resume();
    await redis?.stop();
    await proxy?.close();
    await tinyauth?.close();
  });

  let invalidated = false;
  beforeEach(async () => {
    await tinyauth.store.reload(fixture());
  });
  afterEach(async () => {
    // Decisions made until the mark's clock-skew allowance has passed are not cached: let it pass.
    if (invalidated) await sleep(CLOCK_SKEW_ALLOWANCE_MS);
    invalidated = false;
  });

  /** authorize-by-token calls that reached tinyauth so far. */
  const calls = (): number => proxy.requests.filter((r) => r.url.includes('/authorize-by-token')).length;

  const status = async (replica: Replica, path: string, headers: Record<string, string>): Promise<number> =>
    (await fetch(`${replica.url}${path}`, { headers })).status;
  const as = (key: { id: string; secret: string }): Record<string, string> => ({ Authorization: basic(key) });

  const stats = async (replica: Replica): Promise<Record<string, number>> =>
    (await (await fetch(`${replica.url}/stats`)).json()) as Record<string, number>;

  const decisionKeys = async (): Promise<string[]> =>
    [...(await redis.dump()).keys()].filter((k) => k.includes(':d:'));

  /** Polls `ok` every 20 ms until it holds or `ms` have passed; returns whether it held. */
  async function within(ms: number, ok: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await ok()) return true;
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
  }

  /** Asks `replica` and waits until the allow it got is in Redis (writes are in the background). */
  async function cacheThrough(
    replica: Replica,
    path: string,
    headers: Record<string, string>,
  ): Promise<void> {
    const before = new Set(await decisionKeys());
    expect(await status(replica, path, headers)).toBe(200);
    expect(await within(2000, async () => (await decisionKeys()).some((k) => !before.has(k)))).toBe(true);
  }

  it('replicas B and C answer from what replica A cached: tinyauth is asked once', async () => {
    const before = calls();
    await cacheThrough(A, '/apples/shared-1', as(ALICE_KEY));
    const [b0, c0] = [await stats(B), await stats(C)];
    expect(await status(B, '/apples/shared-1', as(ALICE_KEY))).toBe(200);
    expect(await status(C, '/apples/shared-1', as(ALICE_KEY))).toBe(200);
    expect(await status(B, '/apples/shared-1', as(ALICE_KEY))).toBe(200);
    expect(calls() - before).toBe(1);
    const [b1, c1] = [await stats(B), await stats(C)];
    expect(b1.sharedHits - b0.sharedHits).toBe(1);
    expect(b1.localHits - b0.localHits).toBe(1);
    expect(c1.sharedHits - c0.sharedHits).toBe(1);
  });

  it('never shares a denial, a wrong secret or another resource', async () => {
    const before = calls();
    for (const r of replicas) expect(await status(r, '/apples/rotten', as(ALICE_KEY))).toBe(403);
    for (const r of replicas) expect(await status(r, '/apples/shared-2', { Authorization: WRONG })).toBe(401);
    await cacheThrough(A, '/apples/shared-2', as(ALICE_KEY));
    expect(await status(B, '/apples/shared-2', { Authorization: WRONG })).toBe(401);
    expect(await status(C, '/apples/shared-3', as(ALICE_KEY))).toBe(200);
    expect(calls() - before).toBe(3 + 3 + 1 + 1 + 1);
  });

  it('stores nothing that reveals a secret, a token or a cookie, and keeps no entry past cacheTtlMs', async () => {
    const cookie = await sessionCookie(tinyauth.url, 'bob', 'bob-pass');
    await cacheThrough(A, '/apples/dump', { Cookie: cookie });
    await cacheThrough(B, '/apples/dump', as(BOB_KEY));
    const dump = await redis.dump();
    const token = cookie.slice('tinysess='.length);
    const secrets = [
      SERVICE_KEY.secret,
      ALICE_KEY.secret,
      BOB_KEY.secret,
      basic(BOB_KEY),
      basic(BOB_KEY).slice('Basic '.length),
      basic(ALICE_KEY).slice('Basic '.length),
      token,
      token.split('.')[2],
      'tinysess',
    ];
    const text = [...dump].map(([k, v]) => `${k}\n${v}`).join('\n');
    expect(text).toContain(':d:');
    for (const secret of secrets) expect(text).not.toContain(secret);
    const ttls = await redis.command(async (c) =>
      Promise.all([...dump.keys()].filter((k) => k.includes(':d:')).map((k) => c.pTTL(k))),
    );
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(CACHE_TTL_MS);
    }
  });

  it("never shares an allow past the session token's exp", async () => {
    const iat = Math.floor(Date.now() / 1000);
    const key = tinyauth.store.userJwtKey('global', 'test', utcDateStamp(iat), 'bob') as Buffer;
    const token = signJwt({ user: 'bob', mfa: false, exp: iat + 2, iat }, key);
    const before = new Set(await decisionKeys());
    await cacheThrough(A, '/apples/short', { Cookie: `tinysess=${token}` });
    const added = (await decisionKeys()).filter((k) => !before.has(k));
    const ttl = await redis.command((c) => c.pTTL(added[0]));
    expect(ttl).toBeLessThanOrEqual((iat + 2) * 1000 - Date.now() + 50);
    const calls0 = calls();
    await sleep((iat + 2) * 1000 - Date.now() + 200);
    // Expired: tinyauth is asked again (and refuses), on every replica.
    for (const r of replicas)
      expect(await status(r, '/apples/short', { Cookie: `tinysess=${token}` })).toBe(401);
    expect(calls() - calls0).toBe(3);
  });

  /** POST /invalidate on `replica`: whether the store recorded it. */
  async function invalidate(replica: Replica, identity?: string): Promise<boolean> {
    invalidated = true;
    const query = identity === undefined ? '' : `?identity=${identity}`;
    const res = await fetch(`${replica.url}/invalidate${query}`, { method: 'POST' });
    return ((await res.json()) as { recorded: boolean }).recorded;
  }

  /** Caches `key`'s allow for `path` on every replica (A through the store, B and C from it). */
  async function cachedEverywhere(path: string, key: { id: string; secret: string }): Promise<void> {
    await cacheThrough(A, path, as(key));
    for (const r of [B, C]) expect(await status(r, path, as(key))).toBe(200);
  }

  it('invalidating one identity reaches every replica within the bound; others stay cached', async () => {
    await cachedEverywhere('/apples/inv-1', ALICE_KEY);
    await cachedEverywhere('/apples/inv-1', BOB_KEY);
    const cachedAt = Date.now();
    await tinyauth.store.reload(fixture({ alice: false }));
    expect(await invalidate(A, 'alice')).toBe(true);
    // The bound is CHECK_MS (100 ms); without invalidation the allows would last until cachedAt + CACHE_TTL_MS.
    for (const r of replicas) {
      expect(await within(1500, async () => (await status(r, '/apples/inv-1', as(ALICE_KEY))) === 403)).toBe(
        true,
      );
    }
    expect(Date.now()).toBeLessThan(cachedAt + CACHE_TTL_MS);
    const before = calls();
    for (const r of replicas) expect(await status(r, '/apples/inv-1', as(BOB_KEY))).toBe(200);
    expect(calls()).toBe(before);
  });

  it('invalidating everything reaches every replica', async () => {
    await cachedEverywhere('/apples/inv-2', ALICE_KEY);
    const cachedAt = Date.now();
    await tinyauth.store.reload(fixture({ alice: false }));
    expect(await invalidate(B)).toBe(true);
    for (const r of replicas) {
      expect(await within(1500, async () => (await status(r, '/apples/inv-2', as(ALICE_KEY))) === 403)).toBe(
        true,
      );
    }
    expect(Date.now()).toBeLessThan(cachedAt + CACHE_TTL_MS);
  });

  /**
   * Replica A misses `path` and asks tinyauth, whose answer is held; then B and C miss it too. Returns the statuses
   * once the answer is let through, and how many calls reached tinyauth.
   */
  async function stampede(
    path: string,
    key: { id: string; secret: string },
  ): Promise<{ statuses: number[]; calls: number }> {
    const before = calls();
    const waits = await Promise.all([B, C].map(stats));
    let open = (): void => undefined;
    gate = new Promise((resolve) => (open = resolve));
    try {
      const first = status(A, path, as(key));
      expect(await within(3000, async () => calls() > before)).toBe(true);
      const others = [B, C].map((r) => status(r, path, as(key)));
      // B and C are waiting for A's answer, or (as each replica did before leases) asking tinyauth themselves.
      const settled = await within(3000, async () => {
        const now = await Promise.all([B, C].map(stats));
        return calls() - before >= 3 || now.every((s, i) => s.sharedWaits > waits[i].sharedWaits);
      });
      expect(settled).toBe(true);
      open();
      return { statuses: await Promise.all([first, ...others]), calls: calls() - before };
    } finally {
      open();
      gate = Promise.resolve();
    }
  }

  it('replicas that miss together, cold or at a common expiry, ask tinyauth once: one asks, the others wait', async () => {
    expect(await stampede('/apples/stampede', ALICE_KEY)).toEqual({ statuses: [200, 200, 200], calls: 1 });
    // Every replica's copy now expires by the shared entry's exp (at most CACHE_TTL_MS from now): all miss at once.
    await sleep(CACHE_TTL_MS + 500);
    expect(await stampede('/apples/stampede', ALICE_KEY)).toEqual({ statuses: [200, 200, 200], calls: 1 });
  });

  it('a denial is not shared: the replicas that waited for it ask tinyauth themselves', async () => {
    expect(await stampede('/apples/rotten', ALICE_KEY)).toEqual({ statuses: [403, 403, 403], calls: 3 });
  });

  describe.each(['stopped', 'paused', 'restarted', 'corrupted'] as const)('Redis %s', (fault) => {
    it('never allows wrongly, and shares again within a second of recovery', async () => {
      const path = `/apples/fault-${fault}`;
      // carol is cached everywhere, then revoked in tinyauth and invalidated: her cached allows must stay dead.
      await cachedEverywhere(path, CAROL_KEY);
      await cachedEverywhere(path, ALICE_KEY);
      await tinyauth.store.reload(fixture({ carol: false }));
      expect(await invalidate(A, 'carol')).toBe(true);
      for (const r of replicas)
        expect(await within(1500, async () => (await status(r, path, as(CAROL_KEY))) === 401)).toBe(true);

      let recover: () => Promise<void> = () => Promise.resolve();
      if (fault === 'stopped') {
        await redis.stop();
        recover = () => redis.restart();
      } else if (fault === 'paused') {
        redis.pause();
        recover = async () => redis.resume();
      } else if (fault === 'restarted') {
        await redis.restart();
      } else {
        // Garbage in every key, and every decision moved under another decision's key.
        const dump = await redis.dump();
        const keys = [...dump.keys()];
        const decisions = keys.filter((k) => k.includes(':d:'));
        await redis.command(async (c) => {
          for (const [i, k] of decisions.entries())
            await c.set(k, dump.get(decisions[(i + 1) % decisions.length]) ?? 'x');
          for (const k of keys.filter((k) => !k.includes(':d:'))) await c.set(k, '{"value":"1"}');
          await c.set(decisions[0], 'garbage');
        });
      }

      // A bounded load of mixed credentials on every replica while the fault lasts.
      const kinds = [
        { headers: as(ALICE_KEY), expected: 200 },
        { headers: as(CAROL_KEY), expected: 401 },
        { headers: { Authorization: WRONG }, expected: 401 },
      ];
      const results = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const kind = kinds[i % kinds.length];
          return {
            expected: kind.expected,
            got: await status(replicas[i % 3], path, kind.headers),
          };
        }),
      );
      const wrongfulAllows = results.filter((r) => r.expected !== 200 && r.got === 200);
      expect(wrongfulAllows).toEqual([]);
      expect(results.filter((r) => r.got !== r.expected)).toEqual([]);
      if (fault === 'paused') expect((await stats(A)).storeFailures).toBeGreaterThan(0);
      if (fault === 'corrupted')
        expect((await Promise.all(replicas.map(stats))).some((s) => s.malformed > 0)).toBe(true);

      await recover();
      const recoveredAt = Date.now();
      let n = 0;
      const shared = await within(1000, async () => {
        const fresh = `/apples/recovered-${fault}-${n++}`;
        const b0 = (await stats(B)).sharedHits;
        if ((await status(A, fresh, as(ALICE_KEY))) !== 200) return false;
        await sleep(20);
        return (await status(B, fresh, as(ALICE_KEY))) === 200 && (await stats(B)).sharedHits > b0;
      });
      expect({ shared, afterMs: Date.now() - recoveredAt }).toEqual({
        shared: true,
        afterMs: expect.any(Number),
      });
    });
  });
});
