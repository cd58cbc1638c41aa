/**
 * The guarded access to the shared store, against Debian's redis-server through Keyv + @keyv/redis: an answer that
 * arrived while the process was busy is an answer, not a timeout (a busy replica would otherwise count the store
 * as failed, leave it alone, and ask tinyauth for everything meanwhile).
 */
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { GuardedStore, SharedStoreFailure } from '../../src/cache/shared-store';
import { RedisServer } from '../helpers/redis-server';

jest.setTimeout(30_000);

const TIMEOUT_MS = 200;

/** Holds the event loop, as a process busy with other requests does. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/** Lets pending writes reach the socket without letting TIMEOUT_MS pass. */
const flushWrites = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('GuardedStore on Redis', () => {
  let redis: RedisServer;
  let keyv: Keyv;
  let store: GuardedStore;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
    client.on('error', () => undefined);
    keyv = new Keyv({ store: new KeyvRedis(client, { throwOnErrors: true }), throwOnErrors: true });
    keyv.on('error', () => undefined);
    store = new GuardedStore(keyv, TIMEOUT_MS);
    await store.warmUp('warm-up', 5000);
    await store.set('k', 'value', 60_000);
  });
  afterAll(async () => {
    await keyv?.disconnect();
    await redis?.stop();
  });

  it('an answer waiting on the socket when the timeout fires is used', async () => {
    for (let i = 0; i < 3; i++) {
      const pending = store.get('k');
      await flushWrites();
      // Redis answers within this (a loopback round trip), while the timer also becomes due.
      busyFor(TIMEOUT_MS * 5);
      await expect(pending).resolves.toBe('value');
    }
    expect(store.stats.failures).toBe(0);
  });

  it('no answer at all is still a timeout', async () => {
    redis.pause();
    try {
      await expect(store.get('k')).rejects.toEqual(new SharedStoreFailure('timeout'));
      expect(store.stats.failures).toBe(1);
    } finally {
      redis.resume();
    }
  });
});
