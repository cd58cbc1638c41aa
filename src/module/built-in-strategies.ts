import type { Authorizer } from '../authorizer/authorizer.interface';
import { BatchingAuthorizer } from '../authorizer/batching.authorizer';
import type { SharedKeyScope } from '../cache/shared-entries';
import { CachedAuthorizer } from '../authorizer/cached.authorizer';
import { LocalAuthorizer } from '../authorizer/local';
import { RemoteAuthorizer } from '../authorizer/remote.authorizer';
import type { TinyauthClient } from '../client/tinyauth-client';
import type { TinyauthTelemetry } from '../observability/telemetry';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import type { TinyauthStrategies } from './authorizer-option';

/** {@link TinyauthStrategies} over the module's options, client and telemetry; `built` lists what it made. */
export class BuiltInStrategies implements TinyauthStrategies {
  /** Every strategy built so far, for the module to start and stop. */
  readonly built: Authorizer[] = [];

  constructor(
    private readonly options: ResolvedTinyauthOptions,
    private readonly client: TinyauthClient,
    private readonly telemetry: TinyauthTelemetry,
  ) {}

  remote(): Authorizer {
    return this.keep(new RemoteAuthorizer(this.client));
  }

  cached(): Authorizer {
    const { options } = this;
    // Batched behind the cache, not in front of it: each request's checks are looked up and kept on their own,
    // and only the misses of one tick share a call to tinyauth.
    return this.keep(
      new CachedAuthorizer(new BatchingAuthorizer(new RemoteAuthorizer(this.client)), {
        cacheTtlMs: options.cacheTtlMs,
        cacheMaxEntries: options.cacheMaxEntries,
        onLookup: this.telemetry.cacheLookup,
        shared: options.sharedCache && {
          store: options.sharedCache.store,
          timeoutMs: options.sharedCache.timeoutMs,
          invalidationCheckMs: options.sharedCache.invalidationCheckMs,
          leaseMs: options.timeoutMs,
          keys: this.sharedKeyScope(options.sharedCache.namespace),
        },
      }),
    );
  }

  local(): Authorizer {
    const { options } = this;
    const local = new LocalAuthorizer(this.client, new RemoteAuthorizer(this.client), {
      ...options,
      sharedFetched: options.sharedCache && {
        store: options.sharedCache.store,
        timeoutMs: options.sharedCache.timeoutMs,
        keys: this.sharedKeyScope(options.sharedCache.namespace),
        keyCacheMaxMs: options.keyCacheMaxMs,
        leaseMs: options.timeoutMs,
      },
    });
    this.telemetry.watchLocalCaches(() => local.cacheSnapshot());
    return this.keep(local);
  }

  /** The strategy `mode` names: what the module uses when no `authorizer` is given. */
  byMode(): Authorizer {
    switch (this.options.mode) {
      case 'cached':
        return this.cached();
      case 'local':
        return this.local();
      default:
        return this.remote();
    }
  }

  /** What names (and, for local mode, encrypts) what the service's replicas share. */
  private sharedKeyScope(namespace: string): SharedKeyScope {
    const { secretAccessKey, accessKeyId, service, partition } = this.options;
    return { secretAccessKey, accessKeyId, service, partition, namespace };
  }

  private keep(strategy: Authorizer): Authorizer {
    this.built.push(strategy);
    return strategy;
  }
}
