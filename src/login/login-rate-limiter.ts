import { LRUCache } from 'lru-cache';
import { parseIpAddress } from '../core/ip';

/** A source of the current time in epoch milliseconds (`Date.now` in production, a fake clock in tests). */
export interface TinyauthClock {
  now(): number;
}

/** The limits of failed sign-ins (see the README's "Login flow" for the policy in words). */
export interface LoginRateLimitPolicy {
  /** Length of one counting window, in ms. */
  windowMs: number;
  /** Failed sign-ins allowed per client address (any user name) per window. */
  maxFailuresPerAddress: number;
  /** Failed sign-ins allowed per user name (all addresses together) per window; above the per-address limit. */
  maxFailuresPerUser: number;
  /** Most addresses and most user names tracked at once (least recently used forgotten first). */
  maxEntries: number;
}

/** Which counter refused an attempt or reached its limit. */
export type LimitScope = 'address' | 'user';

/** One counter: failures (and attempts still in flight) since `windowStart`. */
interface Counter {
  count: number;
  windowStart: number;
  /** Whether reaching the limit in this window was already reported (logged once per window). */
  reported: boolean;
}

/** A refused attempt: the limit of `scope` is reached, and it frees up in `retryAfterSeconds`. */
export interface LimitedAttempt {
  allowed: false;
  scope: LimitScope;
  retryAfterSeconds: number;
}

/** An attempt under the limits, counted as a failure until told otherwise; end it exactly once. */
export interface CountedAttempt {
  allowed: true;
  /** The credentials were wrong: the attempt stays counted. Returns the limits this failure just reached. */
  failed(): LimitScope[];
  /** Signed in: the user name's failures are cleared and this attempt no longer counts for the address. */
  succeeded(): void;
  /** No answer (tinyauth unavailable): the attempt no longer counts anywhere. */
  abandoned(): void;
}

/**
 * The key of a client address: an IPv4 address as it is, an IPv6 address by its /64 network (one host usually
 * holds a whole /64, so counting single addresses would give it 2^64 budgets).
 */
export function addressKey(ip: string): string {
  try {
    const parsed = parseIpAddress(ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''));
    if (parsed.version === 4) return ip.replace(/^::ffff:/i, '');
    return `${(parsed.value >> 64n).toString(16)}::/64`;
  } catch {
    return ip;
  }
}

/**
 * A bounded, in-process limiter of failed sign-ins per client address and per user name, in fixed windows that
 * start at a key's first counted failure. An attempt is refused (before tinyauth is asked) while either counter
 * has reached its limit in its current window; refused attempts are not counted, so a window always ends on time.
 * An attempt is counted when it starts, so a burst of parallel guesses cannot slip past the limit, and uncounted
 * again when it turns out not to be a failure.
 */
export class LoginRateLimiter {
  private readonly addresses: LRUCache<string, Counter>;
  private readonly users: LRUCache<string, Counter>;

  constructor(
    readonly policy: LoginRateLimitPolicy,
    private readonly clock: TinyauthClock,
  ) {
    this.addresses = new LRUCache({ max: policy.maxEntries });
    this.users = new LRUCache({ max: policy.maxEntries });
  }

  /** Starts a sign-in attempt from `ip` for `username`: refused past a limit, else counted. */
  begin(ip: string, username: string): LimitedAttempt | CountedAttempt {
    const now = this.clock.now();
    const address = this.current(this.addresses, addressKey(ip), now);
    const user = this.current(this.users, username, now);
    const refusals: LimitedAttempt[] = [];
    if (address.count >= this.policy.maxFailuresPerAddress)
      refusals.push(this.limited('address', address, now));
    if (user.count >= this.policy.maxFailuresPerUser) refusals.push(this.limited('user', user, now));
    if (refusals.length > 0) {
      return refusals.reduce((a, b) => (b.retryAfterSeconds > a.retryAfterSeconds ? b : a));
    }
    address.count++;
    user.count++;
    let ended = false;
    const end = (): boolean => {
      if (ended) return false;
      return (ended = true);
    };
    const uncount = (counter: Counter): void => {
      if (counter.count > 0) counter.count--;
    };
    return {
      allowed: true,
      failed: () => {
        if (!end()) return [];
        const reached: LimitScope[] = [];
        if (this.reachedNow(address, this.policy.maxFailuresPerAddress)) reached.push('address');
        if (this.reachedNow(user, this.policy.maxFailuresPerUser)) reached.push('user');
        return reached;
      },
      succeeded: () => {
        if (!end()) return;
        // The address keeps its other failures: otherwise anyone holding one valid account could reset the
        // budget of their address between guesses at other accounts.
        uncount(address);
        const counter = this.users.get(username);
        if (counter) Object.assign(counter, { count: 0, reported: false });
      },
      abandoned: () => {
        if (!end()) return;
        uncount(address);
        uncount(user);
      },
    };
  }

  /** The key's counter in its current window; a window starts with its first counted attempt. */
  private current(cache: LRUCache<string, Counter>, key: string, now: number): Counter {
    const existing = cache.get(key);
    if (existing && existing.count > 0 && now - existing.windowStart < this.policy.windowMs) return existing;
    if (existing && existing.count === 0)
      return Object.assign(existing, { windowStart: now, reported: false });
    const fresh: Counter = { count: 0, windowStart: now, reported: false };
    cache.set(key, fresh);
    return fresh;
  }

  private limited(scope: LimitScope, counter: Counter, now: number): LimitedAttempt {
    const remainingMs = counter.windowStart + this.policy.windowMs - now;
    return { allowed: false, scope, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
  }

  private reachedNow(counter: Counter, limit: number): boolean {
    if (counter.reported || counter.count < limit) return false;
    counter.reported = true;
    return true;
  }
}
