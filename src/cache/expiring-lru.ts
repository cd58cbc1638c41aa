import { LRUCache } from 'lru-cache';

/** A stored value and the moment, on the owner's clock (epoch ms), from which it is no longer used. */
interface Expiring<V> {
  value: V;
  until: number;
}

/**
 * An `LRUCache` of entries that expire on the caller's clock: lru-cache bounds the entries and orders them by use,
 * this wrapper only stamps and checks the expiry. lru-cache's own TTL reads `performance.now()` and keeps an entry
 * up to and including its last millisecond, whereas a cached decision must be gone at exactly its expiry (the `exp`
 * of a session token is the first moment it is invalid) and tests drive a fake clock.
 */
export class ExpiringLru<K extends NonNullable<unknown>, V> {
  private readonly lru: LRUCache<K, Expiring<V>>;

  constructor(
    /** Most entries kept at once (an integer >= 1); the least recently used one is dropped first. */
    max: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lru = new LRUCache({ max });
  }

  /** Number of entries held, expired ones included until they are read or evicted. */
  get size(): number {
    return this.lru.size;
  }

  /** The value while it has not expired (a hit makes it the most recently used); an expired one is dropped. */
  get(key: K): V | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    if (this.now() < entry.until) return entry.value;
    this.lru.delete(key);
    return undefined;
  }

  /** Stores `value` for `ttlMs` milliseconds; a non-positive (or NaN) ttl stores nothing and forgets any older value. */
  set(key: K, value: V, ttlMs: number): void {
    if (ttlMs > 0) this.lru.set(key, { value, until: this.now() + ttlMs });
    else this.lru.delete(key);
  }

  /** Forgets one key. */
  delete(key: K): void {
    this.lru.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.lru.clear();
  }
}
