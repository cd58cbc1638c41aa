import { sessionCookieOf, type SessionCookie } from '../../core';
import type { TinyauthClient } from '../../client/tinyauth-client';
import type { TinyauthCheck, TinyauthDecision } from '../../decision';
import { DEFAULT_KEY_CACHE_MAX_MS } from '../../options/resolve-options';
import type { RequestFacts } from '../../request/request-facts';
import type { Authorizer } from '../authorizer.interface';
import { credentialKey, UtcDay } from './credential-key';
import { FallbackLog } from './fallback-log';
import type { FetchedCacheSnapshot } from './fetched-cache';
import { IdentityVerifier, REGION, type Staleness } from './identity-verifier';
import { evaluateChecks, identityRefusal } from './policy-evaluation';
import { PolicyLintLog } from './policy-lint-log';
import { TinyauthSource } from './tinyauth-source';
import { withSharedFetched, type SharedFetchedTier } from '../../cache/shared-fetched';
import { UserPolicies } from './user-policies';

/** Settings of the local strategy. */
export interface LocalAuthorizerOptions {
  service: string;
  cacheMaxEntries: number;
  maxStaleMs: number;
  negativeCacheTtlMs: number;
  /** Longest a fetched signing key is trusted (default 5 minutes), whatever tinyauth's Cache-Control grants. */
  keyCacheMaxMs?: number;
  /** For the lint of fetched policies: the ARN partition and the context keys the app sends. */
  partition?: string;
  contextKeys?: readonly string[];
  /** A store shared by the service's replicas for the keys and policies fetched (see `SharedFetchedSource`). */
  sharedFetched?: SharedFetchedTier;
}

/** The ages of what the local caches hold (see `FetchedCacheSnapshot`), signing keys and policies apart. */
export interface LocalCacheSnapshot {
  keys: FetchedCacheSnapshot;
  policies: FetchedCacheSnapshot;
}

/**
 * `mode: 'local'`: decides in-process as tinyauth's own proxy mode does. Signing keys (per user or access key and
 * date) and user policies are fetched from tinyauth and cached as long as its Expires/Cache-Control allow;
 * credentials are verified in constant time by the core's `identify`, and the merged policy, compiled once per
 * fetch, is evaluated here. Whatever it cannot decide exactly as tinyauth would (tinyauth's 500 cases, policy
 * errors, tinyauth unreachable with nothing usable cached) goes to the remote strategy, which fails closed.
 */
export class LocalAuthorizer implements Authorizer {
  private readonly identities: IdentityVerifier;
  private readonly policies: UserPolicies;
  private readonly permitPrefix: string;
  private readonly day = new UtcDay();
  private readonly fallbacks = new FallbackLog();

  constructor(
    client: TinyauthClient,
    private readonly remote: Authorizer,
    options: LocalAuthorizerOptions,
    private readonly now: () => number = Date.now,
  ) {
    const source = withSharedFetched(
      new TinyauthSource(
        client,
        REGION,
        options.service,
        options.keyCacheMaxMs ?? DEFAULT_KEY_CACHE_MAX_MS,
        new PolicyLintLog(options).check,
      ),
      options.sharedFetched,
      now,
    );
    const cacheOptions = {
      maxEntries: options.cacheMaxEntries,
      maxStaleMs: options.maxStaleMs,
      negativeTtlMs: options.negativeCacheTtlMs,
      now,
    };
    this.identities = new IdentityVerifier(source, options.service, cacheOptions);
    this.policies = new UserPolicies(source, options.service, cacheOptions);
    this.permitPrefix = `${options.service}:`;
  }

  async authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    // A session cookie read inexactly (non-ASCII bytes) is left to tinyauth, which fails closed from there.
    const session = sessionCookieOf(facts.headers);
    if (checks.length === 0 || !session.exact) return this.remote.authorize(facts, checks, context);
    try {
      return await this.decide(facts, session, checks, context);
    } catch (err) {
      // Undecidable here, a PolicyError (tinyauth answers 500) or anything unforeseen: tinyauth decides, and the
      // remote strategy fails closed if it cannot.
      this.fallbacks.report(err);
      return this.remote.authorize(facts, checks, context);
    }
  }

  /** The ages of the cached signing keys and policies (for metrics and health checks). */
  cacheSnapshot(): LocalCacheSnapshot {
    return { keys: this.identities.snapshot(), policies: this.policies.snapshot() };
  }

  /** Identify, then evaluate the user's policy; the hot path has no await (credentials and policy in memory). */
  private async decide(
    facts: RequestFacts,
    session: SessionCookie,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const now = this.now();
    const memoKey = credentialKey(facts.headers, session, this.day.stampOf(now));
    const used: Staleness = { stale: false };
    const who =
      this.identities.remembered(memoKey) ??
      (await this.identities.verify(facts, session, now, memoKey, used));
    const decision =
      'errorCode' in who
        ? identityRefusal(who.errorCode, checks)
        : evaluateChecks(
            this.policies.fresh(who.identity) ?? (await this.policies.get(who.identity, used)),
            who,
            this.permitPrefix,
            facts,
            checks,
            context,
          );
    decision.source = used.stale ? 'stale' : 'local';
    return decision;
  }
}
