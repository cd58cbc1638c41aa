import { LRUCache } from 'lru-cache';
import { joinInFlight } from '../../../src/cache/in-flight';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const pendingOf = <K extends NonNullable<unknown>, V>(max = 100) => new LRUCache<K, Promise<V>>({ max });

describe('joinInFlight', () => {
  it('shares one operation between concurrent callers of the same key, then forgets it', async () => {
    const pending = pendingOf<string, number>();
    const d = deferred<number>();
    const start = jest.fn(() => d.promise);
    const calls = [1, 2, 3].map(() => joinInFlight(pending, 'k', start));
    expect(start).toHaveBeenCalledTimes(1);
    d.resolve(7);
    await expect(Promise.all(calls)).resolves.toEqual([7, 7, 7]);
    expect(pending.size).toBe(0);
  });

  it('runs different keys separately and starts again once settled', async () => {
    const pending = pendingOf<string, string>();
    const start = jest.fn((v: string) => Promise.resolve(v));
    await Promise.all([
      joinInFlight(pending, 'a', () => start('a')),
      joinInFlight(pending, 'b', () => start('b')),
    ]);
    await joinInFlight(pending, 'a', () => start('a'));
    expect(start).toHaveBeenCalledTimes(3);
  });

  it('shares a failure with every waiter and then forgets it', async () => {
    const pending = pendingOf<string, number>();
    const d = deferred<number>();
    const a = joinInFlight(pending, 'k', () => d.promise);
    const b = joinInFlight(pending, 'k', () => Promise.resolve(1));
    d.reject(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    await expect(joinInFlight(pending, 'k', () => Promise.resolve(2))).resolves.toBe(2);
  });

  it('shares at most max operations; one dropped from the cache still answers its callers', async () => {
    const pending = pendingOf<number, number>(2);
    const d = deferred<number>();
    const first = joinInFlight(pending, 1, () => d.promise);
    void joinInFlight(pending, 2, () => d.promise);
    const start = jest.fn(() => Promise.resolve(3));
    await joinInFlight(pending, 3, start);
    expect(pending.size).toBeLessThanOrEqual(2);
    expect(pending.has(1)).toBe(false);
    // Key 1 starts afresh while the dropped operation is still pending; its end must not forget the new one.
    const again = deferred<number>();
    const second = joinInFlight(pending, 1, () => again.promise);
    d.resolve(0);
    await expect(first).resolves.toBe(0);
    expect(pending.get(1)).toBe(second);
    again.resolve(1);
    await expect(second).resolves.toBe(1);
    expect(pending.has(1)).toBe(false);
  });
});
