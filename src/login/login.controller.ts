import {
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  Logger,
  Post,
  Query,
  Req,
  Res,
  ValidationPipe,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TinyauthService } from '../authorizer/tinyauth.service';
import { Public } from '../decorators/public.decorator';
import { InvalidCredentials, TinyauthClientError } from '../client/client-errors';
import type { LoginToken } from '../client/wire-types';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import { TINYAUTH_OPTIONS } from '../tinyauth.constants';
import { ensureFastifyFormParser } from './form-body';
import { LoginDto } from './login.dto';
import { FAVICON_SVG } from './login-icon';
import { LOGIN_PAGE_HEADERS, renderLoginPage } from './login-page';
import { LoginResponder } from './login-responder';
import { loginRoutes, type LoginRoutes } from './login-routes';
import { loginAssets } from './login-assets';
import { nextLocation, safeNextPath } from './safe-next';
import { crossSiteVerdict, type OriginRequest } from './cross-site';
import { LOGIN_CONTROLLER_PATH, LoginMounts } from './login-mount';
import { addressKey, LoginRateLimiter, type LimitScope } from './login-rate-limiter';
import { clearedSessionCookies, sessionCookies } from './session-cookies';

/** The request fields the login flow reads; Express and Fastify requests both have them. */
export interface LoginHttpRequest extends OriginRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Express: the path and query the client asked for. */
  originalUrl?: string;
  /** Fastify: the path and query the client asked for (Express: relative to a mounted router). */
  url?: string;
  /** The client address, honouring the adapter's trust-proxy setting. */
  ip?: string;
}

const MESSAGES = {
  invalid: 'Wrong user name or password.',
  unavailable: 'Sign-in is unavailable right now. Please try again in a moment.',
  crossSite: 'This request came from another site and was refused.',
} as const;

const ASSET_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'public, max-age=3600' };
const NO_STORE = { 'Cache-Control': 'no-store' };

// Scoped to the POST route: the app's own global pipes and their options are left alone.
const LOGIN_BODY_PIPE = new ValidationPipe({
  whitelist: true,
  transform: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
});

function header(request: LoginHttpRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

const isFormPost = (request: LoginHttpRequest): boolean =>
  header(request, 'content-type').toLowerCase().startsWith('application/x-www-form-urlencoded');

const requestPath = (request: LoginHttpRequest): string =>
  (request.originalUrl ?? request.url ?? '/').split('?')[0];

/** A value from the request, made safe for one log line: quoted, escaped, bounded. */
const loggable = (value: string | undefined): string =>
  value === undefined ? 'none' : JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);

/** "Try again in 15 minutes." from a Retry-After in seconds. */
export function retryMessage(seconds: number): string {
  const wait =
    seconds < 60
      ? `${seconds} second${seconds === 1 ? '' : 's'}`
      : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`;
  return `Too many failed sign-ins. Try again in ${wait}.`;
}

/**
 * The sign-in flow, for one login path (see `createLoginController`): the page, the form/JSON post that exchanges
 * a user name and password for a tinyauth session, sign-out, and the page's static assets.
 *
 * **Which CSRF strategy** (module option `csrfStrategy`, sent to tinyauth at sign-in):
 * - `cookie` (default): pick it for server-rendered pages and same-site APIs. The session lives only in the
 *   HttpOnly, `SameSite=Lax` `tinysess` cookie, which browsers do not send with cross-site POST, PUT, PATCH or
 *   DELETE requests, nor with cross-site fetches. Keep GET handlers free of side effects, and remember that a
 *   same-site attacker (a sibling subdomain you do not control) is not stopped by SameSite.
 * - `header-token`: pick it for single-page apps whose API calls are made by script, or when sibling subdomains
 *   are not trusted. tinyauth binds a CSRF token into the session, returned here as the script-readable `tinycsrf`
 *   cookie; every request must echo it as `X-CSRF-Token` or tinyauth answers `CsrfError` (401). A plain browser
 *   navigation cannot add that header, so do not guard `@RedirectToLogin()` pages with such a session; serve the
 *   app shell `@Public()` and protect its API instead (the redirect filter answers 401, not a login loop, when
 *   only the header is missing).
 * - `none`: tinyauth treats it like `cookie`.
 *
 * The sign-in POST and sign-out are refused (403 JSON) when a browser signal says the request comes from another
 * site (`Sec-Fetch-Site` other than `same-origin`/`none`, or an `Origin` that is not the app's own nor in
 * `allowedOrigins`; see `crossSiteVerdict`), so another site cannot sign a visitor into an account of its choosing
 * or out of theirs. Failed sign-ins are limited per client address and per user name (`LoginRateLimiter`): past a
 * limit the answer is 429 with `Retry-After`, before tinyauth is asked.
 *
 * Every URL it emits (form action, asset links, logout target, default `next`) is where Nest really mounted its
 * routes (`LoginMounts`): global prefix, `exclude`, URI versioning and `RouterModule` paths included.
 */
@Injectable()
export abstract class LoginControllerBase implements OnModuleInit {
  protected readonly logger = new Logger('TinyauthLogin');
  /** The URLs this controller declares, before Nest mounts them (see `mountedRoutes`). */
  protected abstract readonly routes: LoginRoutes;
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    @Inject(TINYAUTH_OPTIONS) protected readonly options: ResolvedTinyauthOptions,
    protected readonly tinyauth: TinyauthService,
    protected readonly adapterHost: HttpAdapterHost,
    protected readonly mounts: LoginMounts,
    protected readonly limiter: LoginRateLimiter,
  ) {
    this.allowedOrigins = new Set(options.allowedOrigins);
  }

  /** Lets Fastify apps without a form parser accept the no-JavaScript form post. */
  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify' && ensureFastifyFormParser(adapter.getInstance())) {
      this.logger.log('Added an application/x-www-form-urlencoded parser for the login form');
    }
  }

  /** The URLs of the mount that received `request`, as Nest mounted them. */
  protected mountedRoutes(request: LoginHttpRequest): LoginRoutes {
    return this.mounts.routesFor(this.constructor as Type, requestPath(request), this.routes);
  }

  /** GET: the sign-in page. */
  protected showPage(next: unknown, request: LoginHttpRequest, response: unknown): void {
    const routes = this.mountedRoutes(request);
    this.sendPage(response, routes, 200, { next: safeNextPath(next, routes.home) });
  }

  /**
   * POST: JSON gets 200 `{}` or a JSON error; a form post gets 303 to `next` or the page again with the error.
   * Refused first when cross-site (403 JSON), then when over a sign-in limit (429 with Retry-After).
   */
  protected async signIn(body: LoginDto, request: LoginHttpRequest, response: unknown): Promise<void> {
    const routes = this.mountedRoutes(request);
    const form = isFormPost(request);
    const next = safeNextPath(body.next, routes.home);
    const fail = (status: number, message: string, headers: Record<string, string> = {}): void =>
      form
        ? this.sendPage(response, routes, status, { next, username: body.username, error: message }, headers)
        : this.respond(response)
            .headers({ ...NO_STORE, ...headers })
            .json(status, { error: message });

    if (this.refusedCrossSite(request, response, 'sign-in')) return;

    const ip = request.ip ?? request.socket?.remoteAddress ?? '';
    const attempt = this.limiter.begin(ip, body.username);
    if (!attempt.allowed) {
      return fail(429, retryMessage(attempt.retryAfterSeconds), {
        'Retry-After': String(attempt.retryAfterSeconds),
      });
    }

    let login: LoginToken;
    try {
      login = await this.tinyauth.getTokenForLogin(body.username, body.password);
    } catch (err) {
      if (err instanceof InvalidCredentials) {
        for (const scope of attempt.failed()) this.logLimitReached(scope, ip, body.username);
        return form ? fail(401, MESSAGES.invalid) : this.invalid(response);
      }
      attempt.abandoned();
      if (err instanceof TinyauthClientError) {
        // kind and message only: the client's messages never hold credentials.
        this.logger.warn(`sign-in failed, tinyauth unavailable (${err.kind}): ${err.message}`);
        return fail(503, MESSAGES.unavailable);
      }
      throw err;
    }
    attempt.succeeded();
    const reply = this.respond(response)
      .headers(NO_STORE)
      .cookies(sessionCookies(login, this.options.cookieSecure));
    if (form) reply.redirect(303, nextLocation(next));
    else reply.json(200, {});
  }

  /** GET: clears both cookies and goes back to the sign-in page (refused when cross-site, as it changes state). */
  protected signOut(request: LoginHttpRequest, response: unknown): void {
    if (this.refusedCrossSite(request, response, 'sign-out')) return;
    this.respond(response)
      .headers(NO_STORE)
      .cookies(clearedSessionCookies(this.options.cookieSecure))
      .redirect(302, this.mountedRoutes(request).page);
  }

  /** GET: one of the page's static assets. */
  protected sendAsset(response: unknown, body: string, contentType: string): void {
    this.respond(response).headers(ASSET_HEADERS).text(200, body, contentType);
  }

  /** Answers 403 JSON and logs the signals (never the body) when a browser says the request is cross-site. */
  private refusedCrossSite(request: LoginHttpRequest, response: unknown, what: string): boolean {
    const verdict = crossSiteVerdict(request, this.allowedOrigins);
    if (!verdict.refused) return false;
    this.logger.warn(
      `${what} refused: cross-site request (Origin ${loggable(verdict.origin)}, Sec-Fetch-Site ${loggable(verdict.fetchSite)}, own origin ${loggable(verdict.ownOrigin)})`,
    );
    this.respond(response)
      .headers(NO_STORE)
      .json(403, { error: 'Cross-site request refused', message: MESSAGES.crossSite });
    return true;
  }

  private logLimitReached(scope: LimitScope, ip: string, username: string): void {
    const { policy } = this.limiter;
    const who =
      scope === 'address'
        ? `client address ${loggable(addressKey(ip))} (${policy.maxFailuresPerAddress} failed sign-ins)`
        : `user name ${loggable(username)} (${policy.maxFailuresPerUser} failed sign-ins)`;
    this.logger.warn(
      `sign-in limit reached for ${who} within ${Math.round(policy.windowMs / 1000)} s; further attempts get 429 until the window ends`,
    );
  }

  private invalid(response: unknown): void {
    this.respond(response)
      .headers(NO_STORE)
      .json(401, { error: 'Invalid credentials', message: MESSAGES.invalid });
  }

  private sendPage(
    response: unknown,
    routes: LoginRoutes,
    status: number,
    view: { next: string; username?: string; error?: string },
    headers: Record<string, string> = {},
  ): void {
    const html = renderLoginPage({ routes, service: this.options.service, ...view });
    this.respond(response)
      .headers({ ...LOGIN_PAGE_HEADERS, ...headers })
      .text(status, html, LOGIN_PAGE_HEADERS['Content-Type']);
  }

  private respond(response: unknown): LoginResponder {
    return new LoginResponder(this.adapterHost.httpAdapter, response, this.options.service);
  }
}

/**
 * Builds a controller serving the sign-in flow at `path` (normalized: `auth/` → `/auth`). The routes:
 * - `GET <path>`: the page (`?next=/where/to/go`);
 * - `POST <path>`: sign in, JSON `{ username, password, next? }` or an HTML form post;
 * - `GET <path>/static/login.css`, `.../login.js` and `.../icon.svg`: the page's assets;
 * - `GET <parent of path>/logout`: sign out. Logout is the sibling of the page: `/login` → `/logout`,
 *   `/auth` → `/logout`, `/account/signin` → `/account/logout`.
 *
 * `TinyauthModule.forRoot({ ..., login: true })` (or `login: { path }`) mounts one for you. Mount one yourself by
 * listing it in a module's `controllers` (that module must see `TinyauthModule`'s exports). Like any controller's,
 * the paths are mounted under the app's global prefix, URI version and `RouterModule` path; a path that already
 * starts with the global prefix is not prefixed twice. Throws `LoginPathError` for `/` or a path ending in `/logout`.
 *
 * @example
 * \@Module({ imports: [TinyauthModule.forRoot(options)], controllers: [createLoginController('/account/signin')] })
 */
export function createLoginController(path: string): Type<LoginControllerBase> {
  const routes = loginRoutes(path);
  // Read when the controller class is made (at start-up), not per request.
  const assets = loginAssets();

  // Public: signing in must work when TinyauthGuard is the app's global APP_GUARD (it denies unmarked routes).
  @Public()
  @Controller()
  class TinyauthLoginController extends LoginControllerBase {
    protected readonly routes = routes;

    @Get(routes.page)
    page(@Query('next') next: unknown, @Req() request: LoginHttpRequest, @Res() response: unknown): void {
      this.showPage(next, request, response);
    }

    @Post(routes.page)
    login(
      @Body(LOGIN_BODY_PIPE) body: LoginDto,
      @Req() request: LoginHttpRequest,
      @Res() response: unknown,
    ): Promise<void> {
      return this.signIn(body, request, response);
    }

    @Get(routes.logout)
    logout(@Req() request: LoginHttpRequest, @Res() response: unknown): void {
      this.signOut(request, response);
    }

    @Get(routes.stylesheet)
    stylesheet(@Res() response: unknown): void {
      this.sendAsset(response, assets.css, 'text/css; charset=utf-8');
    }

    @Get(routes.script)
    script(@Res() response: unknown): void {
      this.sendAsset(response, assets.script, 'text/javascript; charset=utf-8');
    }

    @Get(routes.icon)
    icon(@Res() response: unknown): void {
      this.sendAsset(response, FAVICON_SVG, 'image/svg+xml');
    }
  }
  // Marks the class for LoginMounts, which reads its mounted paths back from Nest.
  Reflect.defineMetadata(LOGIN_CONTROLLER_PATH, routes.page, TinyauthLoginController);
  return TinyauthLoginController;
}

/** The sign-in flow at `/login` (with `/logout`), for apps that list it in their own module's `controllers`. */
export const LoginController = createLoginController('/login');
