import type { TinyauthHttpResponse } from './wire-types';

/**
 * How long an answer may be reused, in ms, from its `Cache-Control: max-age` (preferred) or `Expires` (relative
 * to its `Date`, else to now). `no-store`/`no-cache` and unparsable headers give 0: not cached at all.
 */
export function cacheLifetimeMs(response: TinyauthHttpResponse, now: number = Date.now()): number {
  const cacheControl = response.headers['cache-control'];
  if (cacheControl !== undefined) {
    if (/(?:^|,)\s*(?:no-store|no-cache|private=?)/i.test(cacheControl)) return 0;
    const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
    if (maxAge !== null) return Number(maxAge[1]) * 1000;
  }
  const expires = response.headers.expires;
  if (expires === undefined) return 0;
  const expiresAt = Date.parse(expires);
  if (Number.isNaN(expiresAt)) return 0;
  const date = response.headers.date === undefined ? NaN : Date.parse(response.headers.date);
  return Math.max(0, expiresAt - (Number.isNaN(date) ? now : date));
}
