/**
 * A tinyauth-compatible HTTP server on plain node:http (keep-alive, no framework), for tests, the sample app and
 * the benchmark. It reproduces the wire behaviour recorded from the real server, quirks included.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Fixture } from './fixture';
import { matchRoute } from './routes';
import { PAGES, ServerCrash, type Reply } from './reply';
import type { RequestContext } from './request-context';
import { TinyauthStore } from './store';

/** Options of {@link startTinyauthServer}. */
export interface TinyauthServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** The store content: a fixture object or the path of a JSON fixture file. */
  fixture: Fixture | string;
  /** tinyauth's SECRET_SIGNING_KEY (text). Default: random per server. */
  signingKey?: string;
  /** Largest accepted request body in bytes (larger gets 413). Default 1 MiB. */
  maxBodyBytes?: number;
}

/** A running compatible server. */
export interface TinyauthServer {
  /** Base URL, ending with `/` (use it as TINYAUTH_ENDPOINT). */
  readonly url: string;
  /** The in-memory store (e.g. `store.reload(fixture)` between tests). */
  readonly store: TinyauthStore;
  /** Stops listening and closes open keep-alive connections. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';
const CORS_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

function headerPairs(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return out;
}

/** Percent-decodes a path to UTF-8 text (invalid sequences replaced), as the WSGI stack does. */
function decodePath(raw: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else bytes.push(...Buffer.from(raw[i], 'utf8'));
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

/**
 * The client address as tinyauth sees it behind werkzeug's ProxyFix: the last X-Forwarded-For entry (one hop is
 * trusted, quirk 12), else the socket peer (an IPv4-mapped peer is reported as plain IPv4).
 */
function sourceIp(req: IncomingMessage): string {
  const xff = req.headers['x-forwarded-for'];
  if (typeof xff === 'string' && xff !== '') {
    const parts = xff.split(',');
    if (parts[parts.length - 1] === '') parts.pop();
    if (parts.length > 0) return parts[parts.length - 1].trim();
  }
  const peer = req.socket.remoteAddress ?? '';
  return peer.startsWith('::ffff:') && peer.includes('.') ? peer.slice(7) : peer;
}

/** Flask-CORS on `/api*`: the Origin is echoed when sent, `*` otherwise; preflights get the method list. */
function corsHeaders(req: IncomingMessage, path: string): Record<string, string> {
  if (!path.startsWith('/api')) return {};
  const origin = req.headers.origin;
  const h: Record<string, string> = {
    'Access-Control-Allow-Origin': origin ?? '*',
    'Access-Control-Expose-Headers': 'Content-Range',
  };
  if (origin !== undefined) h.Vary = 'Origin';
  const wanted = req.headers['access-control-request-method'];
  if (
    req.method === 'OPTIONS' &&
    typeof wanted === 'string' &&
    wanted !== '' &&
    CORS_METHODS.includes(wanted.toUpperCase())
  ) {
    h['Access-Control-Allow-Methods'] = CORS_METHODS;
    const asked = req.headers['access-control-request-headers'];
    if (typeof asked === 'string') {
      const list = asked
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .sort();
      if (list.length > 0) h['Access-Control-Allow-Headers'] = list.join(', ');
    }
  }
  return h;
}

const SAFE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function send(req: IncomingMessage, res: ServerResponse, path: string, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const rid = req.headers['x-request-id'];
  const headers: Record<string, string> = {
    ...corsHeaders(req, path),
    ...reply.headers,
    'X-Request-Id': typeof rid === 'string' && SAFE_HEADER_VALUE.test(rid) ? rid : randomUUID(),
  };
  let body: string;
  if (reply.json !== undefined) {
    headers['Content-Type'] = JSON_TYPE;
    body = `${JSON.stringify(reply.json)}\n`;
  } else {
    headers['Content-Type'] = HTML_TYPE;
    body = reply.html ?? '';
  }
  headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      resolve('too-large');
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  store: TinyauthStore,
  limit: number,
): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = decodePath(q >= 0 ? url.slice(0, q) : url);
  try {
    const match = matchRoute(path);
    const method = (req.method ?? 'GET').toUpperCase();
    if (match === undefined) {
      req.resume();
      return send(req, res, path, { status: 404, html: PAGES[404] });
    }
    const allow = match.methods.join(', ');
    if (method === 'OPTIONS') {
      req.resume();
      return send(req, res, path, { status: 200, html: '', headers: { Allow: allow } });
    }
    if (!match.methods.includes(method)) {
      req.resume();
      return send(req, res, path, { status: 405, html: PAGES[405], headers: { Allow: allow } });
    }
    const body = await readBody(req, limit);
    if (body === 'too-large') return send(req, res, path, { status: 413, html: PAGES[413] });
    const ctx: RequestContext = {
      method,
      path,
      query: q >= 0 ? url.slice(q + 1) : '',
      params: match.params,
      headers: headerPairs(req),
      body,
      sourceIp: sourceIp(req),
      store,
      now: new Date(),
    };
    send(req, res, path, await match.handler(ctx));
  } catch (e) {
    // Every failure, expected (ServerCrash: where tinyauth itself crashes) or not, is the 500 page.
    if (!(e instanceof ServerCrash) && process.env.TINYAUTH_SERVER_DEBUG) console.error(e);
    send(req, res, path, { status: 500, html: PAGES[500] });
  }
}

/**
 * Starts a tinyauth-compatible server loaded with `fixture`.
 * @example
 * const server = await startTinyauthServer({ fixture: demoFixture });
 * // TINYAUTH_ENDPOINT=server.url ... then: await server.close();
 */
export async function startTinyauthServer(options: TinyauthServerOptions): Promise<TinyauthServer> {
  const store = await TinyauthStore.create(options.fixture, options.signingKey);
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res, store, limit).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': HTML_TYPE });
        res.end(PAGES[500]);
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    store,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
