import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import {
  Axios,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  type RawAxiosResponseHeaders,
} from 'axios';
import { TinyauthClientError } from './client-errors';

/** Connection settings of the undici transport. */
export interface UndiciTransportOptions {
  /** Bound of one whole exchange (connect, send, headers, body), in milliseconds. */
  timeoutMs: number;
  /** `false` accepts any certificate (endpointVerify: false). */
  rejectUnauthorized: boolean;
  /** PEM CA bundle to trust instead of the system's. */
  ca?: string;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Maps undici failures to typed client errors; the message names the error code only, never the request. */
export function undiciFailure(err: unknown, timeoutMs: number): TinyauthClientError {
  if (err instanceof TinyauthClientError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const name = err instanceof Error ? err.name : '';
  if (
    (typeof code === 'string' && TIMEOUT_CODES.has(code)) ||
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    err instanceof undiciErrors.RequestAbortedError
  ) {
    return new TinyauthClientError('timeout', `tinyauth did not answer within ${timeoutMs} ms`);
  }
  const what = typeof code === 'string' ? code : name || 'network error';
  return new TinyauthClientError('connection', `cannot reach tinyauth (${what})`);
}

/** Builds request URLs from a request's own config only (an instance without defaults adds none). */
const URI_BUILDER = new Axios({});

const SIMPLE_URL = /^https?:\/\/[^/?#@\\]+(?=\/)/;

/** Origin and path of a request URL; plain absolute URLs (the client's own) are split without a URL parse. */
export function splitUrl(url: string, baseURL?: string): { origin: string; path: string } {
  // An absolute URL ignores baseURL, as in axios' own adapters.
  const match = SIMPLE_URL.exec(url);
  if (match !== null && !/[^\x21-\x7e]|#/.test(url)) {
    return { origin: match[0].toLowerCase(), path: url.slice(match[0].length) };
  }
  const parsed = new URL(url, baseURL);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

function requestHeaders(config: InternalAxiosRequestConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const source = config.headers?.toJSON() ?? {};
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** The largest answer read from tinyauth (policies of many statements stay far below it). */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** A raw answer: status, lower-cased headers (repeats joined with ", ") and the body as text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request as the transport sends it. */
export interface RawRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * HTTP to tinyauth on a keep-alive undici `Agent`, through its low-level `dispatch`: no redirects, the body sent as
 * given, the answer read as text, one plain timer bounding the whole exchange. (undici's own timeouts tick at up to
 * a second's resolution; an AbortSignal per request costs ~40 us of CPU on Node 20, more than the rest of a round
 * trip.) `adapter` plugs the same transport into axios.
 */
export class UndiciTransport {
  private readonly agent: Agent;
  /** The transport as an axios adapter (for requests that go through the app's HttpService). */
  readonly adapter: AxiosAdapter;

  constructor(private readonly options: UndiciTransportOptions) {
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      // Backstops only: the per-request timer is the real bound.
      headersTimeout: options.timeoutMs + 1000,
      bodyTimeout: options.timeoutMs + 1000,
      connect: {
        timeout: options.timeoutMs,
        rejectUnauthorized: options.rejectUnauthorized,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
    });
    this.adapter = (config) => this.viaAxios(config);
  }

  /** Closes every pooled connection (module shutdown). */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Sends one request; rejects only with a `TinyauthClientError` ('timeout', 'connection' or 'malformed-response'). */
  send(request: RawRequest, outerSignal?: AbortSignal): Promise<RawAnswer> {
    const { origin, path } = splitUrl(request.url);
    return new Promise<RawAnswer>((resolve, reject) => {
      const exchange = new Exchange(this.options.timeoutMs, resolve, reject, outerSignal);
      try {
        this.agent.dispatch(
          { origin, path, method: request.method, headers: request.headers, body: request.body },
          exchange.handler(),
        );
      } catch (err) {
        // A synchronous refusal (closed agent, invalid header value) is a failure like any other.
        exchange.fail(undiciFailure(err, this.options.timeoutMs));
      }
    });
  }

  private async viaAxios(config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> {
    const data: unknown = config.data;
    if (data !== undefined && data !== null && typeof data !== 'string') {
      // The client always serialises its bodies; anything else would be a programming error, not tinyauth's.
      throw new TinyauthClientError('connection', 'request body must be pre-serialised text');
    }
    const url = config.url ?? '';
    // Query parameters (an HttpModule's `params` default, an interceptor's) are encoded as axios would encode them.
    const absolute =
      config.params !== undefined && config.params !== null
        ? URI_BUILDER.getUri(config)
        : SIMPLE_URL.test(url) || config.baseURL === undefined
          ? url
          : new URL(url, config.baseURL).href;
    const answer = await this.send(
      {
        url: absolute,
        method: (config.method ?? 'get').toUpperCase(),
        headers: requestHeaders(config),
        body: data ?? undefined,
      },
      config.signal as AbortSignal | undefined,
    );
    const headers: RawAxiosResponseHeaders = answer.headers;
    return { data: answer.body, status: answer.status, statusText: '', headers, config, request: undefined };
  }
}

/**
 * One request in flight: collects the answer, bounds the whole exchange with one timer (and the caller's signal),
 * and settles exactly once.
 */
class Exchange {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private settled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly cancel = (): void => {
    this.fail(new TinyauthClientError('timeout', `tinyauth did not answer within ${this.timeoutMs} ms`));
    this.controller?.abort(new Error('aborted'));
  };

  constructor(
    private readonly timeoutMs: number,
    private readonly resolve: (answer: RawAnswer) => void,
    private readonly reject: (error: TinyauthClientError) => void,
    private readonly outerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(this.cancel, timeoutMs);
    outerSignal?.addEventListener('abort', this.cancel, { once: true });
  }

  fail(error: TinyauthClientError): void {
    if (!this.settle()) return;
    this.reject(error);
  }

  /** undici's dispatch callbacks for this exchange. */
  handler(): Dispatcher.DispatchHandler {
    return {
      onRequestStart: (controller) => {
        this.controller = controller;
        if (this.settled) controller.abort(new Error('aborted'));
      },
      onResponseStart: (_c, statusCode, responseHeaders) => {
        this.status = statusCode;
        this.headers = flattenHeaders(responseHeaders);
      },
      onResponseData: (controller, chunk) => this.collect(controller, chunk),
      onResponseEnd: () => this.finish(),
      onResponseError: (_c, error) => this.fail(undiciFailure(error, this.timeoutMs)),
    };
  }

  private collect(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > MAX_ANSWER_BYTES) {
      // tinyauth's answers are a few KiB: a huge one is broken or hostile, and is not buffered.
      this.fail(new TinyauthClientError('malformed-response', 'tinyauth answered with an oversized body'));
      controller.abort(new Error('oversized'));
      return;
    }
    this.chunks.push(chunk);
  }

  private finish(): void {
    if (!this.settle()) return;
    const { chunks } = this;
    const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  /** Marks the exchange settled and stops its timer; false when it already was. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.outerSignal?.removeEventListener('abort', this.cancel);
    return true;
  }
}
