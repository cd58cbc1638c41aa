/**
 * What an authorization decision needs from a request, the same on every transport (for GraphQL, WebSocket and
 * RPC see `./context-facts`: `method` and `url` are then those of the HTTP request or handshake underneath, if any).
 */
export interface RequestFacts {
  method: string;
  /** Path and query string as the client sent them. */
  url: string;
  /** Headers as received: original names, repeats kept, in order. */
  headers: Array<[string, string]>;
  /** Client address, honouring the adapter's trust-proxy setting. */
  sourceIp: string;
  /** Route parameters. */
  params: Readonly<Record<string, unknown>>;
}

/** The parts of an Express or Fastify request the facts are read from. */
export interface HttpRequestLike {
  method?: string;
  url?: string;
  originalUrl?: string;
  ip?: string;
  params?: unknown;
  headers?: Record<string, string | string[] | undefined>;
  rawHeaders?: string[];
  raw?: { rawHeaders?: string[]; url?: string };
  socket?: { remoteAddress?: string };
}

export function pairs(raw: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

export function fromHeaderObject(headers: HttpRequestLike['headers']): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else if (typeof value === 'string') out.push([name, value]);
  }
  return out;
}

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * A server listening on `::` sees IPv4 clients as `::ffff:a.b.c.d`, which tinyauth never matches against an IPv4
 * network; report the plain IPv4 address, as a WSGI server gives flask_tinyauth.
 */
export function normaliseIp(ip: string): string {
  const mapped = MAPPED_V4.exec(ip);
  return mapped ? mapped[1] : ip;
}

/** Reads the facts from an Express request, a Fastify request, or anything shaped like them. */
export function requestFacts(request: HttpRequestLike): RequestFacts {
  const rawHeaders = request.rawHeaders ?? request.raw?.rawHeaders;
  const params = request.params;
  return {
    method: request.method ?? 'GET',
    // Express rewrites `url` inside routers; `originalUrl` is what the client asked for. Fastify keeps `url`.
    url: request.originalUrl ?? request.raw?.url ?? request.url ?? '/',
    headers: rawHeaders ? pairs(rawHeaders) : fromHeaderObject(request.headers),
    sourceIp: normaliseIp(request.ip ?? request.socket?.remoteAddress ?? ''),
    params: params !== null && typeof params === 'object' ? (params as Record<string, unknown>) : {},
  };
}
