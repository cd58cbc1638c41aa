import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { isAxiosError, type AxiosRequestConfig } from 'axios';
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
 * How a call is sent is the `httpClient` option, never guessed: by default through `@nestjs/axios`'s `HttpService`
 * (its interceptors and defaults apply to every call) with a keep-alive undici agent as the axios `adapter` (axios'
 * own http adapter costs several times a raw round trip), so transport options of the HttpModule (`adapter`,
 * `httpAgent`, `proxy`, redirects) are not used for tinyauth; with `'undici'`, straight to that agent.
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

  private exchange(method: 'GET' | 'POST', path: string, body?: string): Promise<TinyauthHttpResponse> {
    const url = `${this.options.endpoint}${path}`;
    return this.options.httpClient === 'undici'
      ? this.viaUndici(method, url, body)
      : this.viaHttpService(method, url, body);
  }

  /** `httpClient: 'undici'`: the client's own headers only; no axios interceptor or default is involved. */
  private viaUndici(method: 'GET' | 'POST', url: string, body?: string): Promise<TinyauthHttpResponse> {
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.transport.send({ url, method, headers, body });
  }

  /**
   * The default: every call goes through the HttpService's axios instance, so its interceptors and defaults
   * (headers, params) apply; only the adapter is ours, for the timeouts, TLS settings and keep-alive pool above.
   */
  private async viaHttpService(
    method: 'GET' | 'POST',
    url: string,
    body?: string,
  ): Promise<TinyauthHttpResponse> {
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
    try {
      const response = await this.http.axiosRef.request<string>(config);
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
      // An interceptor may throw anything; whatever it is, the call failed and the decision fails closed.
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
