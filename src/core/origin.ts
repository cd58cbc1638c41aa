/**
 * The serialized origin of an http(s) URL (RFC 6454 §6.2) as browsers send it in `Origin`: lower-case scheme and
 * host, default port dropped. `https://Example.com:443` → `https://example.com`. Undefined for anything that is not
 * exactly `scheme://host[:port]` (a path, query, fragment, user info, another scheme, or the opaque `null`).
 */
export function canonicalOrigin(text: string): string | undefined {
  if (!/^https?:\/\/[^/?#@\s\\]+$/i.test(text)) return undefined;
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
