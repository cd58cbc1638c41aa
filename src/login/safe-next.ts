/** Where a sign-in lands when `next` is absent or unsafe. */
export const DEFAULT_NEXT = '/';

/** Longest `next` accepted; longer values are more likely an attack than a real page. */
const MAX_NEXT_LENGTH = 2048;

/**
 * Returns `value` when it is a path on this site, else `fallback` (default `/`; the login flow passes the root of
 * its own mount, e.g. `/api` under a global prefix). Used for every `next` the login flow reflects or
 * redirects to, so a crafted link cannot turn the login page into an open redirect.
 *
 * Accepted: a single leading `/` followed by anything printable except a backslash, e.g. `/apples?page=2#top`.
 * Refused: absolute URLs (`https://x`, `javascript:…`), protocol-relative ones (`//evil.com`, `/\evil.com`, since
 * browsers read `\` as `/`), anything with control characters, whitespace tricks or a backslash, and non-strings.
 */
export function safeNextPath(value: unknown, fallback: string = DEFAULT_NEXT): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NEXT_LENGTH) return fallback;
  if (value[0] !== '/' || value[1] === '/') return fallback;
  // Browsers strip tabs and newlines from URLs and treat `\` as `/`, so `/\t/evil` or `/\evil` would escape the site.
  // Control characters (C0, DEL, C1), spaces and line separators are never needed in a real path.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(value)) return fallback;
  try {
    encodeURI(value); // throws on lone surrogates, which no header or URL can carry
  } catch {
    return fallback;
  }
  return value;
}

/**
 * A safe path (from `safeNextPath`) as a `Location` header value: runs of non-ASCII characters are percent-encoded
 * (UTF-8), since HTTP header values cannot carry them; everything else is kept as it is.
 */
export function nextLocation(path: string): string {
  return path.replace(/[^\u0021-\u007e]+/g, (run) => encodeURI(run));
}
