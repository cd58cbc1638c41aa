import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REDIRECT_TO_LOGIN_KEY, TINYAUTH_AUTHORIZER, TINYAUTH_OPTIONS } from '../tinyauth.constants';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import type { Authorizer } from '../authorizer/authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../authorizer/decision';
import type { ActionRequirement } from '../decorators/require-action.decorator';
import { setTinyauthState } from '../decorators/tinyauth-identity.decorator';
import { exceptionForDecision, NotAuthenticated } from '../errors/authorization-failed';
import { LoginRequired } from '../errors/login-required';
import { requestFacts, type HttpRequestLike, type RequestFacts } from '../request/request-facts';
import { DecisionObserver } from '../observability/decision-observer';
import { buildChecks, RequirementError } from './build-checks';
import { resolveRouteAccess, type RouteAccess } from './route-access';

/**
 * Enforces `@RequireAction` with tinyauth. Use it per controller (`@UseGuards(TinyauthGuard)`) or globally
 * (`{ provide: APP_GUARD, useClass: TinyauthGuard }`). Fails closed: a handler with neither `@RequireAction` nor
 * `@Public` is denied, and so is every request tinyauth cannot decide.
 *
 * Subclass it for other transports or behaviour: override `getRequest`, `getChecks`, `getContext` or `onDenied`.
 */
@Injectable()
export class TinyauthGuard implements CanActivate {
  protected readonly logger = new Logger('TinyauthGuard');
  /** Decision events, spans and metrics; injected as a property so subclasses' constructors stay as they are. */
  @Optional() @Inject(DecisionObserver) private readonly decisionObserver?: DecisionObserver;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(TINYAUTH_OPTIONS) protected readonly options: ResolvedTinyauthOptions,
    @Inject(TINYAUTH_AUTHORIZER) protected readonly authorizer: Authorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;

    const request = this.getRequest(context);
    const facts = requestFacts(request);
    let checks: TinyauthCheck[];
    try {
      checks = this.getChecks(context, request, facts);
    } catch (err) {
      const message = err instanceof RequirementError ? err.message : 'building the checks failed';
      this.logger.error(`${this.describe(context)}: ${message}; denying the request`);
      return this.onDenied(context, facts, denial('NotPermitted'));
    }
    if (checks.length === 0) {
      this.logger.warn(
        `${this.describe(context)} has neither @RequireAction nor @Public; denying the request`,
      );
      return this.onDenied(context, facts, denial('NotPermitted'));
    }

    const decide = () => this.authorizer.authorize(facts, checks, this.getContext(context, request));
    const decision = await (this.decisionObserver?.observe(
      { transport: context.getType(), route: this.describe(context) },
      facts.headers,
      checks,
      decide,
    ) ?? decide());
    if (decision.authorized !== true) return this.onDenied(context, facts, decision);
    setTinyauthState(request, { identity: decision.identity, decision });
    return true;
  }

  /**
   * Whether this handler is open, by the metadata rule of {@link resolveRouteAccess}: the most specific target that
   * declares anything wins (handler, class, base classes); contradictory metadata resolves to checking.
   */
  protected isPublic(context: ExecutionContext): boolean {
    return this.routeAccess(context).kind === 'public';
  }

  /** The HTTP request of this context (override for GraphQL, WebSocket or RPC). */
  protected getRequest(context: ExecutionContext): HttpRequestLike {
    return context.switchToHttp().getRequest<HttpRequestLike>();
  }

  /** The checks to make: every `@RequireAction` of the class, then of the handler. */
  protected getChecks(
    context: ExecutionContext,
    request: HttpRequestLike,
    facts: RequestFacts,
  ): TinyauthCheck[] {
    const access = this.routeAccess(context);
    const requirements: readonly ActionRequirement[] = access.kind === 'checked' ? access.requirements : [];
    return buildChecks(requirements, this.options, request, facts.params);
  }

  /** Extra policy context for this request (none by default; SourceIp and RequestDateTime are always sent). */
  protected getContext(
    _context: ExecutionContext,
    _request: HttpRequestLike,
  ): Record<string, unknown> | undefined {
    return undefined;
  }

  /** Throws the denial: a login redirect for unauthenticated `@RedirectToLogin()` pages, else 401/403/503. */
  protected onDenied(context: ExecutionContext, facts: RequestFacts, decision: TinyauthDecision): never {
    const exception = exceptionForDecision(decision);
    const redirect = this.reflector.getAllAndOverride<boolean | undefined>(REDIRECT_TO_LOGIN_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (
      redirect === true &&
      exception instanceof NotAuthenticated &&
      // A header-token session cannot send X-CSRF-Token on a navigation: signing in again would loop.
      decision.errorCode !== 'CsrfError' &&
      (facts.method === 'GET' || facts.method === 'HEAD')
    ) {
      throw new LoginRequired(decision, facts.url);
    }
    throw exception;
  }

  /** Resolved once per (class, handler): metadata is fixed after start-up, and this runs on every request. */
  private routeAccess(context: ExecutionContext): RouteAccess {
    const cls = context.getClass();
    const handler = context.getHandler();
    let byHandler = routeAccessCache.get(cls);
    if (byHandler === undefined) routeAccessCache.set(cls, (byHandler = new WeakMap()));
    let access = byHandler.get(handler);
    if (access === undefined) byHandler.set(handler, (access = resolveRouteAccess(cls, handler)));
    return access;
  }

  private describe(context: ExecutionContext): string {
    return `${context.getClass().name}.${context.getHandler().name}`;
  }
}

const routeAccessCache = new WeakMap<object, WeakMap<object, RouteAccess>>();

function denial(errorCode: string): TinyauthDecision {
  return { authorized: false, errorCode, permitted: {}, notPermitted: {} };
}
