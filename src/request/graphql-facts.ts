import { requestFacts, type HttpRequestLike, type RequestFacts } from './request-facts';
import { asRecord, credentialKeysOf, headersFromObject, messageHeaders } from './header-source';

/**
 * A WebSocket upgrade request (`Upgrade: websocket`): what a Mercurius subscription context holds as `request`.
 * Its headers never carry a subscription's credentials, even without the `onConnect` hook below.
 */
function isUpgrade(request: unknown): boolean {
  const upgrade = asRecord(asRecord(request)?.headers)?.upgrade;
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}

/**
 * A `graphql-ws` connection context (`{ connectionParams, extra: { socket, request } }`), as the resolver's
 * context or under its `req` (what `@nestjs/apollo` does with its default context). A Mercurius subscription
 * context (`{ request, reply, app, ... }`) is one once the app's `subscription.onConnect` returns
 * `{ connectionParams: payload }`: Mercurius merges that object into the context.
 */
function graphqlWsContext(ctx: Record<string, unknown>): Record<string, unknown> | undefined {
  const isWs = (v: Record<string, unknown> | undefined): boolean =>
    v !== undefined && ('connectionParams' in v || 'connectionInitReceived' in v || isUpgrade(v.request));
  const req = asRecord(ctx.req);
  if (isWs(req)) return req;
  return isWs(ctx) ? ctx : undefined;
}

/**
 * The HTTP request under a GraphQL operation: `ctx.req` (Apollo on Express or Fastify, Nest's Mercurius
 * driver), else `ctx.request` or `ctx.reply.request` (a Mercurius context built by hand).
 */
export function graphqlHttpRequest(ctx: unknown): HttpRequestLike | undefined {
  const c = asRecord(ctx);
  if (c === undefined || graphqlWsContext(c) !== undefined) return undefined;
  const candidates = [c.req, c.request, asRecord(c.reply)?.request];
  for (const candidate of candidates) {
    const r = asRecord(candidate);
    if (r !== undefined && (asRecord(r.headers) !== undefined || Array.isArray(r.rawHeaders))) {
      return r as HttpRequestLike;
    }
  }
  return undefined;
}

/**
 * Credentials of a `graphql-ws` connection, from its `connection_init` payload (`connectionParams`):
 * `{ headers: { Authorization, Cookie, 'X-CSRF-Token' } }`, or the same names at the top level
 * (`{ authorization: 'Basic ...' }`), any case. The upgrade request's own headers are not used: a browser sends
 * its cookies with any page's WebSocket, so only what the client puts in the payload counts.
 */
function subscriptionFacts(wsCtx: Record<string, unknown>): RequestFacts {
  const params = asRecord(wsCtx.connectionParams);
  const headers = [...headersFromObject(params?.headers), ...credentialKeysOf(params)];
  // The upgrade request, for the address and URL only: graphql-ws's `extra.request`, else Mercurius's `request`.
  const upgrade = (asRecord(asRecord(wsCtx.extra)?.request) ?? asRecord(wsCtx.request)) as
    HttpRequestLike | undefined;
  const facts = requestFacts(upgrade ?? {});
  return { ...facts, headers, params: {} };
}

/**
 * Facts of a GraphQL resolver call from its context argument: the HTTP request under it (queries and mutations
 * over HTTP) or the `graphql-ws` connection (subscriptions). Without either, the operation is anonymous.
 */
export function graphqlFacts(ctx: unknown): RequestFacts {
  const c = asRecord(ctx) ?? {};
  const wsCtx = graphqlWsContext(c);
  if (wsCtx !== undefined) return subscriptionFacts(wsCtx);
  const request = graphqlHttpRequest(c);
  if (request === undefined) return { method: 'POST', url: '/', headers: [], sourceIp: '', params: {} };
  return { ...requestFacts(request), headers: messageHeaders(request), params: {} };
}
