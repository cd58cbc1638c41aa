import type { LRUCache } from 'lru-cache';
import { decisionKey } from '../cache/decision-key';
import { ExpiringLru } from '../cache/expiring-lru';
import { inFlightCache, joinInFlight } from '../cache/in-flight';
import { InvalidationMarks, type Verdict } from '../cache/invalidation-marks';
import { decodeEntry, encodeEntry, SharedKeys, type SharedKeyScope } from '../cache/shared-entries';
import { SharedLeases } from '../cache/shared-leases';
import { GuardedStore, type SharedCacheStore } from '../cache/shared-store';
import { jwtExpiry } from '../core/jwt';
import { sessionCookieOf, type SessionCookie } from '../core/session-cookie';
import type { RequestFacts } from '../request/request-facts';
import type { Authorizer } from './authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../decision';

/** The shared second tier of {@link CachedAuthorizer}: a store every replica of the service reads and writes. */
export interface SharedDecisionTier {
  store: SharedCacheStore;
  /** Time allowed for one store operation, in ms. */
  timeoutMs: number;
  /** How long invalidation marks read from the store are trusted, in ms (the bound of invalidation). */
  invalidationCheckMs: number;
  /** What names the keys: the service, its credentials (the HMAC key's root) and the namespace. */
  keys: SharedKeyScope;
  /** Longest wait at start-up for the store's first answer, in ms (default 1000); start-up never fails on it. */
  warmUpMs?: number;
  /**
   * Longest a replica waits for another replica's call to tinyauth for the same decision before asking itself, in
   * ms: tinyauth's `timeoutMs` (default 5000).
   */
  leaseMs?: number;
}

/** Settings of the decision cache (`mode: 'cached'`). */
export interface DecisionCacheOptions {
  /** How long an allow decision is reused, in milliseconds. */
  cacheTtlMs: number;
  /** Most decisions kept (least recently used ones are dropped first). */
  cacheMaxEntries: number;
  /** Told of every cache lookup: `true` for a hit, `false` for a miss (metrics; must not throw). */
  onLookup?: (hit: boolean) => void;
  /** A second tier shared by the service's replicas; none when undefined. */
  shared?: SharedDecisionTier;
}

/** What the cache did since start-up (monotonic counters). */
export interface CachedDecisionStats {
  /** Requests answered from this process's cache. */
  localHits: number;
  /** Requests answered from the shared tier. */
  sharedHits: number;
  /** Calls made to tinyauth. */
  remoteCalls: number;
  /** Misses that waited for another replica's call to tinyauth for the same decision instead of making their own. */
  sharedWaits: number;
  /** Shared store operations that failed or were skipped while it was failing. */
  storeFailures: number;
  /** Shared store values rejected as not a valid entry for the request. */
  malformed: number;
}

/** A decision kept by the first tier, with the moment it was decided (for invalidation). */
interface LocalEntry {
  decision: TinyauthDecision;
  at: number;
}

/**
 * `mode: 'cached'`: the remote strategy plus a bounded cache of **allow** decisions and coalescing of identical
 * checks in flight. Denials and failures are never cached, so a user who just signed in or was just granted a
 * permission is not held back, and a tinyauth outage is not remembered.
 *
 * With a shared tier, a miss in this process's cache is looked up in the shared store before tinyauth is asked,
 * and what tinyauth allows is written there (in the background) for the other replicas. The store failing in any
 * way (down, slow, garbage) counts as a miss: tinyauth decides, nothing is allowed on the store's word alone.
 *
 * Trade-offs, by design: a cached allow outlives a revocation (a removed key, policy or user) by up to
 * `cacheTtlMs` unless {@link invalidate} is called, and conditions on `RequestDateTime` are evaluated at most
 * `cacheTtlMs` late, because the time is not part of the key. An allow is never kept past the `exp` of the session
 * token it was granted for.
 */
export class CachedAuthorizer implements Authorizer {
  private readonly cache: ExpiringLru<string, LocalEntry>;
  private readonly inFlight: LRUCache<string, Promise<TinyauthDecision>>;
  private readonly marks: InvalidationMarks;
  private readonly store: GuardedStore | undefined;
  private readonly keys: SharedKeys | undefined;
  private readonly leases: SharedLeases | undefined;
  private started: Promise<void> | undefined;
  private readonly counts = { localHits: 0, sharedHits: 0, remoteCalls: 0, sharedWaits: 0 };

  constructor(
    private readonly remote: Authorizer,
    private readonly options: DecisionCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new ExpiringLru(options.cacheMaxEntries, now);
    this.inFlight = inFlightCache(options.cacheMaxEntries);
    const { shared } = options;
    this.store = shared && new GuardedStore(shared.store, shared.timeoutMs, now);
    this.keys = shared && new SharedKeys(shared.keys);
    this.leases = this.store && new SharedLeases(this.store, shared?.leaseMs ?? 5000, now);
    this.marks = new InvalidationMarks(
      this.store,
      this.keys,
      {
        checkMs: shared?.invalidationCheckMs ?? 0,
        cacheTtlMs: options.cacheTtlMs,
        maxEntries: options.cacheMaxEntries,
      },
      now,
    );
  }

  /**
   * Nest start-up hook: lets the shared store's client connect before requests arrive, and reads (or, in a new
   * store, creates) the service-wide invalidation mark, so entries other replicas write from now on are valid.
   * Runs once, however many providers hand out this instance (two concurrent first connections could fail).
   */
  onModuleInit(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  private async start(): Promise<void> {
    if (this.store === undefined || this.keys === undefined) return;
    await this.store.warmUp(this.keys.global, this.options.shared?.warmUpMs ?? 1000);
    await this.marks.refresh('');
  }

  /** Counters of hits, calls to tinyauth and store failures since start-up. */
  stats(): CachedDecisionStats {
    return {
      ...this.counts,
      storeFailures: this.store?.stats.failures ?? 0,
      malformed: this.store?.stats.malformed ?? 0,
    };
  }

  async authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    if (checks.length === 0) return this.remote.authorize(facts, checks, context);
    const session = sessionCookieOf(facts.headers);
    // A session cookie this package cannot read exactly as tinyauth does is never cached: tinyauth decides it.
    if (!session.exact) return this.remote.authorize(facts, checks, context);
    let key: string;
    try {
      key = decisionKey({ headers: facts.headers, checks, sourceIp: facts.sourceIp, context, session });
    } catch {
      // A request that cannot be keyed (a context with a cycle or a BigInt, a lone surrogate) is decided, uncached.
      return this.remote.authorize(facts, checks, context);
    }
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      let verdict = this.marks.verdict(cached.decision.identity ?? '', cached.at);
      if (verdict === 'unknown')
        verdict = await this.refreshedVerdict(cached.decision.identity ?? '', cached.at);
      if (verdict === 'valid') {
        this.counts.localHits++;
        this.options.onLookup?.(true);
        return copyDecision(cached.decision, 'cache');
      }
      if (verdict === 'stale') this.cache.delete(key);
    }
    this.options.onLookup?.(false);
    const decision = await joinInFlight(this.inFlight, key, () =>
      this.decide(key, session, facts, checks, context),
    );
    return copyDecision(decision);
  }

  /**
   * Forgets cached allow decisions: all of them, or those tinyauth granted to `identity` (a user name). Takes
   * effect here at once and, with a shared tier, on every replica within `invalidationCheckMs`. Call it after the
   * change in tinyauth. Rejects when the shared store could not record the invalidation (this process has
   * forgotten them anyway; the others keep them for up to `cacheTtlMs`).
   */
  async invalidate(identity?: string): Promise<void> {
    if (identity === undefined) this.cache.clear();
    try {
      await this.marks.invalidate(identity);
    } catch (err) {
      const kind = (err as { kind?: unknown }).kind;
      throw new Error(
        `nestjs-tinyauth: the shared cache store did not record the invalidation (${typeof kind === 'string' ? kind : 'error'}); other replicas may use their cached decisions for up to cacheTtlMs`,
      );
    }
  }

  private async refreshedVerdict(identity: string, at: number): Promise<Verdict> {
    // Marks that cannot be read leave the verdict unknown: the cached decision is then not used.
    if (!(await this.marks.refresh(identity))) return 'unknown';
    return this.marks.verdict(identity, at);
  }

  private async decide(
    key: string,
    session: SessionCookie,
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const shared = this.store && (await this.readShared(key, session, checks));
    if (shared !== undefined) return shared;
    // Missing from both tiers: one replica asks tinyauth for all of them (entries written together expire together
    // on every replica, so without this each replica would ask at the same moment).
    const leaseKey = this.keys?.lease(key);
    const claim = this.leases && leaseKey !== undefined ? await this.leases.claim(leaseKey) : undefined;
    if (claim?.kind === 'theirs') {
      this.counts.sharedWaits++;
      const answered = await (this.leases as SharedLeases).waitFor(leaseKey as string, () =>
        this.readShared(key, session, checks),
      );
      if (answered !== undefined) return answered;
    }
    const lease = claim?.kind === 'mine' ? claim.lease : undefined;
    const at = this.now();
    this.counts.remoteCalls++;
    let decision: TinyauthDecision;
    try {
      decision = await this.remote.authorize(facts, checks, context);
    } catch (err) {
      void this.leases?.release(lease);
      throw err;
    }
    let written: Promise<void> | undefined;
    if (decision.authorized === true) {
      const identity = decision.identity ?? '';
      const now = this.now();
      const ttl = Math.min(this.options.cacheTtlMs, sessionLifetimeLeft(session, now));
      // Decided before an invalidation made while tinyauth was answering: not worth keeping.
      if (ttl > 0 && this.marks.verdict(identity, at) !== 'stale') {
        this.cache.set(key, { decision, at }, ttl);
        written = this.writeShared(
          key,
          checks,
          decision,
          at,
          Math.min(at + this.options.cacheTtlMs, now + ttl),
        );
      }
    }
    // Released once the entry is in the store, so the replicas waiting on it find it; with nothing to share
    // (a denial, a failure), they stop waiting and ask tinyauth themselves.
    if (lease !== undefined) void Promise.resolve(written).then(() => this.leases?.release(lease));
    return decision;
  }

  /** The shared tier's allow for this request, if it holds a valid one that no invalidation covers. */
  private async readShared(
    key: string,
    session: SessionCookie,
    checks: readonly TinyauthCheck[],
  ): Promise<TinyauthDecision | undefined> {
    const store = this.store as GuardedStore;
    const keys = this.keys as SharedKeys;
    const storeKey = keys.decision(key);
    let raw: unknown;
    try {
      raw = await store.get(storeKey);
    } catch {
      return undefined;
    }
    if (raw === undefined || raw === null) return undefined;
    const now = this.now();
    const text = keys.unseal(storeKey, raw);
    const entry = text === undefined ? 'malformed' : decodeEntry(text, checks, now, this.options.cacheTtlMs);
    if (entry === 'malformed') store.malformed();
    if (typeof entry !== 'object') return undefined;
    let verdict = this.marks.verdict(entry.identity, entry.at);
    if (verdict === 'unknown') verdict = await this.refreshedVerdict(entry.identity, entry.at);
    if (verdict !== 'valid') return undefined;
    const ttl = Math.min(entry.exp - now, sessionLifetimeLeft(session, now));
    if (!(ttl > 0)) return undefined;
    const decision: TinyauthDecision = {
      authorized: true,
      identity: entry.identity === '' ? undefined : entry.identity,
      permitted: entry.permitted,
      notPermitted: {},
      source: 'cache',
    };
    this.cache.set(key, { decision, at: entry.at }, ttl);
    this.counts.sharedHits++;
    return decision;
  }

  /**
   * The response never waits for this write, and a failed write only costs other replicas a miss; the promise
   * (never rejected) tells when the entry is in the store.
   */
  private async writeShared(
    key: string,
    checks: readonly TinyauthCheck[],
    decision: TinyauthDecision,
    at: number,
    exp: number,
  ): Promise<void> {
    if (this.store === undefined || this.keys === undefined) return;
    const storeKey = this.keys.decision(key);
    const text = encodeEntry(
      { at, exp, identity: decision.identity ?? '', permitted: decision.permitted },
      checks,
    );
    await this.store.set(storeKey, this.keys.seal(storeKey, text), exp - this.now()).catch(() => undefined);
  }
}

/** Callers may attach and mutate the decision they get; the cached one must stay as tinyauth gave it. */
function copyDecision(
  decision: TinyauthDecision,
  source: TinyauthDecision['source'] = decision.source,
): TinyauthDecision {
  return {
    ...decision,
    source,
    permitted: copyMap(decision.permitted),
    notPermitted: copyMap(decision.notPermitted),
  };
}

function copyMap(map: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const action of Object.keys(map)) out[action] = map[action].slice();
  return out;
}

/**
 * Milliseconds until the `exp` of the session token tinyauth judged (Infinity when there is none, or it has no
 * `exp`: a token that never expires, or not one tinyauth could have allowed).
 */
function sessionLifetimeLeft(session: SessionCookie, now: number): number {
  const exp = session.token === undefined ? undefined : jwtExpiry(session.token);
  return exp === undefined ? Infinity : exp * 1000 - now;
}
