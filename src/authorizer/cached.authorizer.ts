import { Coalescer } from '../cache/coalescer';
import { decisionKey } from '../cache/decision-key';
import { TtlLruCache } from '../cache/ttl-lru';
import { jwtExpiry } from '../core/jwt';
import { sessionCookieOf, type SessionCookie } from '../core/session-cookie';
import type { RequestFacts } from '../request/request-facts';
import type { Authorizer } from './authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../decision';

/** Settings of the decision cache (`mode: 'cached'`). */
export interface DecisionCacheOptions {
  /** How long an allow decision is reused, in milliseconds. */
  cacheTtlMs: number;
  /** Most decisions kept (least recently used ones are dropped first). */
  cacheMaxEntries: number;
  /** Told of every cache lookup: `true` for a hit, `false` for a miss (metrics; must not throw). */
  onLookup?: (hit: boolean) => void;
}

/**
 * `mode: 'cached'`: the remote strategy plus a bounded cache of **allow** decisions and coalescing of identical
 * checks in flight. Denials and failures are never cached, so a user who just signed in or was just granted a
 * permission is not held back, and a tinyauth outage is not remembered.
 *
 * Trade-offs, by design: a cached allow outlives a revocation (a removed key, policy or user) by up to
 * `cacheTtlMs`, and conditions on `RequestDateTime` are evaluated at most `cacheTtlMs` late, because the time is
 * not part of the key. An allow is never kept past the `exp` of the session token it was granted for.
 */
export class CachedAuthorizer implements Authorizer {
  private readonly cache: TtlLruCache<string, TinyauthDecision>;
  private readonly inFlight: Coalescer<string, TinyauthDecision>;

  constructor(
    private readonly remote: Authorizer,
    private readonly options: DecisionCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new TtlLruCache(options.cacheMaxEntries, now);
    this.inFlight = new Coalescer(options.cacheMaxEntries);
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
      key = decisionKey({ headers: facts.headers, checks, sourceIp: facts.sourceIp, context });
    } catch {
      // A context that cannot be keyed (a cycle, a BigInt) is still decided, just not cached.
      return this.remote.authorize(facts, checks, context);
    }
    const cached = this.cache.get(key);
    this.options.onLookup?.(cached !== undefined);
    if (cached !== undefined) return copyDecision(cached, 'cache');
    const decision = await this.inFlight.run(key, () => this.decide(key, session, facts, checks, context));
    return copyDecision(decision);
  }

  private async decide(
    key: string,
    session: SessionCookie,
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const decision = await this.remote.authorize(facts, checks, context);
    if (decision.authorized === true) {
      const ttl = Math.min(this.options.cacheTtlMs, sessionLifetimeLeft(session, this.now()));
      this.cache.set(key, decision, ttl);
    }
    return decision;
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
