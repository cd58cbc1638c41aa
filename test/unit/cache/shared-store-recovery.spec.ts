import { Keyv } from 'keyv';
import { GuardedStore, SharedStoreFailure, type SharedCacheStore } from '../../../src/cache/shared-store';
import { SharedLeases } from '../../../src/cache/shared-leases';

/** A Keyv store whose next calls can be made to hang or fail, one by one. */
class ScriptedStore implements SharedCacheStore {
  readonly keyv = new Keyv();
  /** What the next calls do, in order; once empty, calls work. */
  script: Array<'hang' | 'fail'> = [];
  get(key: string): Promise<unknown> {
    return this.next() ?? this.keyv.get(key);
  }
  set(key: string, value: string, ttl?: number): Promise<unknown> {
    return this.next() ?? this.keyv.set(key, value, ttl);
  }
  private next(): Promise<never> | undefined {
    const step = this.script.shift();
    if (step === 'hang') return new Promise(() => undefined);
    if (step === 'fail') return Promise.reject(new Error('ECONNRESET'));
    return undefined;
  }
}

describe('GuardedStore after an outage', () => {
  it('is not taken down again by the late timeout of a call made during the outage', async () => {
    const t = 1_000;
    const store = new ScriptedStore();
    const guarded = new GuardedStore(store, 20, () => t);
    store.script = ['hang'];
    const stale = guarded.get('a').catch((err: unknown) => err);
    // The store answers a later call before the stale one times out.
    await guarded.set('b', 'fresh', 1000);
    const failure = await stale;
    expect(failure).toBeInstanceOf(SharedStoreFailure);
    expect((failure as SharedStoreFailure).kind).toBe('timeout');
    expect(guarded.stats.failures).toBe(1);
    // Still up: the next call reaches the store instead of failing as "down".
    await expect(guarded.get('b')).resolves.toBe('fresh');
  });

  it('is down after a failure that nothing later contradicts', async () => {
    const store = new ScriptedStore();
    const guarded = new GuardedStore(store, 20, () => 1_000);
    store.script = ['fail'];
    await expect(guarded.get('a')).rejects.toMatchObject({ kind: 'error' });
    await expect(guarded.get('a')).rejects.toMatchObject({ kind: 'down' });
  });
});

describe('SharedLeases.claim when the store fails midway', () => {
  it('keeps a claim it wrote as its own lease, so releasing it frees the key for the other replicas', async () => {
    const store = new ScriptedStore();
    let t = 1_000;
    const leases = new SharedLeases(new GuardedStore(store, 20, () => t), 5_000, () => t);
    // The read and the write work; the read-back fails.
    const realGet = store.get.bind(store);
    let calls = 0;
    store.get = (key: string) => (++calls === 2 ? Promise.reject(new Error('ECONNRESET')) : realGet(key));
    const claim = await leases.claim('l:key');
    expect(claim.kind).toBe('mine');
    const lease = claim.kind === 'mine' ? claim.lease : undefined;
    expect(lease?.storeKey).toBe('l:key');
    expect(await store.keyv.get('l:key')).toBe(lease?.token);
    // Once the store is usable again (after its retry pause), the release clears the claim.
    t += 1_000;
    await leases.release(lease);
    expect(await leases.claim('l:key')).toMatchObject({ kind: 'mine' });
  });
});
