import { Logger } from '@nestjs/common';

/**
 * The shape of store the shared decision tier needs: a Keyv instance (e.g. `new Keyv({ store: new KeyvRedis(url) })`
 * from `keyv` + `@keyv/redis`) or a cache-manager / `@nestjs/cache-manager` `Cache` fits as it is. Values written
 * are strings; `ttl` is in milliseconds. A `set` that resolves to `false` (Keyv's way of reporting a failed write)
 * counts as a failure; anything else as success.
 */
export interface SharedCacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, ttl?: number): Promise<unknown>;
}

/** Counters of the shared tier, for metrics and tests. Monotonic since start-up. */
export interface SharedStoreStats {
  /** Store operations that failed: error, timeout, refused write, or skipped while the store is considered down. */
  failures: number;
  /** Values read that were not an entry this package wrote for the request (garbage, wrong shape or checks). */
  malformed: number;
}

/** Why a store operation did not succeed. */
export class SharedStoreFailure extends Error {
  constructor(readonly kind: 'timeout' | 'error' | 'refused' | 'down') {
    super(`shared cache store ${kind}`);
    this.name = 'SharedStoreFailure';
  }
}

const LOG_INTERVAL_MS = 60_000;
/** After a failure the store is left alone this long, so an outage costs each request nothing but a check. */
export const STORE_RETRY_MS = 200;

/**
 * Every access to the user's store goes through here: each operation is bounded by `timeoutMs`, a failure makes
 * the store "down" for {@link STORE_RETRY_MS} (operations fail at once meanwhile, then the next one probes it), and
 * failures are logged at most once a minute per kind, with the kind and an error code only (a client's message may
 * quote a URL with a password). Recovery is logged once.
 */
export class GuardedStore {
  readonly stats: SharedStoreStats = { failures: 0, malformed: 0 };
  private downUntil = 0;
  private failing = false;
  /** Operations started so far, and the latest of them that succeeded (by start order). */
  private started = 0;
  private latestSucceeded = 0;
  private readonly lastLogged = new Map<string, number>();
  private readonly logger = new Logger('Tinyauth');

  constructor(
    private readonly store: SharedCacheStore,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value stored under `key` (undefined when there is none); throws {@link SharedStoreFailure}. */
  get(key: string): Promise<unknown> {
    return this.run(() => this.store.get(key));
  }

  /**
   * Writes `value` for `ttlMs` (no expiry when undefined); throws {@link SharedStoreFailure}, also when the store
   * reports `false`.
   */
  async set(key: string, value: string, ttlMs: number | undefined): Promise<void> {
    const ttl = ttlMs === undefined ? undefined : Math.max(1, Math.ceil(ttlMs));
    const result = await this.run(() => this.store.set(key, value, ttl));
    if (result === false) throw this.failed(new SharedStoreFailure('refused'));
  }

  /**
   * Reads `key` once, allowing `timeoutMs`, so a lazily connecting client connects at start-up rather than on the
   * first requests. Failures are ignored here: the first real operation reports them.
   */
  async warmUp(key: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve()
        .then(() => this.store.get(key))
        .catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** Counts (and logs, rate-limited) a value that is not a valid entry. */
  malformed(): void {
    this.stats.malformed++;
    this.log(
      'malformed',
      'shared decision cache returned a value that is not a valid entry; treating it as a miss',
    );
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.now() < this.downUntil) {
      this.stats.failures++;
      throw new SharedStoreFailure('down');
    }
    const seq = ++this.started;
    let timer: NodeJS.Timeout | undefined;
    let late: NodeJS.Immediate | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // Timers run before I/O in each turn of the event loop: after the loop was held up (a busy process), the
      // timer would fire ahead of an answer already waiting on the socket. Deferring the verdict past the I/O phase
      // lets such an answer count; only an answer that truly has not come is a timeout.
      timer = setTimeout(() => {
        late = setImmediate(() => reject(new SharedStoreFailure('timeout')));
      }, this.timeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(operation), timeout]);
      this.latestSucceeded = Math.max(this.latestSucceeded, seq);
      if (this.failing) {
        this.failing = false;
        this.logger.log('shared decision cache store answers again');
      }
      return result;
    } catch (err) {
      throw this.failed(err, seq);
    } finally {
      clearTimeout(timer);
      clearImmediate(late);
    }
  }

  /**
   * Counts a failure of the operation started `seq`-th. It makes the store "down" unless an operation started after
   * it has succeeded since: the timeout of a call made during an outage can land after the store is back, and must
   * not take it down again.
   */
  private failed(err: unknown, seq = this.started): SharedStoreFailure {
    const failure = err instanceof SharedStoreFailure ? err : new SharedStoreFailure('error');
    this.stats.failures++;
    if (this.latestSucceeded > seq) return failure;
    this.failing = true;
    this.downUntil = this.now() + STORE_RETRY_MS;
    const code = (err as { code?: unknown } | null)?.code;
    const detail =
      failure.kind === 'timeout'
        ? ` (no answer within ${this.timeoutMs} ms)`
        : failure.kind === 'error'
          ? ` (${typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : errorName(err)})`
          : '';
    this.log(
      failure.kind,
      `shared decision cache store failed: ${failure.kind}${detail}; deciding with tinyauth until it answers again`,
    );
    return failure;
  }

  private log(kind: string, message: string): void {
    const now = this.now();
    if ((this.lastLogged.get(kind) ?? -Infinity) + LOG_INTERVAL_MS > now) return;
    this.lastLogged.set(kind, now);
    this.logger.warn(message);
  }
}

function errorName(err: unknown): string {
  const name = err instanceof Error ? err.name : typeof err;
  return /^[A-Za-z0-9_]{1,40}$/.test(name) ? name : 'error';
}
