import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig, RawAxiosResponseHeaders } from 'axios';
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

  /** Sends one request; rejects only with a `TinyauthClientError` ('timeout' or 'connection'). */
  send(request: RawRequest, outerSignal?: AbortSignal): Promise<RawAnswer> {
    const { timeoutMs } = this.options;
    const { origin, path } = splitUrl(request.url);
    return new Promise<RawAnswer>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let headers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let received = 0;
      let settled = false;
      const fail = (error: TinyauthClientError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outerSignal?.removeEventListener('abort', cancel);
        reject(error);
      };
      const cancel = (): void => {
        fail(new TinyauthClientError('timeout', `tinyauth did not answer within ${timeoutMs} ms`));
        controller?.abort(new Error('aborted'));
      };
      const timer = setTimeout(cancel, timeoutMs);
      outerSignal?.addEventListener('abort', cancel, { once: true });
      try {
        this.agent.dispatch(
          { origin, path, method: request.method, headers: request.headers, body: request.body },
          {
            onRequestStart(c) {
              controller = c;
              if (settled) c.abort(new Error('aborted'));
            },
            onResponseStart(_c, statusCode, responseHeaders) {
              status = statusCode;
              headers = flattenHeaders(responseHeaders);
            },
            onResponseData(c, chunk) {
              received += chunk.length;
              if (received > MAX_ANSWER_BYTES) {
                // tinyauth's answers are a few KiB: a huge one is broken or hostile, and is not buffered.
                fail(
                  new TinyauthClientError('malformed-response', 'tinyauth answered with an oversized body'),
                );
                c.abort(new Error('oversized'));
                return;
              }
              chunks.push(chunk);
            },
            onResponseEnd() {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              outerSignal?.removeEventListener('abort', cancel);
              const body =
                chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
              resolve({ status, headers, body });
            },
            onResponseError(_c, error) {
              fail(undiciFailure(error, timeoutMs));
            },
          },
        );
      } catch (err) {
        // A synchronous refusal (closed agent, invalid header value) is a failure like any other.
        fail(undiciFailure(err, timeoutMs));
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
    const absolute =
      SIMPLE_URL.test(url) || config.baseURL === undefined ? url : new URL(url, config.baseURL).href;
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
