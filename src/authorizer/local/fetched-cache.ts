import { Coalescer } from '../../cache/coalescer';
import { TtlLruCache } from '../../cache/ttl-lru';

/** What one fetch from tinyauth gave. */
export type Fetched<V> =
  | { kind: 'found'; value: V; ttlMs: number }
  /** tinyauth said the key or user does not exist. */
  | { kind: 'missing' };

/** tinyauth could not be asked (connection, timeout, 5xx): a stale entry may stand in. */
export class SourceUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnavailable';
  }
}

/**
 * The local strategy cannot decide this exactly as tinyauth would (tinyauth would answer 500, an answer it did not
 * understand, or tinyauth is unreachable with nothing usable cached): the request goes to the remote path.
 */
export class Undecidable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Undecidable';
  }
}

/** Settings shared by the caches of fetched keys and policies. */
export interface FetchedCacheOptions {
  maxEntries: number;
  /** How long past its expiry an entry may still be used while tinyauth is unavailable. */
  maxStaleMs: number;
  /** How long a "missing" answer is remembered. */
  negativeTtlMs: number;
  /** After tinyauth was found unavailable, how long stale entries are used without asking again. */
  retryAfterMs?: number;
  now?: () => number;
}

/** A lookup result with the moment it stops being fresh (0 when served stale or missing). */
export interface Lookup<V> {
  value: V | undefined;
  freshUntil: number;
  /** True when served past its lifetime because tinyauth is unavailable. */
  stale?: boolean;
}

/** What a cache holds, for metrics and health: ages in ms of the oldest entries, undefined when there are none. */
export interface FetchedCacheSnapshot {
  /** Oldest entry still fresh. */
  oldestFreshAgeMs?: number;
  /** Oldest entry served stale since it was last fetched, still within `maxStaleMs`. */
  oldestStaleAgeMs?: number;
}

type Slot<V> = { value: V | undefined; freshUntil: number; fetchedAt: number; servedStale?: boolean };

/**
 * A bounded cache of things fetched from tinyauth (signing keys, policies): each entry lives as long as tinyauth's
 * cache headers allow; misses of unknown names are remembered briefly (so random key ids cannot flood tinyauth);
 * concurrent fetches of one entry are coalesced; while tinyauth is unavailable an expired entry is still served,
 * but never beyond `maxStaleMs` past its expiry.
 */
export class FetchedCache<V> {
  private readonly entries: TtlLruCache<string, Slot<V>>;
  private readonly inFlight: Coalescer<string, Lookup<V>>;
  private readonly now: () => number;
  private unavailableUntil = 0;

  constructor(private readonly options: FetchedCacheOptions) {
    this.now = options.now ?? Date.now;
    this.entries = new TtlLruCache(options.maxEntries, this.now);
    this.inFlight = new Coalescer(options.maxEntries);
  }

  /** The fresh entry if any, without fetching (the synchronous hot path). */
  peekFresh(key: string): Lookup<V> | undefined {
    return this.entries.get(key);
  }

  /**
   * The entry for `key`: fresh from the cache, else fetched, else (tinyauth unavailable) stale. Throws `Undecidable`
   * when there is no usable answer.
   */
  async get(key: string, fetch: () => Promise<Fetched<V>>): Promise<Lookup<V>> {
    const hit = this.entries.peek(key);
    if (hit?.fresh === true) return hit.value;
    const stale = hit?.value;
    if (stale !== undefined && this.now() < this.unavailableUntil) return servedStale(stale);
    return this.inFlight.run(key, async () => {
      try {
        return this.store(key, await fetch());
      } catch (err) {
        if (!(err instanceof SourceUnavailable)) throw err;
        this.unavailableUntil = this.now() + (this.options.retryAfterMs ?? 1000);
        if (stale !== undefined) return servedStale(stale);
        throw new Undecidable(`${err.message}, and nothing usable is cached`);
      }
    });
  }

  private store(key: string, fetched: Fetched<V>): Lookup<V> {
    const now = this.now();
    if (fetched.kind === 'missing') {
      const slot = { value: undefined, freshUntil: now + this.options.negativeTtlMs, fetchedAt: now };
      this.entries.set(key, slot, this.options.negativeTtlMs);
      return slot;
    }
    const slot = { value: fetched.value, freshUntil: now + fetched.ttlMs, fetchedAt: now };
    this.entries.set(key, slot, fetched.ttlMs, this.options.maxStaleMs);
    // Even an uncacheable answer is good for this one request.
    return { value: fetched.value, freshUntil: fetched.ttlMs > 0 ? slot.freshUntil : 0 };
  }

  /** The ages of the oldest fresh entry and of the oldest one being served stale (a scan: for scrapes only). */
  snapshot(): FetchedCacheSnapshot {
    const now = this.now();
    let fresh: number | undefined;
    let stale: number | undefined;
    for (const { value: slot, keepUntil } of this.entries.held()) {
      if (slot.value === undefined || now >= keepUntil) continue;
      if (now < slot.freshUntil) fresh = Math.min(fresh ?? Infinity, slot.fetchedAt);
      else if (slot.servedStale === true) stale = Math.min(stale ?? Infinity, slot.fetchedAt);
    }
    return {
      oldestFreshAgeMs: fresh === undefined ? undefined : now - fresh,
      oldestStaleAgeMs: stale === undefined ? undefined : now - stale,
    };
  }
}

/** Marks a slot as used past its lifetime (until a fetch replaces it) and answers with it. */
function servedStale<V>(slot: Slot<V>): Lookup<V> {
  slot.servedStale = true;
  return { value: slot.value, freshUntil: 0, stale: true };
}
