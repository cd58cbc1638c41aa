/** Injection token of the validated options (`ResolvedTinyauthOptions`). */
export const TINYAUTH_OPTIONS = Symbol('TINYAUTH_OPTIONS');
/** Injection token of the active `Authorizer` strategy. */
export const TINYAUTH_AUTHORIZER = Symbol('TINYAUTH_AUTHORIZER');
/**
 * Injection token of the clock (`TinyauthClock`, `{ now(): number }` in epoch ms) the login rate limiter counts
 * time with. `Date.now` by default; override it in tests (`overrideProvider(TINYAUTH_CLOCK)`) to move time by hand.
 */
export const TINYAUTH_CLOCK = Symbol('TINYAUTH_CLOCK');
/** Injection token of the strategy behind the per-tick batching (what the guard and the service call). */
export const TINYAUTH_BATCHED_AUTHORIZER = Symbol('TINYAUTH_BATCHED_AUTHORIZER');
/** Injection token of the login page's base path (e.g. `/login`), or null when the login flow is not mounted. */
export const TINYAUTH_LOGIN_PATH = Symbol('TINYAUTH_LOGIN_PATH');

export const REQUIRE_ACTION_KEY = 'tinyauth:require-action';
export const PUBLIC_KEY = 'tinyauth:public';
export const REDIRECT_TO_LOGIN_KEY = 'tinyauth:redirect-to-login';

/** The request property the guard fills in on success (see `TinyauthRequestState`). */
export const TINYAUTH_REQUEST_PROPERTY = 'tinyauth';
