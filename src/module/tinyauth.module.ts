import { Logger, Module, type NestModule } from '@nestjs/common';
import { HttpModule } from '@nestjs/axios';
import { APP_FILTER, ApplicationConfig, DiscoveryModule, ModulesContainer } from '@nestjs/core';
import {
  TINYAUTH_AUTHORIZER,
  TINYAUTH_BATCHED_AUTHORIZER,
  TINYAUTH_CLOCK,
  TINYAUTH_OPTIONS,
} from '../tinyauth.constants';
import type { ResolvedTinyauthOptions, TinyauthModuleOptions } from '../options/tinyauth-options.interface';
import { resolveTinyauthOptions, TinyauthOptionsError } from '../options/resolve-options';
import { TinyauthClient } from '../client/tinyauth-client';
import type { SharedKeyScope } from '../cache/shared-entries';
import type { Authorizer } from '../authorizer/authorizer.interface';
import { BypassAuthorizer } from '../authorizer/bypass.authorizer';
import { RemoteAuthorizer } from '../authorizer/remote.authorizer';
import { CachedAuthorizer } from '../authorizer/cached.authorizer';
import { BatchingAuthorizer } from '../authorizer/batching.authorizer';
import { LocalAuthorizer } from '../authorizer/local';
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

/** Validates the options once, at start-up, and refuses bypass mode in production. */
export function createResolvedOptions(raw: TinyauthModuleOptions): ResolvedTinyauthOptions {
  const options = resolveTinyauthOptions(raw);
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

/** What names (and, for local mode, encrypts) what the service's replicas share. */
function sharedKeyScope(options: ResolvedTinyauthOptions, namespace: string): SharedKeyScope {
  const { secretAccessKey, accessKeyId, service, partition } = options;
  return { secretAccessKey, accessKeyId, service, partition, namespace };
}

/** Picks the decision strategy named by `mode` (bypass overrides it). */
function createAuthorizer(
  options: ResolvedTinyauthOptions,
  client: TinyauthClient,
  telemetry: TinyauthTelemetry,
): Authorizer {
  if (options.bypass) return new BypassAuthorizer();
  const remote = new RemoteAuthorizer(client);
  switch (options.mode) {
    case 'cached':
      // Batched behind the cache, not in front of it: each request's checks are looked up and kept on their own,
      // and only the misses of one tick share a call to tinyauth.
      return new CachedAuthorizer(new BatchingAuthorizer(remote), {
        cacheTtlMs: options.cacheTtlMs,
        cacheMaxEntries: options.cacheMaxEntries,
        onLookup: telemetry.cacheLookup,
        shared: options.sharedCache && {
          store: options.sharedCache.store,
          timeoutMs: options.sharedCache.timeoutMs,
          invalidationCheckMs: options.sharedCache.invalidationCheckMs,
          leaseMs: options.timeoutMs,
          keys: sharedKeyScope(options, options.sharedCache.namespace),
        },
      });
    case 'local': {
      const local = new LocalAuthorizer(client, remote, {
        ...options,
        sharedFetched: options.sharedCache && {
          store: options.sharedCache.store,
          timeoutMs: options.sharedCache.timeoutMs,
          keys: sharedKeyScope(options, options.sharedCache.namespace),
          keyCacheMaxMs: options.keyCacheMaxMs,
          leaseMs: options.timeoutMs,
        },
      });
      telemetry.watchLocalCaches(() => local.cacheSnapshot());
      return local;
    }
    default:
      return remote;
  }
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
  return strategy instanceof BypassAuthorizer || options.mode === 'cached'
    ? strategy
    : new BatchingAuthorizer(strategy);
}

/** Decision events go to `onDecision` and, with `auditLog: true`, to the audit log. */
function createDecisionObserver(
  options: ResolvedTinyauthOptions,
  telemetry: TinyauthTelemetry,
): DecisionObserver {
  const handlers = [
    ...(options.onDecision === undefined ? [] : [options.onDecision]),
    ...(options.auditLog ? [tinyauthAuditLogger()] : []),
  ];
  return new DecisionObserver({ mode: options.bypass ? 'bypass' : options.mode, handlers }, telemetry);
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
      useFactory: (options: ResolvedTinyauthOptions, client: TinyauthClient, telemetry: TinyauthTelemetry) =>
        withDenialExplanations(createAuthorizer(options, client, telemetry), options, client),
      inject: [TINYAUTH_OPTIONS, TinyauthClient, TinyauthTelemetry],
    },
    {
      provide: DecisionObserver,
      useFactory: createDecisionObserver,
      inject: [TINYAUTH_OPTIONS, TinyauthTelemetry],
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
