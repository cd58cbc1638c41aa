import type { TinyauthOptionValues } from './tinyauth-options.interface';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

// Unrecognised text is passed through unchanged so validation names the variable's option instead of guessing.
function flag(value: string | undefined): boolean | string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return value;
}

function int(value: string | undefined): number | string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(/[\s,]+/).filter((item) => item !== '');
}

/**
 * Reads flask_tinyauth's settings from the environment: TINYAUTH_ENDPOINT, TINYAUTH_ACCESS_KEY_ID,
 * TINYAUTH_SECRET_ACCESS_KEY, TINYAUTH_SERVICE, TINYAUTH_PARTITION, TINYAUTH_REGION, TINYAUTH_ENDPOINT_VERIFY (or
 * TINYAUTH_VERIFY, the name flask_tinyauth's code reads), TINYAUTH_BYPASS, plus TINYAUTH_TIMEOUT_MS, TINYAUTH_HTTP_CLIENT,
 * TINYAUTH_CSRF_STRATEGY, TINYAUTH_COOKIE_SECURE, TINYAUTH_MODE, TINYAUTH_CACHE_TTL_MS, TINYAUTH_CACHE_MAX_ENTRIES,
 * TINYAUTH_MAX_STALE_MS, TINYAUTH_NEGATIVE_CACHE_TTL_MS, TINYAUTH_KEY_CACHE_MAX_MS, TINYAUTH_ALLOWED_ORIGINS
 * (comma or space separated), TINYAUTH_LOGIN_WINDOW_MS, TINYAUTH_LOGIN_MAX_FAILURES_PER_ADDRESS,
 * TINYAUTH_LOGIN_MAX_FAILURES_PER_USER, TINYAUTH_EXPLAIN, TINYAUTH_CONTEXT_KEYS (comma or space separated) and
 * TINYAUTH_AUDIT_LOG.
 * Unset variables are left out so defaults apply; the result is
 * validated when the module starts.
 *
 * @example
 * TinyauthModule.forRootAsync({ useFactory: () => tinyauthOptionsFromEnv() })
 */
export function tinyauthOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TinyauthOptionValues {
  const verify = env.TINYAUTH_ENDPOINT_VERIFY ?? env.TINYAUTH_VERIFY;
  const verifyFlag = flag(verify);
  const entries: Record<string, unknown> = {
    endpoint: env.TINYAUTH_ENDPOINT,
    accessKeyId: env.TINYAUTH_ACCESS_KEY_ID,
    secretAccessKey: env.TINYAUTH_SECRET_ACCESS_KEY,
    service: env.TINYAUTH_SERVICE,
    partition: env.TINYAUTH_PARTITION || undefined,
    region: env.TINYAUTH_REGION || undefined,
    // A value that is not a flag is the path of a CA bundle, as in flask_tinyauth.
    endpointVerify:
      verifyFlag === undefined ? undefined : typeof verifyFlag === 'boolean' ? verifyFlag : verify,
    bypass: flag(env.TINYAUTH_BYPASS),
    timeoutMs: int(env.TINYAUTH_TIMEOUT_MS),
    httpClient: env.TINYAUTH_HTTP_CLIENT?.trim().toLowerCase() || undefined,
    csrfStrategy: env.TINYAUTH_CSRF_STRATEGY || undefined,
    cookieSecure: flag(env.TINYAUTH_COOKIE_SECURE),
    mode: env.TINYAUTH_MODE?.trim().toLowerCase() || undefined,
    cacheTtlMs: int(env.TINYAUTH_CACHE_TTL_MS),
    cacheMaxEntries: int(env.TINYAUTH_CACHE_MAX_ENTRIES),
    maxStaleMs: int(env.TINYAUTH_MAX_STALE_MS),
    negativeCacheTtlMs: int(env.TINYAUTH_NEGATIVE_CACHE_TTL_MS),
    keyCacheMaxMs: int(env.TINYAUTH_KEY_CACHE_MAX_MS),
    allowedOrigins: list(env.TINYAUTH_ALLOWED_ORIGINS),
    loginWindowMs: int(env.TINYAUTH_LOGIN_WINDOW_MS),
    loginMaxFailuresPerAddress: int(env.TINYAUTH_LOGIN_MAX_FAILURES_PER_ADDRESS),
    loginMaxFailuresPerUser: int(env.TINYAUTH_LOGIN_MAX_FAILURES_PER_USER),
    explain: flag(env.TINYAUTH_EXPLAIN),
    contextKeys: list(env.TINYAUTH_CONTEXT_KEYS),
    auditLog: flag(env.TINYAUTH_AUDIT_LOG),
  };
  return Object.fromEntries(
    Object.entries(entries).filter(([, v]) => v !== undefined),
  ) as unknown as TinyauthOptionValues;
}
