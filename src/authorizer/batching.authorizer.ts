import { credentialParts } from '../cache/decision-key';
import { stableJson } from '../cache/stable-json';
import type { RequestFacts } from '../request/request-facts';
import type { Authorizer } from './authorizer.interface';
import { groupChecks, unavailableDecision, type TinyauthCheck, type TinyauthDecision } from './decision';

interface Waiter {
  checks: readonly TinyauthCheck[];
  resolve(decision: TinyauthDecision): void;
}

interface Batch {
  facts: RequestFacts;
  context: Readonly<Record<string, unknown>> | undefined;
  waiters: Waiter[];
}

/**
 * Merges the checks of calls made in the same event-loop tick with the same credentials, source address and
 * extra context into one decision of the wrapped strategy (so, remotely, one `authorize-by-token` whose `permit`
 * map holds every action and resource), then answers each call from `Permitted` / `NotPermitted`. A GraphQL list
 * whose items each reach a guarded field resolver is thus one call to tinyauth, not one per item.
 *
 * tinyauth omits `Identity` from any answer that denies something, so when a batch mixes allowed and refused
 * calls, the allowed ones are asked for again together (one more call, in a later tick) to learn who is calling.
 * A lone call goes through unchanged.
 *
 * Collecting costs every call one `setImmediate` turn (plus the key and the promise). That buys nothing in front of
 * an in-process strategy (`inProcess`: local mode decides without calling tinyauth) for a call that carries all its
 * request's checks (an HTTP route's guard): such callers use {@link unbatched}. In front of tinyauth, concurrent
 * HTTP requests with the same credentials still share one call.
 */
export class BatchingAuthorizer implements Authorizer {
  private readonly pending = new Map<string, Batch>();

  /**
   * @param inner the strategy that decides each batch.
   * @param options `inProcess`: `inner` decides without a call to tinyauth, so single calls skip the batching.
   */
  constructor(
    private readonly inner: Authorizer,
    private readonly options: { inProcess?: boolean } = {},
  ) {}

  /**
   * What a call that carries all its request's checks goes through: the strategy itself when it decides in process,
   * else this batching (a call to tinyauth is worth sharing with concurrent requests of the same caller).
   */
  get unbatched(): Authorizer {
    return this.options.inProcess === true ? this.inner : this;
  }

  /** Invalidation belongs to the strategy behind the batching. */
  invalidate(identity?: string): Promise<void> {
    return this.inner.invalidate?.(identity) ?? Promise.resolve();
  }

  authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    if (checks.length === 0) return this.inner.authorize(facts, checks, context);
    let key: string;
    try {
      key = JSON.stringify([
        credentialParts(facts.headers),
        facts.sourceIp,
        context === undefined ? null : stableJson(context),
      ]);
    } catch {
      // A context that cannot be keyed (a cycle, a BigInt) is decided on its own.
      return this.inner.authorize(facts, checks, context);
    }
    return new Promise<TinyauthDecision>((resolve) => {
      let batch = this.pending.get(key);
      if (batch === undefined) {
        batch = { facts, context, waiters: [] };
        this.pending.set(key, batch);
        const started = batch;
        setImmediate(() => {
          this.pending.delete(key);
          this.flush(started).catch(() => {
            // Strategies never throw; should one, nobody waits forever and nobody is allowed.
            for (const w of started.waiters) w.resolve(unavailableDecision(w.checks));
          });
        });
      }
      batch.waiters.push({ checks, resolve });
    });
  }

  private async flush({ facts, context, waiters }: Batch): Promise<void> {
    if (waiters.length === 1) {
      waiters[0].resolve(await this.inner.authorize(facts, waiters[0].checks, context));
      return;
    }
    const merged = await this.inner.authorize(facts, uniqueChecks(waiters), context);
    if (merged.authorized === true) {
      for (const w of waiters) w.resolve(share(merged, w.checks, true, merged.identity));
      return;
    }
    if (merged.errorCode !== 'NotPermitted') {
      // Who is calling could not be established, or no decision could be had: the same for every call.
      for (const w of waiters) w.resolve(share(merged, w.checks, false, undefined));
      return;
    }
    const allowed: Waiter[] = [];
    for (const w of waiters) {
      if (everyPermitted(merged, w.checks)) allowed.push(w);
      else w.resolve(share(merged, w.checks, false, undefined));
    }
    if (allowed.length === 0) return;
    const again = await this.inner.authorize(facts, uniqueChecks(allowed), context);
    for (const w of allowed) {
      w.resolve(
        again.authorized === true
          ? share(again, w.checks, true, again.identity)
          : share(again, w.checks, false, undefined),
      );
    }
  }
}

/**
 * What a call that carries all its request's checks at once (one HTTP request, one guard call) is decided by: the
 * in-process strategy behind `authorizer` without waiting a turn for company, else `authorizer` itself.
 */
export function withoutBatching(authorizer: Authorizer): Authorizer {
  return authorizer instanceof BatchingAuthorizer ? authorizer.unbatched : authorizer;
}

function uniqueChecks(waiters: readonly Waiter[]): TinyauthCheck[] {
  const seen = new Set<string>();
  const out: TinyauthCheck[] = [];
  for (const w of waiters) {
    for (const c of w.checks) {
      const k = `${c.action}\n${c.resource}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(c);
      }
    }
  }
  return out;
}

const listed = (map: Record<string, string[]>, { action, resource }: TinyauthCheck): boolean =>
  Object.hasOwn(map, action) && map[action].includes(resource);

/** Allowed only when every check is reported permitted and none refused (fail closed on anything missing). */
function everyPermitted(decision: TinyauthDecision, checks: readonly TinyauthCheck[]): boolean {
  return checks.every((c) => listed(decision.permitted, c) && !listed(decision.notPermitted, c));
}

/** One call's share of a merged decision: its own pairs only, never another call's resources. */
function share(
  decision: TinyauthDecision,
  checks: readonly TinyauthCheck[],
  authorized: boolean,
  identity: string | undefined,
): TinyauthDecision {
  const permitted = groupChecks(checks.filter((c) => listed(decision.permitted, c)));
  const notPermitted = groupChecks(checks.filter((c) => !listed(decision.permitted, c)));
  if (authorized && Object.keys(notPermitted).length > 0) authorized = false;
  return {
    authorized,
    identity: authorized ? identity : undefined,
    errorCode: authorized ? undefined : (decision.errorCode ?? 'NotPermitted'),
    permitted,
    notPermitted,
  };
}
