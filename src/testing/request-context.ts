/**
 * The parts of an HTTP request the handlers need, independent of node:http.
 */
import type { TinyauthStore } from './store';

/** One request as seen by a handler. */
export interface RequestContext {
  readonly method: string;
  /** The percent-decoded path. */
  readonly path: string;
  /** The raw query string (without `?`). */
  readonly query: string;
  /** Route parameters (decoded). */
  readonly params: Readonly<Record<string, string>>;
  /** The request headers as `[name, value]` pairs, in order (values as latin-1 text, like WSGI). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** The client address after X-Forwarded-For processing (one trusted hop). */
  readonly sourceIp: string;
  readonly store: TinyauthStore;
  readonly now: Date;
}

/** First value of a header (case-insensitive), like `request.headers.get`. */
export function header(ctx: RequestContext, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of ctx.headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}
