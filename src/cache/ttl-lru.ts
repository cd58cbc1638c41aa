/** One stored value and the moments it stops being fresh and usable at all. */
interface Entry<V> {
  value: V;
  /** Epoch ms after which the entry is stale. */
  freshUntil: number;
  /** Epoch ms after which the entry is gone (>= freshUntil; equal when no stale use is allowed). */
  keepUntil: number;
  /** Value of the cache's placement counter when the entry was last put at the young end. */
  placed: number;
}

/** What a lookup found: the value and whether it is still fresh. */
export interface CacheHit<V> {
  value: V;
  fresh: boolean;
}

/**
 * A bounded LRU map whose entries expire. Each entry has a fresh period and, optionally, a further stale period
 * during which `peek` still returns it (so a caller can serve it while the source is unreachable) but `get` does
 * not. Insertion order of a `Map` is the recency order and the oldest key is evicted when the map is full. A hit
 * moves its key to the young end only when it is no longer in the younger half: re-inserting on every hit would
 * churn the Map (and the GC) on the hot path for no gain, and the size bound stays exact.
 */
export class TtlLruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  /** Counts placements at the young end; the distance to an entry's `placed` bounds how far it has aged. */
  private placements = 0;

  constructor(
    /** Most entries kept at once (>= 1). */
    readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('maxEntries must be an integer >= 1');
  }

  /** Number of entries held, expired ones included until they are touched or evicted. */
  get size(): number {
    return this.entries.size;
  }

  /** The value if it is still fresh; a stale or expired entry counts as a miss. (Allocation-free hot path.) */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now >= entry.freshUntil) {
      if (now >= entry.keepUntil) this.entries.delete(key);
      return undefined;
    }
    this.touch(key, entry);
    return entry.value;
  }

  /** The value while fresh or within its stale period, with which of the two it is; drops expired entries. */
  peek(key: K): CacheHit<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now >= entry.keepUntil) {
      this.entries.delete(key);
      return undefined;
    }
    this.touch(key, entry);
    return { value: entry.value, fresh: now < entry.freshUntil };
  }

  private touch(key: K, entry: Entry<V>): void {
    if (this.placements - entry.placed <= this.maxEntries >> 1) return;
    entry.placed = ++this.placements;
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  /**
   * Stores `value`, fresh for `ttlMs` and then usable as stale for `staleMs` more. A non-positive ttl stores
   * nothing (and forgets any older entry).
   */
  set(key: K, value: V, ttlMs: number, staleMs = 0): void {
    this.entries.delete(key);
    if (!(ttlMs > 0)) return;
    const now = this.now();
    const freshUntil = now + ttlMs;
    this.entries.set(key, {
      value,
      freshUntil,
      keepUntil: freshUntil + Math.max(0, staleMs),
      placed: ++this.placements,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Every held value with the moment it stops being usable, expired ones included (for reports, not lookups). */
  *held(): IterableIterator<{ value: V; keepUntil: number }> {
    for (const entry of this.entries.values()) yield entry;
  }

  /** Forgets one key. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }
}
