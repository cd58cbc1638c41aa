import { normaliseIp, type HttpRequestLike, type RequestFacts } from './request-facts';
import { asRecord, messageHeaders } from './header-source';

/** What the guard knows about a WebSocket connection: the handshake's headers and the peer's address. */
interface Handshake {
  headers: Array<[string, string]>;
  sourceIp: string;
  url: string;
}

/** Upgrade requests of `ws` clients, recorded at connection (the `ws` library does not keep them). */
const handshakes = new WeakMap<object, Handshake>();

/**
 * Records the upgrade request of a `ws` client so every message on it is checked with the handshake's
 * credentials (the `ws` library keeps no reference to it). socket.io keeps its own (`socket.request`).
 */
export function rememberHandshake(client: object, request: HttpRequestLike | undefined): void {
  if (request === undefined || handshakes.has(client)) return;
  handshakes.set(client, {
    headers: messageHeaders(request),
    sourceIp: normaliseIp(request.socket?.remoteAddress ?? ''),
    url: request.url ?? '/',
  });
}

/** True for a socket.io `Socket` (it carries its handshake and a namespace). */
export function isSocketIoClient(client: unknown): boolean {
  const c = asRecord(client);
  return c !== undefined && asRecord(c.handshake) !== undefined && 'nsp' in c;
}

function handshakeOf(client: unknown): Handshake {
  const c = asRecord(client);
  if (c === undefined) return { headers: [], sourceIp: '', url: '/' };
  if (isSocketIoClient(c)) {
    const handshake = c.handshake as {
      headers?: HttpRequestLike['headers'];
      address?: unknown;
      url?: unknown;
    };
    // socket.request is the Engine.IO upgrade (or first polling) request: raw header pairs, original names.
    const request = asRecord(c.request) as HttpRequestLike | undefined;
    return {
      headers: messageHeaders(request ?? { headers: handshake.headers }),
      sourceIp: normaliseIp(typeof handshake.address === 'string' ? handshake.address : ''),
      url: typeof handshake.url === 'string' ? handshake.url : '/',
    };
  }
  const recorded = handshakes.get(c);
  if (recorded !== undefined) return recorded;
  // An unrecorded `ws` client: the peer's address is known, its credentials are not (checked as anonymous).
  const socket = asRecord(c._socket) as { remoteAddress?: unknown } | undefined;
  const ip = typeof socket?.remoteAddress === 'string' ? socket.remoteAddress : '';
  return { headers: [], sourceIp: normaliseIp(ip), url: '/' };
}

/**
 * Facts of a WebSocket message: the credentials of the connection's handshake (`Authorization`, `Cookie` and
 * `X-CSRF-Token` headers, read again for every message so an expired session stops being accepted), the peer's
 * address. socket.io and the `ws` adapter (after {@link rememberHandshake}).
 */
export function wsFacts(client: unknown): RequestFacts {
  const { headers, sourceIp, url } = handshakeOf(client);
  return { method: 'GET', url, headers, sourceIp, params: {} };
}
