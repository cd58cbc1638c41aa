import type { TinyauthDecisionHandler } from '../decision-event';
import type { SharedCacheStore } from '../cache/shared-store';

/** How the login flow ties a session to a browser (tinyauth's `csrf-strategy`). */
export type CsrfStrategy = 'cookie' | 'header-token' | 'none';

/**
 * How decisions are reached: `remote` asks tinyauth for every request; `cached` also reuses allow decisions for a
 * short time; `local` verifies credentials and evaluates policies in-process from keys and policies fetched from
 * tinyauth (as tinyauth's own proxy mode does), asking tinyauth only for what it cannot decide itself.
 */
export type TinyauthMode = 'remote' | 'cached' | 'local';

/** Where tinyauth is and how this service signs in to it. */
export interface TinyauthConnectionOptions {
  /** tinyauth's base URL, e.g. `https://tinyauth.example/` (TINYAUTH_ENDPOINT). A missing trailing slash is added. */
  endpoint: string;
  /** Access key id of this service's tinyauth user (TINYAUTH_ACCESS_KEY_ID). */
  accessKeyId: string;
  /** Secret of that access key (TINYAUTH_SECRET_ACCESS_KEY). Never logged. */
  secretAccessKey: string;
  /**
   * How calls to tinyauth are sent (TINYAUTH_HTTP_CLIENT). `http-service` (the default, also when unset): through `@nestjs/axios`'s
   * `HttpService`, so the axios interceptors and defaults (headers, params) of the `HttpModule` apply to every
   * call. `undici`: straight to the client's keep-alive undici agent, skipping axios (a few µs less per call; no
   * interceptor or axios default applies). Both use the same headers, `timeoutMs`, TLS settings and error mapping.
   */
  httpClient?: 'http-service' | 'undici';
}

/**
 * A store shared by the service's replicas (see the README, "Running many replicas"). `cached` mode: allow
 * decisions one replica got from tinyauth are reused by every replica, and invalidations reach every replica.
 * `local` mode: the signing keys (encrypted) and policies one replica fetched are reused by every replica.
 *
 * @example
 * sharedCache: { store: new Keyv({ store: new KeyvRedis(redisUrl), throwOnErrors: true }) }
 */
export interface SharedDecisionCacheOptions {
  /**
   * The shared store: a Keyv instance (`keyv` + `@keyv/redis`), a cache-manager / `@nestjs/cache-manager` `Cache`,
   * or anything with `get(key)` and `set(key, value, ttlMs)`. This package never connects, closes or configures it.
   */
  store: SharedCacheStore;
  /**
   * Time allowed for one store operation, in ms; beyond it the store counts as failed and tinyauth decides.
   * Default: the smaller of 50 and a quarter of `timeoutMs`. Must be below `timeoutMs`.
   */
  timeoutMs?: number;
  /** Prefix of every key written (letters, digits, `_ . : -`). Default `tinyauth`. */
  namespace?: string;
  /**
   * `cached` mode: how long a replica trusts the invalidation marks it read before reading them again, in ms: the
   * bound within which `TinyauthService.invalidateCachedDecisions` reaches every replica. Default 1000.
   */
  invalidationCheckMs?: number;
}

/** {@link SharedDecisionCacheOptions} with every default filled in. */
export type ResolvedSharedCacheOptions = Required<SharedDecisionCacheOptions>;

/** The options every configuration has, whether it talks to tinyauth or bypasses it. */
export interface TinyauthCommonOptions {
  /** This service's name: the action prefix and the ARN's service field (TINYAUTH_SERVICE). */
  service: string;
  /** ARN partition (TINYAUTH_PARTITION). Default `tinyauth`. */
  partition?: string;
  /** ARN region (TINYAUTH_REGION). Default `default`. */
  region?: string;
  /**
   * TLS verification of tinyauth's certificate (TINYAUTH_ENDPOINT_VERIFY or TINYAUTH_VERIFY): `true` (default),
   * `false`, or the path of a CA bundle (PEM) to trust.
   */
  endpointVerify?: boolean | string;
  /** Time allowed for one call to tinyauth, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** CSRF strategy asked for at login: `cookie` (default), `header-token` or `none`. */
  csrfStrategy?: CsrfStrategy;
  /** Set the `Secure` flag on session cookies. Default true; set false only for local http development. */
  cookieSecure?: boolean;
  /** Decision strategy (TINYAUTH_MODE): `remote` (default), `cached` or `local`. See `TinyauthMode`. */
  mode?: TinyauthMode;
  /**
   * `cached` mode: how long an allow decision is reused, in ms (TINYAUTH_CACHE_TTL_MS). Default 5000. Revocations
   * and time-based conditions take effect at most this late.
   */
  cacheTtlMs?: number;
  /** `cached` and `local` modes: most entries of each cache (TINYAUTH_CACHE_MAX_ENTRIES). Default 10000. */
  cacheMaxEntries?: number;
  /**
   * `local` mode: how long past its expiry a fetched key or policy may still be used while tinyauth is unreachable,
   * in ms (TINYAUTH_MAX_STALE_MS). Default 600000 (10 minutes); beyond it requests fail closed (503).
   */
  maxStaleMs?: number;
  /**
   * `local` mode: how long "no such key/user" answers are remembered, in ms (TINYAUTH_NEGATIVE_CACHE_TTL_MS), so
   * random key ids cannot flood tinyauth. Default 30000.
   */
  negativeCacheTtlMs?: number;
  /**
   * `local` mode: the longest a fetched signing key is trusted before tinyauth is asked again, in ms
   * (TINYAUTH_KEY_CACHE_MAX_MS). Default 300000 (5 minutes). tinyauth grants 3 days, so without this cap a deleted
   * access key or user would keep verifying locally for that long.
   */
  keyCacheMaxMs?: number;
  /**
   * Login flow: origins besides the app's own that may post the sign-in form (TINYAUTH_ALLOWED_ORIGINS, comma
   * separated), each `scheme://host[:port]` such as `https://www.example.com`. Default none. See the README's
   * "Login flow" for the origin rule.
   */
  allowedOrigins?: string[];
  /** Login flow: length of the window in which failed sign-ins are counted, in ms (TINYAUTH_LOGIN_WINDOW_MS). Default 900000 (15 minutes). */
  loginWindowMs?: number;
  /**
   * Login flow: failed sign-ins allowed from one client address (an IPv6 /64) per window, for any user names
   * (TINYAUTH_LOGIN_MAX_FAILURES_PER_ADDRESS). Default 10; must stay below `loginMaxFailuresPerUser`.
   */
  loginMaxFailuresPerAddress?: number;
  /**
   * Login flow: failed sign-ins allowed for one user name per window, from all addresses together
   * (TINYAUTH_LOGIN_MAX_FAILURES_PER_USER). Default 30.
   */
  loginMaxFailuresPerUser?: number;
  /**
   * Development aid (TINYAUTH_EXPLAIN): log why each NotPermitted denial was refused, statement by statement (see
   * `TinyauthService.explain`). Costs two extra calls to tinyauth per denial, so it is ignored, with a start-up
   * warning, when NODE_ENV=production. Default false.
   */
  explain?: boolean;
  /**
   * Context keys this app sends besides SourceIp and RequestDateTime (TINYAUTH_CONTEXT_KEYS, comma-separated):
   * the keys of `TinyauthGuard.getContext` and of the `context` given to `TinyauthService.authorize`. Only the policy
   * linter reads it, to warn about conditions on keys that are never sent. Default none.
   */
  contextKeys?: string[];
  /**
   * `cached` and `local` modes: a store shared by every replica of the service (e.g. Redis through Keyv) as a second
   * tier behind the in-process caches (of decisions, or of fetched keys and policies). Unset: each process caches
   * for itself.
   */
  sharedCache?: SharedDecisionCacheOptions;
}

/**
 * Reads the end user's credential headers from a microservice message: `[name, value]` pairs (e.g.
 * `[['Authorization', 'Basic ...']]`) from the payload (`@Payload()`) and the transport's context (`@Ctx()`).
 */
export type TinyauthRpcHeadersReader = (data: unknown, context: unknown) => Array<[string, string]>;

/** Where the guard finds credentials outside HTTP. */
export interface TinyauthTransportOptions {
  /**
   * Microservice handlers: where a message carries the end user's credentials. Default: the payload's `headers`
   * field (`{ authorization, cookie }`) and the transport's own metadata where it has some (gRPC `Metadata`). A
   * reader that throws gives no credentials (401).
   */
  rpcHeaders?: TinyauthRpcHeadersReader;
}

/** What the module reports about each decision (spans and metrics need no option: see the README's Observability). */
export interface TinyauthObservabilityOptions {
  /**
   * Called with one `TinyauthDecisionEvent` per guarded request and `TinyauthService` call, synchronously after
   * the decision. It cannot change the decision; a throw or rejected promise is caught and logged once.
   */
  onDecision?: TinyauthDecisionHandler;
  /** Write every decision event as one JSON line on Nest's `Logger` (context `TinyauthAudit`). Default false. */
  auditLog?: boolean;
}

/**
 * The data options of `TinyauthModule.forRoot` / `forRootAsync` (the seed's `TINYAUTH_*` settings and more), all
 * but the `authorizer` strategy (see the module's `TinyauthModuleOptions`). `endpoint`, `accessKeyId` and
 * `secretAccessKey` are required unless `bypass` is true.
 */
export type TinyauthOptionValues = TinyauthCommonOptions &
  TinyauthObservabilityOptions &
  TinyauthTransportOptions &
  (
    | (TinyauthConnectionOptions & {
        /** Allow everything without asking tinyauth (TINYAUTH_BYPASS). Development only: refused in production. */
        bypass?: boolean;
      })
    | (Partial<TinyauthConnectionOptions> & { bypass: true })
  );

/** Options after validation, with every default filled in. */
export interface ResolvedTinyauthOptions
  extends Required<Omit<TinyauthCommonOptions, 'sharedCache'>>, TinyauthConnectionOptions {
  /** The shared tier of `cached` mode, when configured. */
  sharedCache: ResolvedSharedCacheOptions | undefined;
  /** True in bypass mode (development only). */
  bypass: boolean;
  /** PEM text of the CA bundle when `endpointVerify` is a path. */
  caBundle?: string;
  /** The application's decision handler, if any. */
  onDecision?: TinyauthDecisionHandler;
  /** Whether decision events are written to the audit log. */
  auditLog: boolean;
  /** The application's reader of microservice credentials, if any. */
  rpcHeaders?: TinyauthRpcHeadersReader;
}

/** The module-level switches that shape what the module registers (given beside `forRoot`'s options). */
export interface TinyauthModuleExtras {
  /** Make the module global. Default false. */
  isGlobal?: boolean;
  /** Mount `LoginController` (GET/POST `/login`, GET `/logout`): `true`, or `{ path }` for another base path. */
  login?: boolean | { path?: string };
}
