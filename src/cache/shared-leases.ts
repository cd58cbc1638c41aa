import { randomBytes } from 'node:crypto';
import type { GuardedStore } from './shared-store';

/**
 * How soon a replica waiting for another replica's answer first looks for it in the store, in ms; each later look
 * waits twice as long, up to {@link LEASE_POLL_MAX_MS}, with jitter, so many waiting names do not flood the store.
 */
export const LEASE_POLL_MS = 5;
/** How long a claim waits after writing before it reads back who holds the lease, in ms. */
export const CLAIM_SETTLE_MS = 3;
/** The longest pause between two looks of a waiting replica, in ms. */
export const LEASE_POLL_MAX_MS = 80;

/** A lease this replica holds: the right to ask tinyauth for one decision on behalf of every replica. */
export interface Lease {
  readonly storeKey: string;
  readonly token: string;
}

/** The outcome of {@link SharedLeases.claim}: this replica asks tinyauth (with a lease, or without when the store failed), or another replica is asking. */
export type Claim = { kind: 'mine'; lease?: Lease } | { kind: 'theirs' };

const TOKEN = /^[A-Za-z0-9_-]{16}$/;

/**
 * Cross-replica single flight of calls to tinyauth. When a decision (or, in local mode, a key or policy) is missing
 * from both tiers (a cold key, or an entry that just expired on every replica at once), the first replica to miss
 * takes a short lease in the shared store and asks tinyauth; the others, finding the lease taken, wait for the entry
 * it writes instead of asking too.
 *
 * Keyv and cache-manager offer no atomic "set if absent", so a claim is read, write, a short settle
 * ({@link CLAIM_SETTLE_MS}), read back: two replicas that miss within one store round trip of each other may still
 * both ask tinyauth when the store is slower than the settle (one extra call, never a wrong answer). A
 * lease lives `leaseMs` (tinyauth's own timeout): a replica that died holding one delays the others by at most that,
 * and a waiting replica never waits longer before asking tinyauth itself. Any store failure means "ask tinyauth".
 */
export class SharedLeases {
  constructor(
    private readonly store: GuardedStore,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the lease on `storeKey` unless another replica holds it. */
  async claim(storeKey: string): Promise<Claim> {
    let token: string | undefined;
    try {
      if (held(await this.store.get(storeKey))) return { kind: 'theirs' };
      token = randomBytes(12).toString('base64url');
      await this.store.set(storeKey, token, this.leaseMs);
      // A replica that read "free" just before our write landed writes its claim one round trip later: give it
      // that long, so the read-back sees it and only one of us asks.
      await new Promise((resolve) => setTimeout(resolve, CLAIM_SETTLE_MS));
      const owner = await this.store.get(storeKey);
      // Another replica wrote its claim after ours: it asks, we wait.
      if (held(owner) && owner !== token) return { kind: 'theirs' };
      return { kind: 'mine', lease: { storeKey, token } };
    } catch {
      // Our claim may have reached the store before the failure: hold it as ours, so it is released with the
      // answer instead of keeping the other replicas waiting until it expires.
      return { kind: 'mine', lease: token === undefined ? undefined : { storeKey, token } };
    }
  }

  /**
   * Gives the lease up (after the entry, if any, was written), so waiting replicas stop waiting at once. Never
   * throws: a lease that cannot be released expires after `leaseMs`.
   */
  async release(lease: Lease | undefined): Promise<void> {
    if (lease === undefined) return;
    try {
      if ((await this.store.get(lease.storeKey)) === lease.token) await this.store.set(lease.storeKey, '', 1);
    } catch {
      // The lease expires on its own.
    }
  }

  /**
   * Waits for the lease holder's entry: polls `read` (after {@link LEASE_POLL_MS}, then backing off) until it gives a value, the lease
   * is gone (released or expired: then `read` is tried once more), the store fails, or `leaseMs` passed. Undefined
   * when this replica must ask tinyauth itself.
   */
  async waitFor<T>(storeKey: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const deadline = this.now() + this.leaseMs;
    for (let pause = LEASE_POLL_MS; this.now() < deadline; pause = Math.min(pause * 2, LEASE_POLL_MAX_MS)) {
      // Jitter: waiters that started together do not keep reading the store in the same instant.
      const jittered = pause * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, jittered));
      const found = await read();
      if (found !== undefined) return found;
      let lease: unknown;
      try {
        lease = await this.store.get(storeKey);
      } catch {
        return undefined;
      }
      if (!held(lease)) return read();
    }
    return undefined;
  }
}

/** Whether a stored lease value is a live claim (anything else, garbage included, counts as free). */
function held(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}
