import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { isAxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { TINYAUTH_OPTIONS } from '../tinyauth.constants';
import type { ResolvedTinyauthOptions, CsrfStrategy } from '../options/tinyauth-options.interface';
import { InvalidCredentials, TinyauthClientError } from './client-errors';
import { UndiciTransport } from './undici-transport';
import { TinyauthTelemetry } from '../observability/telemetry';
import { failForStatus, parseAuthorizeByToken, parseJson, parseLoginToken } from './response-parsing';
import type {
  AuthorizeByTokenRequest,
  AuthorizeByTokenResponse,
  LoginToken,
  TinyauthHttpResponse,
} from './wire-types';

const passThrough = (data: unknown): unknown => data;
const validateStatus = (): boolean => true;

/**
 * The only code that talks HTTP to tinyauth: base URL, Basic auth with this service's key, keep-alive, TLS
 * verification, timeouts, and the mapping of every transport failure to a `TinyauthClientError`.
 * Requests go through `@nestjs/axios`'s `HttpService`, so an app's HttpModule defaults and interceptors apply; the
 * transport itself is a keep-alive undici agent plugged in as the axios `adapter` (axios' own http adapter costs
 * several times a raw round trip), so transport options of the HttpModule (`httpAgent`, `proxy`, redirects) are
 * not used for tinyauth.
 */
@Injectable()
export class TinyauthClient implements OnModuleDestroy {
  private readonly authorization: string;
  private readonly servicePath: string;
  private readonly transport: UndiciTransport;
  /** The endpoint without any user:password in it, as spans show it. */
  private readonly endpointForSpans: string;

  constructor(
    private readonly http: HttpService,
    @Inject(TINYAUTH_OPTIONS) private readonly options: ResolvedTinyauthOptions,
    @Optional() private readonly telemetry?: TinyauthTelemetry,
  ) {
    const shown = new URL(options.endpoint);
    shown.username = '';
    shown.password = '';
    this.endpointForSpans = shown.href;
    this.authorization = `Basic ${Buffer.from(`${options.accessKeyId}:${options.secretAccessKey}`).toString('base64')}`;
    this.servicePath = `api/v1/services/${encodeURIComponent(options.service)}/`;
    this.transport = new UndiciTransport({
      timeoutMs: options.timeoutMs,
      rejectUnauthorized: options.endpointVerify !== false,
      ca: options.caBundle,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.transport.close();
  }

  /** One batch decision: POST `api/v1/services/<service>/authorize-by-token`. */
  async authorizeByToken(body: AuthorizeByTokenRequest): Promise<AuthorizeByTokenResponse> {
    const response = await this.send('POST', `${this.servicePath}authorize-by-token`, JSON.stringify(body));
    return parseAuthorizeByToken(response);
  }

  /** Exchanges a user name and password for a session token. Throws `InvalidCredentials` on a refused login. */
  async getTokenForLogin(
    username: string,
    password: string,
    csrfStrategy: CsrfStrategy,
  ): Promise<LoginToken> {
    const body = JSON.stringify({ username, password, 'csrf-strategy': csrfStrategy });
    const response = await this.send('POST', `${this.servicePath}get-token-for-login`, body);
    if (response.status === 200) return parseLoginToken(response);
    if (response.status === 401 && isInvalidCredentials(parseJsonOrUndefined(response))) {
      throw new InvalidCredentials();
    }
    failForStatus(response, 'get-token-for-login');
  }

  /** GET a path below the endpoint (the key and policy endpoints); non-200 answers come back as they are. */
  async get(path: string): Promise<TinyauthHttpResponse> {
    return this.send('GET', path);
  }

  /**
   * Sends one request; resolves with any HTTP answer, rejects only with a `TinyauthClientError`. Every call to
   * tinyauth goes through here, as one OpenTelemetry CLIENT span.
   */
  send(method: 'GET' | 'POST', path: string, body?: string): Promise<TinyauthHttpResponse> {
    if (this.telemetry === undefined) return this.exchange(method, path, body);
    return this.telemetry.traceCall(method, this.endpointForSpans, path, () =>
      this.exchange(method, path, body),
    );
  }

  private async exchange(method: 'GET' | 'POST', path: string, body?: string): Promise<TinyauthHttpResponse> {
    const url = `${this.options.endpoint}${path}`;
    const axiosRef = this.http.axiosRef;
    try {
      // Without interceptors, axios' request pipeline (config merging, header objects, promise chain: ~20 us)
      // would only hand this same request to the same transport: skip it, applying its default headers.
      if (hasNoInterceptors(axiosRef)) {
        const headers = defaultHeaders(axiosRef.defaults.headers, method);
        headers.authorization = this.authorization;
        headers.accept = 'application/json';
        if (body !== undefined) headers['content-type'] = 'application/json';
        return await this.transport.send({ url, method, headers, body });
      }
      const config: AxiosRequestConfig<string> = {
        method,
        url,
        data: body,
        headers: {
          Authorization: this.authorization,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        timeout: this.options.timeoutMs,
        maxRedirects: 0,
        responseType: 'text',
        // The body is already JSON text: axios' default transform would parse it again to "validate" it.
        transformRequest: passThrough,
        transformResponse: passThrough,
        validateStatus,
        adapter: this.transport.adapter,
      };
      const response = await axiosRef.request<string>(config);
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
      }
      return {
        status: response.status,
        headers,
        body: typeof response.data === 'string' ? response.data : '',
      };
    } catch (err) {
      throw toClientError(err, this.options.timeoutMs);
    }
  }
}

function parseJsonOrUndefined(response: TinyauthHttpResponse): unknown {
  try {
    return parseJson(response);
  } catch {
    return undefined;
  }
}

function isInvalidCredentials(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  const errors = (body as { errors?: unknown }).errors;
  return errors !== null && typeof errors === 'object' && 'authentication' in errors;
}

/** Maps axios and socket errors to typed failures; never copies the request config (it holds the key). */
function toClientError(err: unknown, timeoutMs: number): TinyauthClientError {
  if (err instanceof TinyauthClientError) return err;
  const code = isAxiosError(err) ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
  const name = err instanceof Error ? err.name : '';
  if (
    code === 'ECONNABORTED' ||
    code === 'ETIMEDOUT' ||
    code === 'ERR_CANCELED' ||
    name === 'TimeoutError' ||
    name === 'CanceledError'
  ) {
    return new TinyauthClientError('timeout', `tinyauth did not answer within ${timeoutMs} ms`);
  }
  return new TinyauthClientError('connection', `cannot reach tinyauth (${code ?? name ?? 'network error'})`);
}

function hasNoInterceptors(axiosRef: AxiosInstance): boolean {
  const { request, response } = axiosRef.interceptors;
  // `handlers` is how axios holds them (ejected ones become null); if a version hides it, assume there are some.
  return (
    Array.isArray(request.handlers) &&
    Array.isArray(response.handlers) &&
    request.handlers.every((h) => h === null) &&
    response.handlers.every((h) => h === null)
  );
}

const METHOD_KEYS = new Set([
  'common',
  'delete',
  'get',
  'head',
  'post',
  'put',
  'patch',
  'options',
  'purge',
  'link',
  'unlink',
]);

/** The headers axios would add from its defaults (HttpModule `headers`, `defaults.headers.common` / `.post` ...). */
function defaultHeaders(defaults: unknown, method: 'GET' | 'POST'): Record<string, string> {
  const out: Record<string, string> = {};
  if (defaults === null || typeof defaults !== 'object') return out;
  const all = defaults as Record<string, unknown>;
  const add = (source: unknown): void => {
    if (source === null || typeof source !== 'object') return;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      if (METHOD_KEYS.has(name.toLowerCase())) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        out[name.toLowerCase()] = String(value);
      }
    }
  };
  add(all.common);
  add(all[method.toLowerCase()]);
  add(all);
  return out;
}
