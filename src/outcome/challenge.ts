/**
 * The `WWW-Authenticate` challenge every 401 carries (RFC 9110 §15.5.2 requires at least one, §11.6.1 gives its
 * form), with the tinyauth service as its realm.
 *
 * Browsers open a native user-name/password dialog when a navigation, `fetch()` or XHR gets a 401 with a
 * challenge they can answer themselves (`Basic`, `Digest`, `NTLM`, `Negotiate`), and such a dialog can only send
 * access keys, never sign a user in. So:
 * - a request with any browser signal gets `Tinyauth realm="<service>"`, a scheme no browser answers: the 401
 *   reaches the page and its scripts (or the login redirect of `@RedirectToLogin()` pages runs) undisturbed;
 * - any other client gets `Basic realm="<service>", charset="UTF-8"`, the challenge tinyauth itself sends for
 *   access keys, which clients that only send credentials when challenged (wget, .NET, Java) need.
 */

/** The scheme of the challenge sent to browsers: not one browsers prompt for. */
export const BROWSER_CHALLENGE_SCHEME = 'Tinyauth';

/** `realm` as an RFC 9110 quoted-string. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The challenge for browsers: `Tinyauth realm="<service>"`. */
export function browserChallenge(service: string): string {
  return `${BROWSER_CHALLENGE_SCHEME} realm=${quoted(service)}`;
}

/** The challenge for other clients: `Basic realm="<service>", charset="UTF-8"` (RFC 7617), as tinyauth sends it. */
export function basicChallenge(service: string): string {
  return `Basic realm=${quoted(service)}, charset="UTF-8"`;
}

/**
 * True when the request shows any sign of coming from a browser: Fetch Metadata (`Sec-Fetch-*`, sent by current
 * browsers to secure and loopback origins), `Origin`, `X-Requested-With` (XHR libraries), an `Accept` asking for
 * HTML (navigations), or a `User-Agent` starting with `Mozilla/` (every browser's, over plain HTTP too). Erring
 * towards "browser" costs a non-browser client only the `Basic` hint; erring the other way shows a dialog.
 */
export function isBrowserRequest(headers: ReadonlyArray<readonly [string, string]>): boolean {
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (name.startsWith('sec-fetch-') || name === 'origin' || name === 'x-requested-with') return true;
    if (name === 'accept' && value.toLowerCase().includes('text/html')) return true;
    if (name === 'user-agent' && value.startsWith('Mozilla/')) return true;
  }
  return false;
}

/** The challenge for a 401 to this request: the browser one or the `Basic` one, as described above. */
export function authenticationChallenge(
  service: string,
  headers: ReadonlyArray<readonly [string, string]>,
): string {
  return isBrowserRequest(headers) ? browserChallenge(service) : basicChallenge(service);
}
