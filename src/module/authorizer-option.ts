import type { Type } from '@nestjs/common';
import type { Authorizer } from '../authorizer/authorizer.interface';
import type { TinyauthClient } from '../client/tinyauth-client';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';

/**
 * The built-in strategies, for a factory to use or wrap. Each call builds a new instance configured from the
 * module's options (`cacheTtlMs`, `cacheMaxEntries`, `sharedCache`, `maxStaleMs`, ...). The module starts and stops
 * the instances built here (Nest lifecycle hooks), so a wrapper need not forward those.
 */
export interface TinyauthStrategies {
  /** One `authorize-by-token` call to tinyauth per decision (what `mode: 'remote'` uses). */
  remote(): Authorizer;
  /** `remote` plus the bounded cache of allow decisions and, with `sharedCache`, its shared tier (`mode: 'cached'`). */
  cached(): Authorizer;
  /** In-process verification and policy evaluation from fetched keys and policies (`mode: 'local'`). */
  local(): Authorizer;
}

/** What an `authorizer` factory receives. */
export interface TinyauthAuthorizerContext {
  /** The validated options, every default filled in. */
  options: ResolvedTinyauthOptions;
  /** The module's client of tinyauth (base URL, service key, timeouts, TLS), for calls of the strategy's own. */
  client: TinyauthClient;
  /** Builders of the built-in strategies. */
  strategies: TinyauthStrategies;
}

/** An `authorizer` factory: returns (or resolves to) the strategy; called once, at start-up. */
export type TinyauthAuthorizerFactory = (
  context: TinyauthAuthorizerContext,
) => Authorizer | Promise<Authorizer>;

/**
 * The `authorizer` option: a class implementing `Authorizer`, created by Nest's dependency injection in the module's
 * scope (it may inject `TinyauthClient`, `TINYAUTH_OPTIONS`, `HttpService`, global providers and those of
 * `forRootAsync`'s `imports`), or a {@link TinyauthAuthorizerFactory}.
 */
export type TinyauthAuthorizerOption = Type<Authorizer> | TinyauthAuthorizerFactory;

/** Whether `fn` is a class (to create through DI) rather than a factory (to call). */
export function isStrategyClass(fn: TinyauthAuthorizerOption): fn is Type<Authorizer> {
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true;
  const prototype = (fn as { prototype?: { authorize?: unknown } }).prototype;
  return typeof prototype?.authorize === 'function';
}

/** What is wrong with an `authorizer` value and the options beside it, as `TinyauthOptionsError` problems. */
export function authorizerProblems(authorizer: unknown, raw: Readonly<Record<string, unknown>>): string[] {
  if (authorizer === undefined) return [];
  if (typeof authorizer !== 'function') {
    const got = authorizer === null ? 'null' : Array.isArray(authorizer) ? 'an array' : typeof authorizer;
    const hint =
      typeof (authorizer as { authorize?: unknown } | null)?.authorize === 'function'
        ? '; to use an instance, give a factory returning it: authorizer: () => instance'
        : '';
    return [`authorizer: must be a class implementing Authorizer or a factory function (got ${got})${hint}`];
  }
  const problems: string[] = [];
  if (raw.bypass === true) {
    problems.push(
      'authorizer: cannot be combined with bypass (bypass allows every request without a strategy); remove one',
    );
  }
  if (raw.mode !== undefined) {
    problems.push(
      'authorizer: cannot be combined with mode (mode picks a built-in strategy, authorizer replaces it); a factory builds the built-in ones with strategies.remote(), cached() or local()',
    );
  }
  return problems;
}
