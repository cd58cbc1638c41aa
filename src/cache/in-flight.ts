import { LRUCache } from 'lru-cache';

/**
 * The most operations shared at once by one {@link inFlightCache}: lru-cache reserves its index for `max` up front, and
 * an operation dropped beyond it only costs a caller its own call.
 */
export const IN_FLIGHT_MAX = 10_000;

/** An empty cache of pending operations for {@link joinInFlight}, for at most `maxEntries` (capped) at once. */
export function inFlightCache<K extends NonNullable<unknown>, V>(
  maxEntries: number,
): LRUCache<K, Promise<V>> {
  return new LRUCache<K, Promise<V>>({ max: Math.min(maxEntries, IN_FLIGHT_MAX) });
}

/**
 * Request coalescing over an `LRUCache` of pending promises: the first caller for `key` runs `start()`, callers that
 * come while it is pending get the same promise, and the entry is dropped once it settles. The cache's `max` bounds
 * how many operations are shared at once: beyond it the least recently joined one is dropped from the cache (its
 * callers still get its answer; a later caller starts afresh).
 */
export function joinInFlight<K extends NonNullable<unknown>, V>(
  pending: LRUCache<K, Promise<V>>,
  key: K,
  start: () => Promise<V>,
): Promise<V> {
  const existing = pending.get(key);
  if (existing !== undefined) return existing;
  const promise: Promise<V> = start().finally(() => {
    // A later operation may hold the key by now (this one was evicted, then the key started again): keep it.
    if (pending.peek(key) === promise) pending.delete(key);
  });
  pending.set(key, promise);
  return promise;
}
