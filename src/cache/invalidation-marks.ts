import type { LRUCache } from 'lru-cache';
import { ExpiringLru } from './expiring-lru';
import { inFlightCache, joinInFlight } from './in-flight';
import type { GuardedStore } from './shared-store';

/**
 * How far ahead of the invalidating replica's clock a mark is set, so a replica whose clock lags by up to this
 * much still sees its decisions from before the invalidation as stale.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 1000;

/** Where the marks live in the shared store. */
export interface MarkKeys {
  readonly global: string;
  identity(identity: string): string;
  /** Binds a value to its key with the service's secret (see SharedKeys). */
  seal(storeKey: string, text: string): string;
  unseal(storeKey: string, raw: unknown): string | undefined;
}

/** Settings of {@link InvalidationMarks}. */
export interface MarkOptions {
  /** How long a mark read from the store is trusted before it is read again, in ms. */
  checkMs: number;
  /** The longest any cached decision lives (cacheTtlMs): marks older than this have nothing left to invalidate. */
  cacheTtlMs: number;
  maxEntries: number;
}

/** Whether a cached decision may still be used. */
export type Verdict = 'valid' | 'stale' | 'unknown';

/**
 * Invalidation as marks in time: invalidating sets a mark (service-wide or per identity) to "now" plus
 * {@link CLOCK_SKEW_ALLOWANCE_MS}, and a cached decision is used only if it was decided after every mark that
 * applies to it. Marks are set locally at once and written to the shared store, where every replica reads them
 * again once they are older than `checkMs`: so an invalidation reaches every replica within `checkMs`. A mark that
 * cannot be read is "unknown": the caller then asks tinyauth instead of trusting any cache. A missing service-wide
 * mark (a new, flushed or restarted store) is created as "now", which invalidates everything decided before.
 */
export class InvalidationMarks {
  private globalFloor = 0;
  private readonly identityFloors: ExpiringLru<string, number>;
  /** Per identity: the latest of the service-wide and the identity's mark, and when it was read from the store. */
  private readonly read: ExpiringLru<string, { mark: number; readAt: number }>;
  private readonly reading: LRUCache<string, Promise<boolean>>;

  constructor(
    private readonly store: GuardedStore | undefined,
    private readonly keys: MarkKeys | undefined,
    private readonly options: MarkOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.identityFloors = new ExpiringLru(options.maxEntries, now);
    this.read = new ExpiringLru(options.maxEntries, now);
    this.reading = inFlightCache(options.maxEntries);
  }

  /** Whether a decision for `identity` made at `decidedAt` may be used; `unknown` until the marks are read. */
  verdict(identity: string, decidedAt: number): Verdict {
    if (decidedAt <= this.globalFloor) return 'stale';
    const floor = this.identityFloors.get(identity);
    if (floor !== undefined && decidedAt <= floor) return 'stale';
    if (this.store === undefined) return 'valid';
    const read = this.read.get(identity);
    if (read === undefined) return 'unknown';
    // Read again in the background half-way through, so steady traffic never waits for the store.
    if (this.now() - read.readAt >= this.options.checkMs / 2) void this.refresh(identity);
    return decidedAt <= read.mark ? 'stale' : 'valid';
  }

  /** Reads the marks that apply to `identity` from the store (shared by concurrent callers); false on failure. */
  refresh(identity: string): Promise<boolean> {
    return joinInFlight(this.reading, identity, () => this.readMarks(identity));
  }

  /**
   * Invalidates every decision (no identity) or those of one identity, here at once and, through the store, on
   * every replica within `checkMs`. Rejects when the store could not record it (this replica is invalidated
   * anyway).
   */
  async invalidate(identity?: string): Promise<void> {
    const mark = this.now() + CLOCK_SKEW_ALLOWANCE_MS;
    if (identity === undefined) {
      this.globalFloor = Math.max(this.globalFloor, mark);
      this.read.clear();
    } else {
      this.identityFloors.set(identity, mark, this.markLifetime());
      this.read.delete(identity);
    }
    if (this.store === undefined || this.keys === undefined) return;
    if (identity === undefined) await this.writeMark(this.keys.global, mark, undefined);
    else await this.writeMark(this.keys.identity(identity), mark, this.markLifetime());
  }

  private writeMark(storeKey: string, mark: number, ttlMs: number | undefined): Promise<void> {
    const keys = this.keys as MarkKeys;
    return (this.store as GuardedStore).set(storeKey, keys.seal(storeKey, String(mark)), ttlMs);
  }

  /** An identity mark outlives every decision it can invalidate, and no more. */
  private markLifetime(): number {
    return this.options.cacheTtlMs + CLOCK_SKEW_ALLOWANCE_MS + this.options.checkMs;
  }

  private async readMarks(identity: string): Promise<boolean> {
    const { store, keys } = this;
    if (store === undefined || keys === undefined) return true;
    const identityKey = identity === '' ? undefined : keys.identity(identity);
    try {
      const [rawGlobal, rawIdentity] = await Promise.all([
        store.get(keys.global),
        identityKey === undefined ? undefined : store.get(identityKey),
      ]);
      let global = parseMark(keys.unseal(keys.global, rawGlobal));
      if (global === undefined) {
        // A missing or unreadable service-wide mark (a new, flushed or restarted store): identity marks may have
        // been lost with it, so nothing decided before now is trusted.
        if (rawGlobal !== undefined && rawGlobal !== null) store.malformed();
        global = this.now();
        await this.writeMark(keys.global, global, undefined);
      }
      let own = identityKey === undefined ? undefined : parseMark(keys.unseal(identityKey, rawIdentity));
      if (own === undefined && rawIdentity !== undefined && rawIdentity !== null) {
        store.malformed();
        own = this.now() + CLOCK_SKEW_ALLOWANCE_MS;
      }
      const readAt = this.now();
      this.read.set(identity, { mark: Math.max(global, own ?? 0), readAt }, this.options.checkMs);
      return true;
    } catch {
      return false;
    }
  }
}

function parseMark(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : undefined;
}
