/**
 * Shares one pending operation between callers that ask for the same key at the same time (request coalescing):
 * the first caller starts it, later callers get the same promise until it settles. Bounded: beyond `maxPending`
 * distinct keys, callers run their own operation instead of waiting in a shared one.
 */
export class Coalescer<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  constructor(private readonly maxPending: number = 10_000) {}

  /** Number of operations in flight. */
  get size(): number {
    return this.pending.size;
  }

  /** Joins the operation in flight for `key`, or starts `start()` and lets later callers join it. */
  run(key: K, start: () => Promise<V>): Promise<V> {
    const existing = this.pending.get(key);
    if (existing !== undefined) return existing;
    if (this.pending.size >= this.maxPending) return start();
    const promise = start().finally(() => {
      this.pending.delete(key);
    });
    this.pending.set(key, promise);
    return promise;
  }
}
