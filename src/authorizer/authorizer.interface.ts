import type { RequestFacts } from '../request/request-facts';
import type { TinyauthCheck, TinyauthDecision } from '../decision';

/**
 * A way of reaching decisions (remote, cached, local, bypass). Implementations never throw: every failure is a
 * denial carrying an error code, so callers fail closed by construction.
 */
export interface Authorizer {
  authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision>;

  /**
   * Forgets cached allow decisions (all, or those of one identity), where the strategy caches any. Rejects when
   * the forgetting could not reach every replica.
   */
  invalidate?(identity?: string): Promise<void>;
}
