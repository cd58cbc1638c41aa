import { TtlLruCache } from '../../../src/cache/ttl-lru';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('TtlLruCache', () => {
  it('returns a value while fresh and forgets it after its TTL', () => {
    const c = clock();
    const cache = new TtlLruCache<string, number>(10, c.now);
    cache.set('a', 1, 100);
    expect(cache.get('a')).toBe(1);
    c.advance(99);
    expect(cache.get('a')).toBe(1);
    c.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps an entry usable as stale for staleMs past its TTL, via peek only', () => {
    const c = clock();
    const cache = new TtlLruCache<string, number>(10, c.now);
    cache.set('a', 1, 100, 50);
    expect(cache.peek('a')).toEqual({ value: 1, fresh: true });
    c.advance(120);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.peek('a')).toEqual({ value: 1, fresh: false });
    c.advance(30);
    expect(cache.peek('a')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new TtlLruCache<string, number>(3);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.set('c', 3, 1000);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('d', 4, 1000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.get('d')).toBe(4);
  });

  it('never holds more than maxEntries, however many keys come', () => {
    const cache = new TtlLruCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(i, i, 1000);
    expect(cache.size).toBe(100);
    expect(cache.get(9_999)).toBe(9_999);
    expect(cache.get(0)).toBeUndefined();
  });

  it('stores nothing for a non-positive TTL and replaces older values', () => {
    const cache = new TtlLruCache<string, number>(10);
    cache.set('a', 1, 1000);
    cache.set('a', 2, 0);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 3, 1000);
    cache.set('a', 4, 1000);
    expect(cache.get('a')).toBe(4);
    expect(cache.size).toBe(1);
  });

  it('rejects a bound below 1', () => {
    expect(() => new TtlLruCache(0)).toThrow(RangeError);
  });
});

describe('TtlLruCache recency', () => {
  it('keeps a frequently read entry while others come and go', () => {
    const cache = new TtlLruCache<string, number>(10);
    cache.set('hot', 1, 60_000);
    for (let i = 0; i < 1000; i++) {
      cache.set(`cold-${i}`, i, 60_000);
      expect(cache.get('hot')).toBe(1);
    }
    expect(cache.size).toBe(10);
  });

  it('lets an entry that is never read age out', () => {
    const cache = new TtlLruCache<string, number>(10);
    cache.set('idle', 1, 60_000);
    for (let i = 0; i < 10; i++) cache.set(`k-${i}`, i, 60_000);
    expect(cache.get('idle')).toBeUndefined();
  });
});
