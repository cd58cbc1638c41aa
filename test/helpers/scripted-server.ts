import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived over the wire. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP server whose answers a test scripts: to stand in for a tinyauth that is slow, broken or answering
 * garbage, or (with `proxyTo`) to record what the client sends on its way to the compatible server.
 */
export async function startScriptedServer(handler: Handler): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forwards every request to `target` (a base URL ending in '/') and relays the answer, recording the request.
 * `hold`, when given, is awaited before each request is forwarded (a test holds tinyauth's answers with it).
 */
export function startRecordingProxy(target: string, hold?: () => Promise<void>): Promise<ScriptedServer> {
  return startScriptedServer(async (req, res) => {
    await hold?.();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length')
        headers[k] = v;
    }
    const answer = await fetch(new URL(req.url.replace(/^\//, ''), target), {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
    });
    const body = await answer.text();
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding')
        out[k] = v;
    });
    res.writeHead(answer.status, out).end(body);
  });
}

/** A loopback port with nothing listening on it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

/** tinyauth's allow for a recorded authorize-by-token request: every requested pair permitted, as `identity`. */
export function allowAll(req: RecordedRequest, identity = 'alice'): string {
  const { permit } = JSON.parse(req.body) as { permit: Record<string, string[]> };
  return JSON.stringify({ Authorized: true, Permitted: permit, NotPermitted: {}, Identity: identity });
}
