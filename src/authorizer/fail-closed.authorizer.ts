import { Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { RequestFacts } from '../request/request-facts';
import type { Authorizer } from './authorizer.interface';
import {
  unavailableDecision,
  type TinyauthCheck,
  type TinyauthDecision,
  type TinyauthDecisionSource,
} from '../decision';

const LOG_INTERVAL_MS = 60_000;
const TIMED_OUT: unique symbol = Symbol('timed out');
const SOURCES: ReadonlySet<string> = new Set<TinyauthDecisionSource>([
  'tinyauth',
  'cache',
  'local',
  'stale',
  'bypass',
  'guard',
]);

/** Nest lifecycle hooks a strategy may implement; the module calls them through this wrapper. */
type Lifecycle = Partial<OnModuleInit & OnModuleDestroy & OnApplicationShutdown>;

/**
 * Holds an application's own strategy (the `authorizer` option) to the {@link Authorizer} contract, whatever it
 * does: a throw or rejection, or an answer that is not a well-formed decision, is a `TinyauthUnavailable` denial
 * (503), logged once a minute per kind with the strategy's class name (never the error's message or the decision,
 * which may quote credentials). An allow counts only as `authorized === true` with every check listed in
 * `permitted` and nothing in `notPermitted`, the rule the remote strategy applies to tinyauth's own answers; the
 * decision handed on is a fresh copy, so the strategy cannot change it afterwards.
 *
 * Nest's lifecycle hooks reach the strategy and the built-in strategies it was given (`starts`) through this
 * wrapper: a strategy created by the module is not a provider, so Nest would not call them.
 */
export class FailClosedAuthorizer
  implements Authorizer, OnModuleInit, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('Tinyauth');
  private readonly lastLogged = new Map<string, number>();
  private readonly name: string;

  /**
   * @param inner the application's strategy.
   * @param starts built-in strategies the factory was given, whose lifecycle hooks run first.
   * @param deadlineMs how long (ms) a decision may take before it counts as unavailable: a strategy that never
   *   settles must not hold the request open.
   */
  constructor(
    private readonly inner: Authorizer,
    private readonly starts: readonly object[] = [],
    private readonly deadlineMs = 10_000,
  ) {
    this.name = strategyName(inner);
  }

  async authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    // Nothing to allow: tinyauth refuses an empty list (protocol §8.1), and `every` over it would be true.
    if (checks.length === 0) {
      this.report('was asked for no checks');
      return unavailableDecision(checks);
    }
    // The strategy gets its own copy: what it does to the list must not change what its answer is checked against.
    const given = checks.map(({ action, resource }) => ({ action, resource }));
    let answer: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(resolve, this.deadlineMs, TIMED_OUT);
        timer.unref();
      });
      answer = await Promise.race([this.inner.authorize(facts, given, context), late]);
    } catch (err) {
      this.report(`threw ${err instanceof Error ? err.name : typeof err}`);
      return unavailableDecision(checks);
    } finally {
      clearTimeout(timer);
    }
    if (answer === TIMED_OUT) {
      this.report(`did not answer within ${this.deadlineMs} ms`);
      return unavailableDecision(checks);
    }
    const decision = wellFormed(answer, checks);
    if (decision === undefined) {
      this.report('returned a malformed decision');
      return unavailableDecision(checks);
    }
    return decision;
  }

  async invalidate(identity?: string): Promise<void> {
    await this.inner.invalidate?.(identity);
  }

  async onModuleInit(): Promise<void> {
    for (const target of this.hookTargets()) await (target as Lifecycle).onModuleInit?.();
  }

  async onModuleDestroy(): Promise<void> {
    for (const target of this.hookTargets()) await (target as Lifecycle).onModuleDestroy?.();
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    for (const target of this.hookTargets()) await (target as Lifecycle).onApplicationShutdown?.(signal);
  }

  /** The built-in strategies first (a wrapper's start-up may use them), then the application's, each once. */
  private hookTargets(): object[] {
    return [...new Set<object>([...this.starts, this.inner])];
  }

  private report(what: string): void {
    const now = Date.now();
    if ((this.lastLogged.get(what) ?? 0) + LOG_INTERVAL_MS > now) return;
    this.lastLogged.set(what, now);
    this.logger.error(
      `authorizer ${this.name} ${what}; denying the request (503). Further ones this minute are not logged.`,
    );
  }
}

function strategyName(strategy: object): string {
  const name = (strategy.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : '(factory result)';
}

/**
 * A copy of `answer` when it is a decision (denials are lenient: missing maps are empty, a missing error code is
 * NotPermitted), or undefined. Any getter that throws makes it malformed.
 */
function wellFormed(answer: unknown, checks: readonly TinyauthCheck[]): TinyauthDecision | undefined {
  try {
    if (answer === null || typeof answer !== 'object') return undefined;
    const a = answer as Record<string, unknown>;
    const authorized = a.authorized;
    if (typeof authorized !== 'boolean') return undefined;
    const permitted = resourceMap(a.permitted, !authorized);
    const notPermitted = resourceMap(a.notPermitted, !authorized);
    if (permitted === undefined || notPermitted === undefined) return undefined;
    const source =
      typeof a.source === 'string' && SOURCES.has(a.source)
        ? (a.source as TinyauthDecisionSource)
        : undefined;
    if (!authorized) {
      const errorCode = a.errorCode === undefined ? 'NotPermitted' : a.errorCode;
      if (typeof errorCode !== 'string' || errorCode === '') return undefined;
      return { authorized: false, errorCode, permitted, notPermitted, source };
    }
    const identity = a.identity;
    if (identity !== undefined && typeof identity !== 'string') return undefined;
    if (a.errorCode !== undefined) return undefined;
    if (Object.keys(notPermitted).length > 0) return undefined;
    for (const { action, resource } of checks) {
      if (!Object.hasOwn(permitted, action) || !permitted[action].includes(resource)) return undefined;
    }
    return { authorized: true, identity, permitted, notPermitted, source };
  } catch {
    return undefined;
  }
}

/** A copy of an `{ action: [resource, ...] }` map, or undefined when it is not one (absent is empty if allowed). */
function resourceMap(value: unknown, absentIsEmpty: boolean): Record<string, string[]> | undefined {
  if (value === undefined && absentIsEmpty) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const copy: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [action, resources] of Object.entries(value)) {
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) return undefined;
    copy[action] = [...(resources as string[])];
  }
  return copy;
}
