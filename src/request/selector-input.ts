import type { HttpRequestLike } from './request-facts';

/** The context types the guard handles (`ExecutionContext.getType()`). */
export type TinyauthContextType = 'http' | 'graphql' | 'ws' | 'rpc';

/** An Express or Fastify request as a resource selector sees it. */
export type TinyauthHttpRequest = HttpRequestLike & {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
};

interface SelectorInputBase {
  /** Route parameters (http only; `{}` elsewhere). */
  params: Readonly<Record<string, unknown>>;
  /** The field's arguments, as `@Args()` gives them (graphql only; `{}` elsewhere). */
  args: Readonly<Record<string, unknown>>;
  /**
   * ws and rpc: the message payload, as `@MessageBody()` / `@Payload()` give it; graphql: the parent object, as
   * `@Parent()` gives it to a field resolver (`undefined` for root fields); http: `undefined`.
   */
  data: unknown;
}

/**
 * What the function form of `@RequireAction(action, resourceClass, selector)` receives: the same shape on every
 * transport, discriminated by `type`.
 * - `http`: `params` are the route parameters, `request` the Express or Fastify request (query, headers, body);
 * - `graphql`: `args` are the field's arguments, `data` the parent object, `request` the HTTP request under the
 *   operation (undefined for a subscription over `graphql-ws`);
 * - `ws`: `data` is the message payload, `request` the client socket (socket.io `Socket` or `ws` `WebSocket`);
 * - `rpc`: `data` is the message payload, `request` the transport's context (`TcpContext`, `NatsContext`, ...).
 */
export type TinyauthSelectorInput =
  | (SelectorInputBase & { type: 'http'; request: TinyauthHttpRequest })
  | (SelectorInputBase & { type: 'graphql'; request: TinyauthHttpRequest | undefined })
  | (SelectorInputBase & { type: 'ws'; request: unknown })
  | (SelectorInputBase & { type: 'rpc'; request: unknown });
