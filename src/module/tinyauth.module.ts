import { Logger, Module, type NestModule } from '@nestjs/common';
import { HttpModule } from '@nestjs/axios';
import { APP_FILTER, ApplicationConfig, DiscoveryModule, ModuleRef, ModulesContainer } from '@nestjs/core';
import {
  TINYAUTH_AUTHORIZER,
  TINYAUTH_BATCHED_AUTHORIZER,
  TINYAUTH_CLOCK,
  TINYAUTH_OPTIONS,
} from '../tinyauth.constants';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import { resolveTinyauthOptions, TinyauthOptionsError } from '../options/resolve-options';
import { TinyauthClient } from '../client/tinyauth-client';
import type { Authorizer } from '../authorizer/authorizer.interface';
import { BypassAuthorizer } from '../authorizer/bypass.authorizer';
import { BatchingAuthorizer } from '../authorizer/batching.authorizer';
import { FailClosedAuthorizer } from '../authorizer/fail-closed.authorizer';
import { withDenialExplanations } from '../authorizer/explain/explaining.authorizer';
import { TinyauthService } from '../authorizer/tinyauth.service';
import { TinyauthGuard } from '../guard/tinyauth.guard';
import { RouteAccessValidator } from '../checks/route-access.validator';
import { LoginRedirectFilter } from '../login/login-redirect.filter';
import { alignLoginPathsWithPrefix, LoginMounts } from '../login/login-mount';
import { LoginRateLimiter, type TinyauthClock } from '../login/login-rate-limiter';
import { TinyauthTelemetry } from '../observability/telemetry';
import { DecisionObserver } from '../observability/decision-observer';
import { tinyauthAuditLogger } from '../observability/audit-logger';
import { TINYAUTH_RAW_OPTIONS, TinyauthConfigurableModule } from './tinyauth.module-definition';
import type { TinyauthModuleOptions } from './tinyauth-module-options';
import {
  authorizerProblems,
  isStrategyClass,
  type TinyauthAuthorizerContext,
  type TinyauthAuthorizerOption,
} from './authorizer-option';
import { BuiltInStrategies } from './built-in-strategies';

/**
 * Validates the options once, at start-up (the `authorizer` strategy and its contradictions included), and refuses
 * bypass mode in production.
 */
export function createResolvedOptions(raw: TinyauthModuleOptions): ResolvedTinyauthOptions {
  if ((raw as unknown) === null || typeof raw !== 'object') return resolveTinyauthOptions(raw);
  const { authorizer, ...values } = raw;
  const problems = authorizerProblems(authorizer, values);
  let options: ResolvedTinyauthOptions;
  try {
    options = resolveTinyauthOptions(values, authorizer !== undefined);
  } catch (err) {
    if (err instanceof TinyauthOptionsError && problems.length > 0) {
      throw new TinyauthOptionsError([...problems, ...err.problems]);
    }
    throw err;
  }
  if (problems.length > 0) throw new TinyauthOptionsError(problems);
  if (options.bypass) {
    if (process.env.NODE_ENV === 'production') {
      throw new TinyauthOptionsError([
        'bypass: refused because NODE_ENV=production (bypass allows every request)',
      ]);
    }
    new Logger('Tinyauth').warn(
      '*** BYPASS MODE: every authorization check is ALLOWED without asking tinyauth. Never use this outside development. ***',
    );
  }
  return options;
}

/**
 * The decision strategy: bypass, the application's `authorizer` (held to the contract by `FailClosedAuthorizer`),
 * or the built-in one `mode` names; then denial explanations when `explain` asks for them.
 */
async function createAuthorizer(
  raw: TinyauthModuleOptions,
  options: ResolvedTinyauthOptions,
  client: TinyauthClient,
  telemetry: TinyauthTelemetry,
  moduleRef: ModuleRef,
): Promise<Authorizer> {
  if (options.bypass) return new BypassAuthorizer();
  const strategies = new BuiltInStrategies(options, client, telemetry);
  const strategy =
    raw.authorizer === undefined
      ? strategies.byMode()
      : new FailClosedAuthorizer(
          await applicationStrategy(raw.authorizer, { options, client, strategies }, moduleRef),
          strategies.built,
          customStrategyDeadlineMs(options),
        );
  return withDenialExplanations(strategy, options, client);
}

/**
 * How long an application's strategy may take per decision (ms), after which the request is refused as unavailable
 * (503): twice `timeoutMs`, room for a cache lookup and one call to tinyauth; six times with `sharedCache`, whose
 * built-in strategies may wait up to `timeoutMs` for another replica's answer before asking tinyauth, for a key and
 * a policy in local mode.
 */
function customStrategyDeadlineMs(options: ResolvedTinyauthOptions): number {
  return (options.sharedCache === undefined ? 2 : 6) * options.timeoutMs;
}

/**
 * An error message from the application's code without the secrets such messages often quote: the user:password
 * of a URL, and the value after `password=`, `secret:`, `token=` and the like.
 */
export function redactedMessage(message: string): string {
  return message
    .replace(/(\/\/)[^\s/@]+@/g, '$1***@')
    .replace(
      /((?:password|passwd|pwd|secret|token|api[_-]?key|authorization)\s*[=:]\s*)[^\s,;&]+/gi,
      '$1***',
    );
}

/** Creates the `authorizer` class through DI or calls the factory; anything but a strategy stops start-up. */
async function applicationStrategy(
  authorizer: TinyauthAuthorizerOption,
  context: TinyauthAuthorizerContext,
  moduleRef: ModuleRef,
): Promise<Authorizer> {
  const isClass = isStrategyClass(authorizer);
  const what = isClass ? `class ${authorizer.name || '(anonymous)'}` : 'the factory';
  let strategy: unknown;
  try {
    strategy = isClass ? await moduleRef.create(authorizer) : await authorizer(context);
  } catch (err) {
    const reason = err instanceof Error ? redactedMessage(err.message) : typeof err;
    throw new TinyauthOptionsError([`authorizer: ${what} failed at start-up: ${reason}`]);
  }
  if (
    strategy === null ||
    typeof strategy !== 'object' ||
    typeof (strategy as Partial<Authorizer>).authorize !== 'function'
  ) {
    const got = strategy === null ? 'null' : typeof strategy;
    throw new TinyauthOptionsError([
      `authorizer: ${what} gave ${got === 'object' ? 'an object' : got} without an authorize() method`,
    ]);
  }
  return strategy as Authorizer;
}

/** Most client addresses, and most user names, the sign-in limiter tracks at once. */
const LOGIN_LIMITER_MAX_ENTRIES = 10_000;

function createLoginRateLimiter(options: ResolvedTinyauthOptions, clock: TinyauthClock): LoginRateLimiter {
  return new LoginRateLimiter(
    {
      windowMs: options.loginWindowMs,
      maxFailuresPerAddress: options.loginMaxFailuresPerAddress,
      maxFailuresPerUser: options.loginMaxFailuresPerUser,
      maxEntries: LOGIN_LIMITER_MAX_ENTRIES,
    },
    clock,
  );
}

const SYSTEM_CLOCK: TinyauthClock = { now: () => Date.now() };

/**
 * The strategy behind the per-tick batching of checks with the same credentials (bypass needs none; `cached` mode
 * batches its misses itself).
 */
function createBatchedAuthorizer(strategy: Authorizer, options: ResolvedTinyauthOptions): Authorizer {
  if (strategy instanceof BypassAuthorizer || options.mode === 'cached') return strategy;
  // `mode` is refused beside `authorizer`, so 'local' is the built-in local strategy: decided in process.
  return new BatchingAuthorizer(strategy, { inProcess: options.mode === 'local' });
}

/**
 * Decision events go to `onDecision` and, with `auditLog: true`, to the audit log. Their `mode` is `custom` when
 * the application gives its own `authorizer`.
 */
function createDecisionObserver(
  options: ResolvedTinyauthOptions,
  telemetry: TinyauthTelemetry,
  raw: TinyauthModuleOptions,
): DecisionObserver {
  const handlers = [
    ...(options.onDecision === undefined ? [] : [options.onDecision]),
    ...(options.auditLog ? [tinyauthAuditLogger()] : []),
  ];
  const mode = options.bypass ? 'bypass' : raw.authorizer === undefined ? options.mode : 'custom';
  return new DecisionObserver({ mode, handlers }, telemetry);
}

/**
 * Connects an app to tinyauth. Provides `TinyauthService` and `TinyauthGuard`.
 *
 * @example
 * \@Module({
 *   imports: [TinyauthModule.forRoot({ endpoint: 'http://localhost:5000/', accessKeyId: 'AK...', secretAccessKey: '...', service: 'apples' })],
 * })
 * export class AppModule {}
 */
@Module({
  imports: [HttpModule, DiscoveryModule],
  providers: [
    { provide: TINYAUTH_OPTIONS, useFactory: createResolvedOptions, inject: [TINYAUTH_RAW_OPTIONS] },
    TinyauthTelemetry,
    TinyauthClient,
    {
      provide: TINYAUTH_AUTHORIZER,
      useFactory: createAuthorizer,
      inject: [TINYAUTH_RAW_OPTIONS, TINYAUTH_OPTIONS, TinyauthClient, TinyauthTelemetry, ModuleRef],
    },
    {
      provide: DecisionObserver,
      useFactory: createDecisionObserver,
      inject: [TINYAUTH_OPTIONS, TinyauthTelemetry, TINYAUTH_RAW_OPTIONS],
    },
    {
      provide: TINYAUTH_BATCHED_AUTHORIZER,
      useFactory: createBatchedAuthorizer,
      inject: [TINYAUTH_AUTHORIZER, TINYAUTH_OPTIONS],
    },
    TinyauthService,
    TinyauthGuard,
    RouteAccessValidator,
    { provide: TINYAUTH_CLOCK, useValue: SYSTEM_CLOCK },
    LoginMounts,
    {
      provide: LoginRateLimiter,
      useFactory: createLoginRateLimiter,
      inject: [TINYAUTH_OPTIONS, TINYAUTH_CLOCK],
    },
    // Global, so @RedirectToLogin() pages redirect even when the login page is mounted by hand.
    { provide: APP_FILTER, useClass: LoginRedirectFilter },
  ],
  exports: [
    TINYAUTH_OPTIONS,
    TINYAUTH_AUTHORIZER,
    TINYAUTH_BATCHED_AUTHORIZER,
    TinyauthClient,
    TinyauthService,
    TinyauthGuard,
    TINYAUTH_CLOCK,
    LoginMounts,
    LoginRateLimiter,
    TinyauthTelemetry,
    DecisionObserver,
  ],
})
export class TinyauthModule extends TinyauthConfigurableModule implements NestModule {
  constructor(
    private readonly applicationConfig: ApplicationConfig,
    private readonly modulesContainer: ModulesContainer,
  ) {
    super();
  }

  /** Runs before Nest registers the routes: a login path given with the global prefix is not prefixed twice. */
  configure(): void {
    alignLoginPathsWithPrefix(this.applicationConfig, this.modulesContainer);
  }
}
