import { LRUCache } from 'lru-cache';
import { SourceUnavailable, Undecidable, type Fetched } from './fetch-outcome';

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

/** A cached answer: the value (undefined: tinyauth said "missing") and when it was fetched and stops being usable. */
interface Slot<V> {
  value: V | undefined;
  /** Epoch ms (of the cache's clock) from which the entry is stale. */
  freshUntil: number;
  /** Epoch ms from which a stale entry may no longer stand in for tinyauth (>= freshUntil). */
  keepUntil: number;
  fetchedAt: number;
  /** Set once the entry was used past its lifetime, until a fetch replaces it. */
  servedStale?: boolean;
}

/** What the first of the coalesced callers hands to the fetch: how to fetch, and the stale entry that may stand in. */
interface FetchContext<V> {
  fetch: () => Promise<Fetched<V>>;
  stale: Slot<V> | undefined;
}

/**
 * A bounded cache of things fetched from tinyauth (signing keys, policies), on lru-cache's `fetch()`: each entry
 * lives as long as tinyauth's cache headers allow; misses of unknown names are remembered briefly (so random key ids
 * cannot flood tinyauth); concurrent fetches of one entry are coalesced; while tinyauth is unavailable an expired
 * entry is still served, but never beyond `maxStaleMs` past its expiry.
 *
 * Lifetimes are kept in the entries and read on the injected clock, so lru-cache only bounds, orders and coalesces:
 * every `fetch()` here is a forced refresh of an entry already judged not fresh. The stale stand-in is chosen by the
 * fetch itself rather than by `allowStaleOnFetchRejection`, which would also hide failures that must reach the
 * caller (an `Undecidable` answer) and knows nothing of `maxStaleMs`.
 */
export class FetchedCache<V> {
  private readonly entries: LRUCache<string, Slot<V>, FetchContext<V>>;
  private readonly now: () => number;
  private unavailableUntil = 0;

  constructor(private readonly options: FetchedCacheOptions) {
    this.now = options.now ?? Date.now;
    this.entries = new LRUCache<string, Slot<V>, FetchContext<V>>({
      max: options.maxEntries,
      fetchMethod: (_key, _old, { context }) => this.refetch(context),
      // A failed fetch leaves the entry it was replacing in place (as a plain miss would).
      noDeleteOnFetchRejection: true,
      // A fetch whose entry is evicted meanwhile still answers the callers waiting on it.
      ignoreFetchAbort: true,
    });
  }

  /** The fresh entry if any, without fetching (the synchronous hot path). */
  peekFresh(key: string): Lookup<V> | undefined {
    const slot = this.entries.get(key);
    return slot !== undefined && this.now() < slot.freshUntil ? slot : undefined;
  }

  /**
   * The entry for `key`: fresh from the cache, else fetched, else (tinyauth unavailable) stale. Throws `Undecidable`
   * when there is no usable answer.
   */
  async get(key: string, fetch: () => Promise<Fetched<V>>): Promise<Lookup<V>> {
    const now = this.now();
    const held = this.entries.get(key);
    if (held !== undefined && now < held.freshUntil) return held;
    const stale = held !== undefined && now < held.keepUntil ? held : undefined;
    if (stale !== undefined && now < this.unavailableUntil) return servedStale(stale);
    const slot = await this.entries.forceFetch(key, { forceRefresh: true, context: { fetch, stale } });
    if (slot.servedStale === true) return { value: slot.value, freshUntil: 0, stale: true };
    // Even an uncacheable answer is good for this one request.
    return { value: slot.value, freshUntil: slot.freshUntil > slot.fetchedAt ? slot.freshUntil : 0 };
  }

  private async refetch({ fetch, stale }: FetchContext<V>): Promise<Slot<V>> {
    let fetched: Fetched<V>;
    try {
      fetched = await fetch();
    } catch (err) {
      if (!(err instanceof SourceUnavailable)) throw err;
      this.unavailableUntil = this.now() + (this.options.retryAfterMs ?? 1000);
      if (stale !== undefined) {
        stale.servedStale = true;
        return stale;
      }
      throw new Undecidable(`${err.message}, and nothing usable is cached`);
    }
    const now = this.now();
    return fetched.kind === 'missing'
      ? slotOf<V>(undefined, now, this.options.negativeTtlMs, 0)
      : slotOf(fetched.value, now, fetched.ttlMs, this.options.maxStaleMs);
  }

  /** The ages of the oldest fresh entry and of the oldest one being served stale (a scan: for scrapes only). */
  snapshot(): FetchedCacheSnapshot {
    const now = this.now();
    let fresh: number | undefined;
    let stale: number | undefined;
    this.entries.forEach((slot) => {
      if (slot.value === undefined || now >= slot.keepUntil) return;
      if (now < slot.freshUntil) fresh = Math.min(fresh ?? Infinity, slot.fetchedAt);
      else if (slot.servedStale === true) stale = Math.min(stale ?? Infinity, slot.fetchedAt);
    });
    return {
      oldestFreshAgeMs: fresh === undefined ? undefined : now - fresh,
      oldestStaleAgeMs: stale === undefined ? undefined : now - stale,
    };
  }
}

/** An entry fresh for `ttlMs` and usable as stale for `staleMs` more; a non-positive ttl makes it unusable at once. */
function slotOf<V>(value: V | undefined, now: number, ttlMs: number, staleMs: number): Slot<V> {
  const keep = ttlMs > 0;
  const freshUntil = keep ? now + ttlMs : now;
  return { value, freshUntil, keepUntil: keep ? freshUntil + Math.max(0, staleMs) : now, fetchedAt: now };
}

/** Marks a slot as used past its lifetime (until a fetch replaces it) and answers with it. */
function servedStale<V>(slot: Slot<V>): Lookup<V> {
  slot.servedStale = true;
  return { value: slot.value, freshUntil: 0, stale: true };
}
