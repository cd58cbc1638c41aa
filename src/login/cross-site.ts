/**
 * The cross-site rule of the login flow: which browser signals refuse a sign-in (or sign-out) request.
 *
 * A request is refused when a browser says it comes from elsewhere:
 * - `Sec-Fetch-Site` is anything but `same-origin` or `none` (so `cross-site`, and `same-site`: a sibling subdomain
 *   is another party, which SameSite cookies do not keep out), unless its `Origin` is listed in `allowedOrigins`;
 * - or an `Origin` header is present and is neither the app's own origin nor listed in `allowedOrigins`. The
 *   literal `Origin: null` (sandboxed frames, some redirects, `data:` pages) never matches.
 * A request with neither header (curl, server-to-server clients) carries no browser signal and is let through.
 *
 * The own origin is `<protocol>://<host>` as the HTTP adapter reads them: the `Host` header and the connection's
 * protocol, or `X-Forwarded-Host` / `X-Forwarded-Proto` only when the app trusts the proxy that sent them (Express
 * `app.set('trust proxy', ...)`, Fastify `trustProxy`), exactly as `req.protocol` and `req.host` do.
 */

import { canonicalOrigin } from '../core/origin';

/** Why a request was refused, for the log line (origin values are sanitized by the caller). */
export interface CrossSiteVerdict {
  refused: boolean;
  /** The `Origin` header as sent, if any. */
  origin?: string;
  /** The `Sec-Fetch-Site` header as sent, if any. */
  fetchSite?: string;
  /** The app's own origin as derived from the request, if it could be. */
  ownOrigin?: string;
}

/** The request fields the rule reads; Express and Fastify requests both have them. */
export interface OriginRequest {
  headers: Record<string, string | string[] | undefined>;
  protocol?: unknown;
  /** Fastify 5: the host honouring `trustProxy`. Fastify 4: `hostname`, which still had the port. */
  host?: unknown;
  hostname?: unknown;
  /** Express: the application, whose `trust proxy fn` decides whether X-Forwarded-Host counts. */
  app?: { get?: (setting: string) => unknown };
  socket?: { remoteAddress?: string };
}

function headerValue(request: OriginRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

type TrustFn = (address: string | undefined, hop: number) => boolean;

/** Express's own `req.host` rule (4.x and 5.x): the first X-Forwarded-Host when the proxy is trusted, else Host. */
function expressHost(request: OriginRequest, trust: TrustFn): string | undefined {
  const forwarded = headerValue(request, 'x-forwarded-host');
  if (forwarded && trust(request.socket?.remoteAddress, 0)) return forwarded.split(',')[0].trim();
  return headerValue(request, 'host');
}

/** The host (with port) the client addressed, honouring the adapter's trust-proxy setting. */
function requestHost(request: OriginRequest): string | undefined {
  const trust = typeof request.app?.get === 'function' ? request.app.get('trust proxy fn') : undefined;
  if (typeof trust === 'function') return expressHost(request, trust as TrustFn);
  if (typeof request.host === 'string') return request.host;
  if (typeof request.hostname === 'string') return request.hostname;
  return headerValue(request, 'host');
}

/** The app's origin as this request addressed it, or undefined when the Host is missing or malformed. */
export function ownOrigin(request: OriginRequest): string | undefined {
  const protocol = typeof request.protocol === 'string' ? request.protocol.toLowerCase() : 'http';
  const host = requestHost(request);
  if (!host || (protocol !== 'http' && protocol !== 'https')) return undefined;
  return canonicalOrigin(`${protocol}://${host}`);
}

/** Applies the rule above; `allowedOrigins` must be canonical (see `canonicalOrigin`). */
export function crossSiteVerdict(
  request: OriginRequest,
  allowedOrigins: ReadonlySet<string>,
): CrossSiteVerdict {
  const origin = headerValue(request, 'origin');
  const fetchSite = headerValue(request, 'sec-fetch-site')?.trim().toLowerCase();
  if (origin === undefined && fetchSite === undefined) return { refused: false };
  const canonical = origin === undefined ? undefined : canonicalOrigin(origin.trim());
  const allowed = canonical !== undefined && allowedOrigins.has(canonical);
  const own = ownOrigin(request);
  const originRefused = origin !== undefined && !allowed && (canonical === undefined || canonical !== own);
  const fetchSiteRefused =
    fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none' && !allowed;
  return { refused: originRefused || fetchSiteRefused, origin, fetchSite, ownOrigin: own };
}
