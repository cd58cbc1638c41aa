import { ExpiringLru } from '../../../src/cache/expiring-lru';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('ExpiringLru', () => {
  it('returns a value until its expiry on the injected clock, and is gone at exactly that moment', () => {
    const c = clock();
    const cache = new ExpiringLru<string, number>(10, c.now);
    cache.set('a', 1, 100);
    expect(cache.get('a')).toBe(1);
    c.advance(99);
    expect(cache.get('a')).toBe(1);
    c.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new ExpiringLru<string, number>(3);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.set('c', 3, 1000);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('d', 4, 1000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
  });

  it('never holds more than its bound, and keeps a frequently read entry while others come and go', () => {
    const cache = new ExpiringLru<string, number>(100);
    cache.set('hot', -1, 60_000);
    for (let i = 0; i < 10_000; i++) {
      cache.set(`cold-${i}`, i, 60_000);
      expect(cache.get('hot')).toBe(-1);
    }
    expect(cache.size).toBe(100);
    expect(cache.get('cold-9999')).toBe(9_999);
    expect(cache.get('cold-0')).toBeUndefined();
  });

  it('stores nothing for a non-positive or NaN ttl, forgetting an older value', () => {
    const cache = new ExpiringLru<string, number>(10);
    cache.set('a', 1, 1000);
    cache.set('a', 2, 0);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 1, 1000);
    cache.set('b', 2, NaN);
    expect(cache.get('b')).toBeUndefined();
    cache.set('a', 3, 1000);
    cache.set('a', 4, 1000);
    expect(cache.get('a')).toBe(4);
    expect(cache.size).toBe(1);
  });

  it('forgets one key or all of them', () => {
    const cache = new ExpiringLru<string, number>(10);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.delete('a');
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, 2]);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('rejects a bound below 1', () => {
    expect(() => new ExpiringLru(0)).toThrow(TypeError);
  });
});
