import { isDenialBody } from './transport-denials';
import { isSocketIoClient } from '../request/ws-facts';

const bridged = new WeakSet<object>();

interface RawWebSocket {
  readyState: number;
  send(data: string): void;
  on(event: string, listener: (payload: unknown) => void): unknown;
}

const OPEN = 1;

/**
 * Nest's WebSocket exception filter "emits" the `exception` event on the client. socket.io sends it; a `ws`
 * WebSocket is a local EventEmitter, so the client would never hear of its denial. For `ws` clients this
 * forwards denials (and only them) over the socket in the `ws` adapter's own framing:
 * `{"event":"exception","data":{"Authorized":false,"ErrorCode":...}}`.
 */
export function deliverDenialsOverWs(client: unknown): void {
  if (client === null || typeof client !== 'object' || bridged.has(client) || isSocketIoClient(client))
    return;
  const ws = client as Partial<RawWebSocket>;
  if (typeof ws.send !== 'function' || typeof ws.on !== 'function' || typeof ws.readyState !== 'number')
    return;
  bridged.add(client);
  ws.on('exception', (payload) => {
    if (isDenialBody(payload) && ws.readyState === OPEN) {
      ws.send?.(JSON.stringify({ event: 'exception', data: payload }));
    }
  });
}
