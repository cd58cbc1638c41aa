/**
 * `local` mode sharing the signing keys and policies it fetches, for real: Debian's redis-server on a free port, two
 * replicas as separate processes (Express + Keyv, Fastify + cache-manager over Keyv) in front of one compatible
 * tinyauth server, whose key and policy reads are counted by a recording proxy.
 */
import { utcDateStamp } from '../../src/core/keys';
import { startTinyauthServer, type Fixture, type TinyauthServer } from 'nestjs-tinyauth/testing';
import { ALICE_KEY, BOB_KEY, basic, guardFixture, sessionCookie } from '../helpers/guard-fixture';
import { RedisServer } from '../helpers/redis-server';
import { startReplica, stopReplica, type Replica } from '../helpers/replica-process';
import { startRecordingProxy, type ScriptedServer } from '../helpers/scripted-server';

jest.setTimeout(120_000);

/** alice's twins, each with an access key of its own: a fresh name for each test, so no replica has it cached. */
const TWINS = ['carol', 'dave', 'erin', 'frank'] as const;
const twinKey = (name: string): { id: string; secret: string } => ({
  id: `AK${name.toUpperCase()}`,
  secret: `${name}-secret`,
});

function fixture(): Fixture {
  const alice = guardFixture.users.find((u) => u.username === 'alice');
  const twins = TWINS.map((name) => ({
    ...alice,
    username: name,
    password: `${name}-pass`,
    access_keys: [[twinKey(name).id, twinKey(name).secret]],
  }));
  return { ...guardFixture, users: [...guardFixture.users, ...twins] } as unknown as Fixture;
}

describe('local mode sharing fetched keys and policies on Redis, two replicas', () => {
  let redis: RedisServer;
  let tinyauth: TinyauthServer;
  let proxy: ScriptedServer;
  let A: Replica, B: Replica;
  /** Every read of tinyauth waits for this before it is forwarded. */
  let gate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    redis = await RedisServer.start();
    tinyauth = await startTinyauthServer({ fixture: fixture() });
    proxy = await startRecordingProxy(tinyauth.url, () => gate);
    const env = {
      MODE: 'local',
      TINYAUTH_URL: proxy.url,
      REDIS_URL: redis.url,
      CACHE_TTL_MS: '4000',
      CHECK_MS: '100',
      STORE_TIMEOUT_MS: '250',
    };
    [A, B] = await Promise.all([
      startReplica('A', { ...env, REPLICA_ADAPTER: 'express', STORE: 'keyv' }),
      startReplica('B', { ...env, REPLICA_ADAPTER: 'fastify', STORE: 'cache-manager' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([A, B].filter(Boolean).map(stopReplica));
    redis?.resume();
    await redis?.stop();
    await proxy?.close();
    await tinyauth?.close();
  });

  /** Reads of signing keys and policies that reached tinyauth so far. */
  const fetches = (): number =>
    proxy.requests.filter((r) => /signing-tokens|user-policies/.test(r.url)).length;
  const authorizeCalls = (): number => proxy.requests.filter((r) => r.url.includes('/authorize')).length;

  const status = async (replica: Replica, path: string, headers: Record<string, string>): Promise<number> =>
    (await fetch(`${replica.url}${path}`, { headers })).status;

  /** Polls `ok` every 20 ms until it holds or `ms` have passed; returns whether it held. */
  async function within(ms: number, ok: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await ok()) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const sharedKeys = async (): Promise<string[]> =>
    [...(await redis.dump()).keys()].filter((k) => k.includes(':f:'));

  /** Waits until `count` values are shared (writes are in the background). */
  async function sharedCount(count: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while ((await sharedKeys()).length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await sharedKeys()).length).toBeGreaterThanOrEqual(count);
  }

  it('replica B verifies and decides with the key and policy replica A fetched: tinyauth is read once', async () => {
    const before = fetches();
    const calls = authorizeCalls();
    const alice = { Authorization: basic(ALICE_KEY) };
    expect(await status(A, '/apples/local-1', alice)).toBe(200);
    // The access key's signing key and alice's policy.
    expect(fetches() - before).toBe(2);
    await sharedCount(2);
    expect(await status(B, '/apples/local-1', alice)).toBe(200);
    expect(await status(B, '/apples/rotten', alice)).toBe(403);
    expect(
      await status(B, '/apples/local-1', { Authorization: basic({ ...ALICE_KEY, secret: 'nope' }) }),
    ).toBe(401);
    expect(fetches() - before).toBe(2);
    // Session cookies: bob's signing key for today and his policy, fetched by A only.
    const cookie = await sessionCookie(tinyauth.url, 'bob', 'bob-pass');
    expect(await status(A, '/apples/local-2', { Cookie: cookie })).toBe(200);
    expect(fetches() - before).toBe(4);
    await sharedCount(4);
    expect(await status(B, '/apples/local-2', { Cookie: cookie })).toBe(200);
    expect(fetches() - before).toBe(4);
    // Decided locally on both replicas: tinyauth was never asked to authorize.
    expect(authorizeCalls()).toBe(calls);
  });

  it('a dump of the store reveals no signing key, policy, user name or credential', async () => {
    expect(await status(A, '/apples/dump', { Authorization: basic(BOB_KEY) })).toBe(200);
    await sharedCount(5);
    const dump = await redis.dump();
    const shared = [...dump].filter(([k]) => k.includes(':f:'));
    // Names end in an HMAC, values (inside Keyv's envelope) are opaque: version, IV, tag, ciphertext.
    for (const [k, v] of shared) {
      expect(k).toMatch(/:f:[A-Za-z0-9_-]{43}$/);
      expect((JSON.parse(v as string) as { value: string }).value).toMatch(
        /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/,
      );
    }
    const text = shared.map(([k, v]) => `${k}\n${v}`).join('\n');
    const date = utcDateStamp(Math.floor(Date.now() / 1000));
    const keys = [
      tinyauth.store.userJwtKey('global', 'test', date, 'bob') as Buffer,
      tinyauth.store.accessKeyFor('basic-auth', 'global', 'test', date, ALICE_KEY.id)!.key,
      tinyauth.store.accessKeyFor('basic-auth', 'global', 'test', date, BOB_KEY.id)!.key,
    ];
    const secrets = [
      ...keys.flatMap((k) => [k.toString('base64'), k.toString('base64url'), k.toString('hex')]),
      'Statement',
      'GetApple',
      'apples',
      // Short words (user names) could turn up by chance in a ciphertext's base64: the shapes above rule them out.
      ALICE_KEY.id,
      BOB_KEY.id,
      ALICE_KEY.secret,
      BOB_KEY.secret,
    ];
    expect(text).toContain(':f:');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('corrupted, garbage or moved values are misses: tinyauth is read and the answers stay right', async () => {
    const [carol] = [twinKey('carol')];
    const before = fetches();
    const existing = new Set(await sharedKeys());
    expect(await status(A, '/apples/corrupt', { Authorization: basic(carol) })).toBe(200);
    await sharedCount(existing.size + 2);
    const mine = (await sharedKeys()).filter((k) => !existing.has(k));
    expect(mine).toHaveLength(2);
    const dump = await redis.dump();
    await redis.command(async (c) => {
      // carol's key where her policy was, and the policy where the key was; then one of them garbage.
      await c.set(mine[0], dump.get(mine[1]) as string);
      await c.set(mine[1], dump.get(mine[0]) as string);
    });
    expect(await status(B, '/apples/corrupt', { Authorization: basic(carol) })).toBe(200);
    expect(await status(B, '/apples/rotten', { Authorization: basic(carol) })).toBe(403);
    expect(fetches() - before).toBe(4);
    const dave = twinKey('dave');
    const beforeDave = fetches();
    const known = new Set(await sharedKeys());
    expect(await status(A, '/apples/corrupt', { Authorization: basic(dave) })).toBe(200);
    await sharedCount(known.size + 2);
    await redis.command(async (c) => {
      for (const k of (await sharedKeys()).filter((k) => !known.has(k))) await c.set(k, 'v1.garbage.x.y');
    });
    expect(await status(B, '/apples/corrupt', { Authorization: basic(dave) })).toBe(200);
    expect(await status(B, '/apples/corrupt', { Authorization: basic({ ...dave, secret: 'nope' }) })).toBe(
      401,
    );
    expect(fetches() - beforeDave).toBe(4);
  });

  it('replicas that need a key at the same moment read it once: one reads, the other waits for it', async () => {
    const frank = { Authorization: basic(twinKey('frank')) };
    const before = fetches();
    const keyReads = (): number =>
      proxy.requests.filter((r) => r.url.includes(`signing-tokens/${twinKey('frank').id}/`)).length;
    let open = (): void => undefined;
    gate = new Promise((resolve) => (open = resolve));
    try {
      const first = status(A, '/apples/together', frank);
      // A holds the lease and its read of frank's key is held at the proxy.
      expect(await within(3000, async () => keyReads() === 1)).toBe(true);
      const gets = await redis.getCalls();
      const second = status(B, '/apples/together', frank);
      // B either polls the store for A's key (many GETs) or, as each replica did before leases, reads it too.
      expect(await within(3000, async () => keyReads() > 1 || (await redis.getCalls()) - gets > 20)).toBe(
        true,
      );
      open();
      expect(await Promise.all([first, second])).toEqual([200, 200]);
    } finally {
      open();
      gate = Promise.resolve();
    }
    // frank's key and his policy, each read once for both replicas.
    expect(keyReads()).toBe(1);
    expect(fetches() - before).toBe(2);
  });

  it('Redis down changes nothing but the count of reads', async () => {
    const erin = twinKey('erin');
    await redis.stop();
    const before = fetches();
    for (const replica of [A, B]) {
      expect(await status(replica, '/apples/down', { Authorization: basic(erin) })).toBe(200);
      expect(await status(replica, '/apples/rotten', { Authorization: basic(erin) })).toBe(403);
      expect(await status(replica, '/apples/down', { Authorization: basic({ ...erin, secret: 'x' }) })).toBe(
        401,
      );
    }
    // Each replica read erin's key and policy itself.
    expect(fetches() - before).toBe(4);
  });
});
