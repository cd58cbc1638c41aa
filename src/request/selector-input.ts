import type { IncomingHttpHeaders } from 'node:http';
import type { HttpRequestLike } from './request-facts';
import type { TinyauthRequest } from './tinyauth-request';

/** The context types the guard handles (`ExecutionContext.getType()`). */
export type TinyauthContextType = 'http' | 'graphql' | 'ws' | 'rpc';

/** An Express or Fastify request as a resource selector sees it. */
export type TinyauthHttpRequest = HttpRequestLike & {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
};

interface SelectorInputBase {
  /** Route parameters, as the framework decoded them (http only; `{}` elsewhere). */
  params: Readonly<Record<string, string>>;
  /** The field's arguments, as `@Args()` gives them (graphql only; `{}` elsewhere). */
  args: Readonly<Record<string, unknown>>;
  /**
   * ws and rpc: the message payload, as `@MessageBody()` / `@Payload()` give it; graphql: the parent object, as
   * `@Parent()` gives it to a field resolver (`undefined` for root fields); http: `undefined`.
   */
  data: unknown;
  /** The parsed query string of the HTTP request (http, and graphql over HTTP; `{}` elsewhere). */
  query: Readonly<Record<string, unknown>>;
  /** The HTTP request's headers, names in lower case (http, and graphql over HTTP; `{}` elsewhere). */
  headers: IncomingHttpHeaders;
  /** The parsed HTTP body (http, and graphql over HTTP; `undefined` elsewhere). */
  body: unknown;
  /** The principal an authentication middleware put on the HTTP request, if any. */
  user?: unknown;
}

/**
 * What the function form of `@RequireAction(action, resourceClass, selector)` receives: the same shape on every
 * transport, discriminated by `type`. `params`, `query`, `headers`, `body` and `user` are those of the HTTP request
 * as both Express and Fastify provide them; `Req` types `request` (`TinyauthRequest` unless you pass your
 * framework's own type, e.g. `RequireAction<Request>` for Express or `RequireAction<FastifyRequest>`).
 * - `http`: `params` are the route parameters, `request` the Express or Fastify request;
 * - `graphql`: `args` are the field's arguments, `data` the parent object, `request` the HTTP request under the
 *   operation (undefined for a subscription over `graphql-ws`);
 * - `ws`: `data` is the message payload, `request` the client socket (socket.io `Socket` or `ws` `WebSocket`);
 * - `rpc`: `data` is the message payload, `request` the transport's context (`TcpContext`, `NatsContext`, ...).
 */
export type TinyauthSelectorInput<Req extends object = TinyauthRequest> =
  | (SelectorInputBase & { type: 'http'; request: Req })
  | (SelectorInputBase & { type: 'graphql'; request: Req | undefined })
  | (SelectorInputBase & { type: 'ws'; request: unknown })
  | (SelectorInputBase & { type: 'rpc'; request: unknown });

/** The HTTP-request fields of a selector input, read from the Express or Fastify request (empty without one). */
export function httpInputFields(
  request: TinyauthHttpRequest | undefined,
): Pick<SelectorInputBase, 'query' | 'headers' | 'body' | 'user'> {
  const query = request?.query;
  return {
    query: query !== null && typeof query === 'object' ? query : {},
    headers: (request?.headers ?? {}) as IncomingHttpHeaders,
    body: request?.body,
    user: (request as { user?: unknown } | undefined)?.user,
  };
}

const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The selector input of an HTTP handler call, built in one literal (a spread of the fields costs a copy). */
export function httpSelectorInput(
  request: TinyauthHttpRequest,
  params: Readonly<Record<string, string>>,
): TinyauthSelectorInput & { type: 'http' } {
  const query = request.query;
  return {
    type: 'http',
    params,
    args: NO_ARGS,
    data: undefined,
    request: request as TinyauthRequest,
    query: query !== null && typeof query === 'object' ? query : {},
    headers: (request.headers ?? {}) as IncomingHttpHeaders,
    body: request.body,
    user: (request as { user?: unknown }).user,
  };
}
