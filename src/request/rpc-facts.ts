import { normaliseIp, type RequestFacts } from './request-facts';
import { asRecord, headersFromObject } from './header-source';

/**
 * Reads the credential headers of a microservice message. The default, {@link defaultRpcHeaders}, reads the
 * payload's `headers` field and the transport's own metadata where it has some (gRPC `Metadata`).
 */
export type RpcHeadersReader = (data: unknown, context: unknown) => Array<[string, string]>;

/**
 * `data.headers` (`{ authorization: 'Basic ...', cookie: '...' }`, string or string[] values), then the gRPC
 * call's `Metadata` (string values) when the context is one.
 */
export const defaultRpcHeaders: RpcHeadersReader = (data, context) => {
  const headers = headersFromObject(asRecord(data)?.headers);
  const metadata = asRecord(context) as { getMap?: unknown } | undefined;
  if (typeof metadata?.getMap === 'function') {
    headers.push(...headersFromObject((metadata.getMap as () => unknown).call(metadata)));
  }
  return headers;
};

/** The peer's address of a TCP microservice message (`TcpContext.getSocketRef().socket`), else ''. */
function rpcPeer(context: unknown): string {
  const ctx = asRecord(context) as { getSocketRef?: unknown } | undefined;
  if (typeof ctx?.getSocketRef !== 'function') return '';
  const ref = asRecord((ctx.getSocketRef as () => unknown).call(ctx));
  const socket = asRecord(ref?.socket) as { remoteAddress?: unknown } | undefined;
  return typeof socket?.remoteAddress === 'string' ? normaliseIp(socket.remoteAddress) : '';
}

/** Facts of a microservice message: its credential headers (see {@link RpcHeadersReader}) and the peer. */
export function rpcFacts(
  data: unknown,
  context: unknown,
  readHeaders: RpcHeadersReader = defaultRpcHeaders,
): RequestFacts {
  let headers: Array<[string, string]>;
  try {
    headers = readHeaders(data, context);
  } catch {
    headers = [];
  }
  return { method: '', url: '', headers, sourceIp: rpcPeer(context), params: {} };
}
