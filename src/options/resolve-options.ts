import { readFileSync } from 'node:fs';
import { validateSync, type ValidationError } from 'class-validator';
import type { ResolvedTinyauthOptions, TinyauthOptionValues } from './tinyauth-options.interface';
import { TinyauthOptionsSchema } from './tinyauth-options.schema';
import { canonicalOrigin } from '../core/origin';
import { resolveSharedCache } from './shared-cache-options';

/** Start-up failure caused by a bad option; its message names every bad field, never a value. */
export class TinyauthOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`nestjs-tinyauth: invalid TinyauthModule options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TinyauthOptionsError';
  }
}

export const DEFAULT_TIMEOUT_MS = 5000;
/** Default `cacheTtlMs`: allow decisions reused for 5 s in `cached` mode. */
export const DEFAULT_CACHE_TTL_MS = 5000;
/** Default `cacheMaxEntries` of each cache in `cached` and `local` modes. */
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** Default `maxStaleMs`: keys and policies used up to 10 minutes past expiry while tinyauth is down. */
export const DEFAULT_MAX_STALE_MS = 600_000;
/** Default `negativeCacheTtlMs`: unknown keys and users remembered for 30 s. */
export const DEFAULT_NEGATIVE_CACHE_TTL_MS = 30_000;
/** Default `loginWindowMs`: failed sign-ins are counted in 15-minute windows. */
export const DEFAULT_LOGIN_WINDOW_MS = 900_000;
/** Default `loginMaxFailuresPerAddress`. */
export const DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS = 10;
/** Default `loginMaxFailuresPerUser`. */
export const DEFAULT_LOGIN_MAX_FAILURES_PER_USER = 30;
/** Default `keyCacheMaxMs`: a revoked key or user stops verifying in local mode within 5 minutes. */
export const DEFAULT_KEY_CACHE_MAX_MS = 300_000;

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const field = `${prefix}${e.property}`;
    // Messages only: class-validator's `value` could be the secret.
    const own = Object.values(e.constraints ?? {}).map((m) => `${field}: ${m.replace(`${e.property} `, '')}`);
    return [...own, ...describe(e.children ?? [], `${field}.`)];
  });
}

// flask_tinyauth appended paths to TINYAUTH_ENDPOINT blindly; accept both spellings.
const withTrailingSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

/**
 * Validates raw options (from `forRoot`, a factory or the environment) and fills in the defaults. Throws
 * `TinyauthOptionsError` naming each bad option, so a misconfigured app stops at start-up. `customStrategy` is
 * true when the application gives its own `authorizer` (checked by the module): the cache settings then serve the
 * built-in strategies it may build, whatever `mode` says.
 */
export function resolveTinyauthOptions(raw: unknown, customStrategy = false): ResolvedTinyauthOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TinyauthOptionsError(['options: expected an object']);
  }
  const schema = Object.assign(new TinyauthOptionsSchema(), raw);
  const problems = describe(
    validateSync(schema, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false } }),
  );
  if (problems.length > 0) throw new TinyauthOptionsError(problems);

  const options = raw as TinyauthOptionValues;
  const loginMaxFailuresPerAddress =
    options.loginMaxFailuresPerAddress ?? DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS;
  const loginMaxFailuresPerUser = options.loginMaxFailuresPerUser ?? DEFAULT_LOGIN_MAX_FAILURES_PER_USER;
  if (loginMaxFailuresPerUser <= loginMaxFailuresPerAddress) {
    // The per-address limit must bite first, so no single address can lock a user name out.
    throw new TinyauthOptionsError([
      `loginMaxFailuresPerUser: must be greater than loginMaxFailuresPerAddress (${loginMaxFailuresPerAddress}), so one address cannot lock a user name out`,
    ]);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const mode = options.mode ?? 'remote';
  const sharedCache = options.bypass
    ? undefined
    : resolveSharedCache(options.sharedCache, customStrategy ? 'cached' : mode, timeoutMs, problems);
  if (problems.length > 0) throw new TinyauthOptionsError(problems);
  const endpointVerify = options.endpointVerify ?? true;
  let caBundle: string | undefined;
  if (typeof endpointVerify === 'string') {
    try {
      caBundle = readFileSync(endpointVerify, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new TinyauthOptionsError([`endpointVerify: cannot read the CA bundle file (${reason})`]);
    }
  }
  return {
    endpoint: withTrailingSlash(options.endpoint ?? 'http://127.0.0.1/'),
    accessKeyId: options.accessKeyId ?? '',
    secretAccessKey: options.secretAccessKey ?? '',
    service: options.service,
    partition: options.partition ?? 'tinyauth',
    region: options.region ?? 'default',
    endpointVerify,
    caBundle,
    bypass: options.bypass ?? false,
    timeoutMs,
    httpClient: options.httpClient,
    csrfStrategy: options.csrfStrategy ?? 'cookie',
    cookieSecure: options.cookieSecure ?? true,
    mode,
    cacheTtlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
    cacheMaxEntries: options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
    maxStaleMs: options.maxStaleMs ?? DEFAULT_MAX_STALE_MS,
    negativeCacheTtlMs: options.negativeCacheTtlMs ?? DEFAULT_NEGATIVE_CACHE_TTL_MS,
    keyCacheMaxMs: options.keyCacheMaxMs ?? DEFAULT_KEY_CACHE_MAX_MS,
    allowedOrigins: (options.allowedOrigins ?? []).map((origin) => canonicalOrigin(origin) as string),
    loginWindowMs: options.loginWindowMs ?? DEFAULT_LOGIN_WINDOW_MS,
    loginMaxFailuresPerAddress,
    loginMaxFailuresPerUser,
    explain: options.explain ?? false,
    contextKeys: options.contextKeys ?? [],
    onDecision: options.onDecision,
    rpcHeaders: options.rpcHeaders,
    auditLog: options.auditLog ?? false,
    sharedCache,
  };
}
