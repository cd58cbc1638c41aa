import type { ArgumentsHost } from '@nestjs/common';
import { requestFacts, type HttpRequestLike, type RequestFacts } from './request-facts';
import {
  httpInputFields,
  httpSelectorInput,
  type TinyauthContextType,
  type TinyauthHttpRequest,
  type TinyauthSelectorInput,
} from './selector-input';
import type { TinyauthRequest } from './tinyauth-request';
import { graphqlFacts, graphqlHttpRequest } from './graphql-facts';
import { wsFacts } from './ws-facts';
import { rpcFacts, type RpcHeadersReader } from './rpc-facts';
import { asRecord } from './header-source';

/** Everything the guard reads from one handler call, whatever the transport. */
export interface RequestSource {
  type: TinyauthContextType;
  /** Credentials, source address: what the authorizer needs. */
  facts: RequestFacts;
  /** What `@RequireAction`'s resource selector reads. */
  input: TinyauthSelectorInput;
  /**
   * The object the outcome is attached to, and that `@TinyauthIdentity()` and `TinyauthService` find it on: the
   * HTTP request, the GraphQL context, the WebSocket client, or the RPC context (else the payload).
   */
  holder: object | undefined;
}

/** No route parameters outside HTTP. */
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** The context type, with any type this package does not know treated as HTTP (the guard's historic reading). */
export function contextType(host: ArgumentsHost): TinyauthContextType {
  const type = host.getType<string>();
  return type === 'graphql' || type === 'ws' || type === 'rpc' ? type : 'http';
}

/**
 * Reads one handler call, for each context type:
 * - `http`: the Express or Fastify request;
 * - `graphql`: `getArgs()` is `[root, args, context, info]` (read here without importing `@nestjs/graphql`);
 * - `ws`: the client (`switchToWs().getClient()`) and the message (`getData()`);
 * - `rpc`: the payload (`switchToRpc().getData()`) and the transport context (`getContext()`).
 */
export function requestSource(host: ArgumentsHost, readRpcHeaders?: RpcHeadersReader): RequestSource {
  const type = contextType(host);
  switch (type) {
    case 'graphql': {
      const [root, rawArgs, ctx] = host.getArgs<[unknown, unknown, unknown, unknown]>();
      const args = asRecord(rawArgs) ?? EMPTY;
      const request = graphqlHttpRequest(ctx) as TinyauthHttpRequest | undefined;
      return {
        type,
        facts: graphqlFacts(ctx),
        input: {
          type,
          params: NO_PARAMS,
          args,
          data: root ?? undefined,
          request: request as TinyauthRequest | undefined,
          ...httpInputFields(request),
        },
        holder: asRecord(ctx) ?? request,
      };
    }
    case 'ws': {
      const ws = host.switchToWs();
      const client: unknown = ws.getClient();
      const data: unknown = ws.getData();
      return {
        type,
        facts: wsFacts(client),
        input: { type, params: NO_PARAMS, args: EMPTY, data, request: client, ...httpInputFields(undefined) },
        holder: asRecord(client),
      };
    }
    case 'rpc': {
      const rpc = host.switchToRpc();
      const data: unknown = rpc.getData();
      const context: unknown = rpc.getContext();
      return {
        type,
        facts: rpcFacts(data, context, readRpcHeaders),
        input: {
          type,
          params: NO_PARAMS,
          args: EMPTY,
          data,
          request: context,
          ...httpInputFields(undefined),
        },
        holder: asRecord(context) ?? asRecord(data),
      };
    }
    default: {
      const request = (host.switchToHttp().getRequest<HttpRequestLike | undefined>() ??
        {}) as TinyauthHttpRequest;
      const facts = requestFacts(request);
      return {
        type: 'http',
        facts,
        // Both adapters decode route parameters to strings.
        input: httpSelectorInput(request, facts.params as Readonly<Record<string, string>>),
        holder: asRecord(request),
      };
    }
  }
}

/** The object {@link RequestSource.holder} names for this call, without reading anything else. */
export function stateHolder(host: ArgumentsHost): object | undefined {
  switch (contextType(host)) {
    case 'graphql': {
      const ctx: unknown = host.getArgs()[2];
      return asRecord(ctx) ?? graphqlHttpRequest(ctx);
    }
    case 'ws':
      return asRecord(host.switchToWs().getClient());
    case 'rpc':
      return asRecord(host.switchToRpc().getContext()) ?? asRecord(host.switchToRpc().getData());
    default:
      return asRecord(host.switchToHttp().getRequest());
  }
}

/**
 * Sources the guard saw, so `TinyauthService` can check what a handler holds on any transport: kept on the holder
 * under a private symbol (non-enumerable, so spreads, `Object.keys` and JSON never see it). A WeakMap entry per
 * request would cost an ephemeron that every garbage collection has to trace; holders that cannot take a property
 * (frozen, sealed, proxies that refuse) still get one.
 */
const SOURCE = Symbol('tinyauth.source');
const seen = new WeakMap<object, RequestSource>();

/** Records `source` under its holder (the guard calls this for every call it lets through). */
export function rememberSource(source: RequestSource): void {
  const holder = source.holder;
  if (holder === undefined) return;
  try {
    Object.defineProperty(holder, SOURCE, { value: source, configurable: true, writable: true });
  } catch {
    seen.set(holder, source);
  }
}

/** The source recorded for `holder` by the guard, if any. */
export function rememberedSource(holder: unknown): RequestSource | undefined {
  const h = asRecord(holder);
  if (h === undefined) return undefined;
  // Once a holder refused the property it always will (freezing cannot be undone): its WeakMap entry is the latest.
  return seen.get(h) ?? (Object.getOwnPropertyDescriptor(h, SOURCE)?.value as RequestSource | undefined);
}
