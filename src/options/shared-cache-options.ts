import type { ResolvedSharedCacheOptions, TinyauthMode } from './tinyauth-options.interface';

/** Default `sharedCache.invalidationCheckMs`: invalidations reach every replica within one second. */
export const DEFAULT_INVALIDATION_CHECK_MS = 1000;
/** Default `sharedCache.namespace`. */
export const DEFAULT_SHARED_NAMESPACE = 'tinyauth';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The default store timeout: well under one call to tinyauth, so a slow store never costs more than a miss. */
export function defaultStoreTimeoutMs(timeoutMs: number): number {
  return Math.max(1, Math.min(50, Math.floor(timeoutMs / 4)));
}

/**
 * Checks `sharedCache` (already known to be an object or undefined) and fills in its defaults. Problems are
 * reported by field, never with a value; the result is undefined when there is nothing to share.
 */
export function resolveSharedCache(
  raw: unknown,
  mode: TinyauthMode,
  timeoutMs: number,
  problems: string[],
): ResolvedSharedCacheOptions | undefined {
  if (raw === undefined) return undefined;
  const options = raw as Record<string, unknown>;
  const before = problems.length;
  if (mode === 'remote') problems.push("sharedCache: only used with mode 'cached' or 'local'");
  for (const key of Object.keys(options)) {
    if (!['store', 'timeoutMs', 'namespace', 'invalidationCheckMs'].includes(key))
      problems.push(`sharedCache.${key}: unknown option`);
  }
  const store = options.store as { get?: unknown; set?: unknown } | null | undefined;
  if (
    store === null ||
    typeof store !== 'object' ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function'
  )
    problems.push(
      'sharedCache.store: must be a store with get(key) and set(key, value, ttlMs) methods (a Keyv, a cache-manager Cache)',
    );
  const storeTimeout = options.timeoutMs ?? defaultStoreTimeoutMs(timeoutMs);
  if (!isInt(storeTimeout) || storeTimeout < 1 || storeTimeout >= timeoutMs)
    problems.push('sharedCache.timeoutMs: must be an integer from 1 to below timeoutMs');
  const namespace = options.namespace ?? DEFAULT_SHARED_NAMESPACE;
  if (typeof namespace !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(namespace))
    problems.push('sharedCache.namespace: must be 1 to 64 letters, digits, "_", ".", ":" or "-"');
  const checkMs = options.invalidationCheckMs ?? DEFAULT_INVALIDATION_CHECK_MS;
  if (!isInt(checkMs) || checkMs < 10 || checkMs > 600_000)
    problems.push('sharedCache.invalidationCheckMs: must be an integer from 10 to 600000');
  if (problems.length > before) return undefined;
  return {
    store: options.store as ResolvedSharedCacheOptions['store'],
    timeoutMs: storeTimeout as number,
    namespace: namespace as string,
    invalidationCheckMs: checkMs as number,
  };
}
