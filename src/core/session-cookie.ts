/**
 * The one reading of Cookie headers in this package: the `tinysess` session cookie exactly as tinyauth finds it
 * (protocol §3 step 1). tinyauth parses each Cookie header with Werkzeug 2.2's `parse_cookie` (the CVE-2023-23934
 * revision Debian ships) and merges them with `dict.update`, so:
 * - each header is encoded as Latin-1 (characters above U+00FF become `?`) and read as bytes;
 * - pairs are separated by `;` only (a comma is part of a value); whitespace around names, `=` and `;` is dropped;
 * - a name is taken verbatim (quotes and backslashes included) and compared case-sensitively; a segment without
 *   `=` is a cookie with an empty value, and an empty name is skipped;
 * - a value in double quotes may hold `;` and `=`; it is unquoted, with `\ooo` octal and `\x` escapes undone;
 * - within one header the first `tinysess` wins, across headers the later header wins;
 * - the value is decoded as UTF-8 with replacement characters.
 * The recorded answers of the real server for these shapes are the `authorize-by-token cookies` group of the
 * conformance data.
 */

/** The session cookie tinyauth reads from a request's Cookie headers. */
export interface SessionCookie {
  /** The `tinysess` value as tinyauth sees it (possibly empty); undefined when there is none. */
  readonly token: string | undefined;
  /**
   * False when the value held bytes outside ASCII: tinyauth decodes those with Python's UTF-8 replacement rules,
   * which an in-process decision should not rely on. Such a request is left to tinyauth itself.
   */
  readonly exact: boolean;
}

const NONE: SessionCookie = { token: undefined, exact: true };

/** Python's `bytes.strip()` and the `\s` of a bytes pattern: space, \t, \n, \r, \v, \f. */
const WS = '[ \\t\\n\\r\\v\\f]';
// Werkzeug's `_cookie_re`, matched (anchored) at each position of the header plus a final `;`. Bytes `.` stops
// only at \n, so it is `[^\n]` here; JavaScript's backtracking order is Python's, so the same input splits alike.
const PAIR = new RegExp(`([^=;]*)(?:${WS}*=${WS}*("(?:[^\\\\"]|\\\\[^\\n])*"|[^\\n]*?))?${WS}*;${WS}*`, 'y');
const EDGE_WS = new RegExp(`^${WS}+|${WS}+$`, 'g');
// http.cookies-style escapes inside a quoted value; the earliest wins, octal on a tie.
const ESCAPE = /\\(?:([0-3][0-7][0-7])|([^\n]))/g;
// eslint-disable-next-line no-control-regex
const NON_LATIN1 = /[^\x00-\xff]/g;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** Werkzeug's `_cookie_unquote`, on a Latin-1 string of bytes. */
function unquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  return value
    .slice(1, -1)
    .replace(ESCAPE, (_m, octal: string | undefined, char: string | undefined) =>
      octal !== undefined ? String.fromCharCode(parseInt(octal, 8)) : (char as string),
    );
}

/** The first `tinysess` of one header, as Latin-1 bytes; undefined when the header has none. */
function firstSessionIn(header: string): string | undefined {
  const bytes = header.replace(NON_LATIN1, '?');
  const input = `${bytes};`;
  let i = 0;
  while (i < bytes.length) {
    PAIR.lastIndex = i;
    const match = PAIR.exec(input);
    if (match === null) break;
    i = PAIR.lastIndex;
    if (match[1].replace(EDGE_WS, '') === 'tinysess') return unquote(match[2] ?? '');
  }
  return undefined;
}

/**
 * Finds the `tinysess` cookie in `cookieHeaders` (every Cookie header of the request, in order) as tinyauth does.
 * Pure and total: never throws, whatever the input.
 */
export function readSessionCookie(cookieHeaders: readonly string[]): SessionCookie {
  let raw: string | undefined;
  for (const header of cookieHeaders) {
    // Cheap reject: a header that cannot name tinysess leaves the merged value alone.
    if (!header.includes('tinysess')) continue;
    const found = firstSessionIn(header);
    if (found !== undefined) raw = found;
  }
  if (raw === undefined) return NONE;
  if (!NON_ASCII.test(raw)) return { token: raw, exact: true };
  return { token: Buffer.from(raw, 'latin1').toString('utf8'), exact: false };
}

/** The values of every header named `name` (lower case), in order; names match case-insensitively. */
export function headerValues(headers: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of headers) if (k.length === name.length && k.toLowerCase() === name) out.push(v);
  return out;
}

/** {@link readSessionCookie} over a request's header pairs. */
export function sessionCookieOf(headers: ReadonlyArray<readonly [string, string]>): SessionCookie {
  return readSessionCookie(headerValues(headers, 'cookie'));
}
