import { serialize, type SerializeOptions } from 'cookie';
import type { LoginToken } from '../client/wire-types';
import { jwtExpiry } from '../core/jwt';

/** The session cookie tinyauth reads (its name is fixed by tinyauth). */
export const SESSION_COOKIE = 'tinysess';
/** The script-readable copy of the `header-token` CSRF value, to be sent back as `X-CSRF-Token`. */
export const CSRF_COOKIE = 'tinycsrf';

/** Lifetime used when the token carries no usable `exp` (tinyauth mints exp = iat + 8 h). */
export const FALLBACK_SESSION_SECONDS = 8 * 60 * 60;

/** How long the cookies of `token` should live, from `now` (ms): until its `exp`, else 8 h. */
export function sessionLifetimeSeconds(token: string, now: number = Date.now()): number {
  const exp = jwtExpiry(token);
  const remaining = exp === undefined ? 0 : exp - Math.floor(now / 1000);
  // An exp already past by our clock means the clocks disagree; tinyauth's own check still applies.
  return remaining > 0 ? remaining : FALLBACK_SESSION_SECONDS;
}

function baseOptions(secure: boolean): SerializeOptions {
  return { path: '/', sameSite: 'lax', secure };
}

/**
 * The `Set-Cookie` values for a new session: `tinysess` (HttpOnly) and, for the `header-token` strategy,
 * `tinycsrf` (readable by the page's scripts so they can send `X-CSRF-Token`). Both expire with the token.
 */
export function sessionCookies(login: LoginToken, secure: boolean, now: number = Date.now()): string[] {
  const maxAge = sessionLifetimeSeconds(login.token, now);
  const lifetime = { ...baseOptions(secure), maxAge, expires: new Date(now + maxAge * 1000) };
  const cookies = [serialize(SESSION_COOKIE, login.token, { ...lifetime, httpOnly: true })];
  if (login.csrf !== undefined)
    cookies.push(serialize(CSRF_COOKIE, login.csrf, { ...lifetime, httpOnly: false }));
  return cookies;
}

/** The `Set-Cookie` values that remove both cookies (same name, path and flags; empty and already expired). */
export function clearedSessionCookies(secure: boolean): string[] {
  const expired = { ...baseOptions(secure), maxAge: 0, expires: new Date(0) };
  return [
    serialize(SESSION_COOKIE, '', { ...expired, httpOnly: true }),
    serialize(CSRF_COOKIE, '', { ...expired, httpOnly: false }),
  ];
}
