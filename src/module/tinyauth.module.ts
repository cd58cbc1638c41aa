import { Logger, Module } from '@nestjs/common';
import { HttpModule } from '@nestjs/axios';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { TINYAUTH_AUTHORIZER, TINYAUTH_OPTIONS } from '../tinyauth.constants';
import type { ResolvedTinyauthOptions, TinyauthModuleOptions } from '../options/tinyauth-options.interface';
import { resolveTinyauthOptions, TinyauthOptionsError } from '../options/resolve-options';
import { TinyauthClient } from '../client/tinyauth-client';
import type { Authorizer } from '../authorizer/authorizer.interface';
import { BypassAuthorizer } from '../authorizer/bypass.authorizer';
import { RemoteAuthorizer } from '../authorizer/remote.authorizer';
import { CachedAuthorizer } from '../authorizer/cached.authorizer';
import { LocalAuthorizer } from '../authorizer/local';
import { TinyauthService } from '../authorizer/tinyauth.service';
import { TinyauthGuard } from '../guard/tinyauth.guard';
import { RouteAccessValidator } from '../guard/route-access.validator';
import { LoginRedirectFilter } from '../login/login-redirect.filter';
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

/** Picks the decision strategy named by `mode` (bypass overrides it). */
function createAuthorizer(options: ResolvedTinyauthOptions, client: TinyauthClient): Authorizer {
  if (options.bypass) return new BypassAuthorizer();
  const remote = new RemoteAuthorizer(client);
  switch (options.mode) {
    case 'cached':
      return new CachedAuthorizer(remote, {
        cacheTtlMs: options.cacheTtlMs,
        cacheMaxEntries: options.cacheMaxEntries,
        shared: options.sharedCache && {
          store: options.sharedCache.store,
          timeoutMs: options.sharedCache.timeoutMs,
          invalidationCheckMs: options.sharedCache.invalidationCheckMs,
          keys: {
            secretAccessKey: options.secretAccessKey,
            accessKeyId: options.accessKeyId,
            service: options.service,
            partition: options.partition,
            namespace: options.sharedCache.namespace,
          },
        },
      });
    case 'local':
      return new LocalAuthorizer(client, remote, options);
    default:
      return remote;
  }
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
    TinyauthClient,
    {
      provide: TINYAUTH_AUTHORIZER,
      useFactory: createAuthorizer,
      inject: [TINYAUTH_OPTIONS, TinyauthClient],
    },
    TinyauthService,
    TinyauthGuard,
    RouteAccessValidator,
    // Global, so @RedirectToLogin() pages redirect even when the login page is mounted by hand.
    { provide: APP_FILTER, useClass: LoginRedirectFilter },
  ],
  exports: [TINYAUTH_OPTIONS, TINYAUTH_AUTHORIZER, TinyauthClient, TinyauthService, TinyauthGuard],
})
export class TinyauthModule extends TinyauthConfigurableModule {}
