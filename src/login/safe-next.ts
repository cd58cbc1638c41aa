/** Where a sign-in lands when `next` is absent or unsafe. */
export const DEFAULT_NEXT = '/';

/** Longest `next` accepted; longer values are more likely an attack than a real page. */
const MAX_NEXT_LENGTH = 2048;

/**
 * Returns `value` when it is a path on this site, else `/`. Used for every `next` the login flow reflects or
 * redirects to, so a crafted link cannot turn the login page into an open redirect.
 *
 * Accepted: a single leading `/` followed by anything printable except a backslash, e.g. `/apples?page=2#top`.
 * Refused: absolute URLs (`https://x`, `javascript:…`), protocol-relative ones (`//evil.com`, `/\evil.com`, since
 * browsers read `\` as `/`), anything with control characters, whitespace tricks or a backslash, and non-strings.
 */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NEXT_LENGTH) return DEFAULT_NEXT;
  if (value[0] !== '/' || value[1] === '/') return DEFAULT_NEXT;
  // Browsers strip tabs and newlines from URLs and treat `\` as `/`, so `/\t/evil` or `/\evil` would escape the site.
  // Control characters (C0, DEL, C1), spaces and line separators are never needed in a real path.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(value)) return DEFAULT_NEXT;
  try {
    encodeURI(value); // throws on lone surrogates, which no header or URL can carry
  } catch {
    return DEFAULT_NEXT;
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
