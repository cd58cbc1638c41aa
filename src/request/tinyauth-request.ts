import type { IncomingHttpHeaders } from 'node:http';

/**
 * The request as both Express and Fastify hand it to a handler, reduced to what a resource function may read. It is
 * the default parameter type of a `ResourceSelector`; pass your framework's own type to `RequireAction<Req>` for
 * more (Express `Request`, `FastifyRequest<{ Params: ... }>`).
 *
 * Every field is set on both adapters, except `user`, which only an authentication middleware (e.g. Passport) adds.
 */
export interface TinyauthRequest {
  /** Route parameters, decoded by the framework: `{ name: 'fred' }` for `/apples/:name` on `/apples/fred`. */
  params: Record<string, string>;
  /** The parsed query string: `{ names: 'a,b' }` for `?names=a,b` (repeated or nested keys depend on the parser). */
  query: Record<string, unknown>;
  /** Request headers, names in lower case (Node's `IncomingHttpHeaders`). */
  headers: IncomingHttpHeaders;
  /** The parsed body; `undefined` when the request has none or no parser handled its content type. */
  body: unknown;
  /** The authenticated principal, when a middleware or another guard put one on the request. */
  user?: unknown;
  /** HTTP method in upper case. */
  method: string;
  /** Path and query string as the client sent them (Express: `originalUrl` holds it inside routers). */
  url: string;
}
