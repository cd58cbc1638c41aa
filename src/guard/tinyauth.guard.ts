import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REDIRECT_TO_LOGIN_KEY, TINYAUTH_BATCHED_AUTHORIZER, TINYAUTH_OPTIONS } from '../tinyauth.constants';
import type { ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import type { Authorizer } from '../authorizer/authorizer.interface';
import { withoutBatching } from '../authorizer/batching.authorizer';
import type { TinyauthCheck, TinyauthDecision } from '../decision';
import type { ActionRequirement } from '../decorators/require-action.decorator';
import { setTinyauthState } from '../decorators/tinyauth-identity.decorator';
import { exceptionForDecision, NotAuthenticated } from '../outcome/authorization-failed';
import { authenticationChallenge } from '../outcome/challenge';
import { LoginRequired } from '../outcome/login-required';
import { rpcDenial, TinyauthGraphQLError, wsDenial } from '../outcome/transport-denials';
import type { HttpRequestLike, RequestFacts } from '../request/request-facts';
import { isSocketIoClient, rememberHandshake, wsFacts } from '../request/ws-facts';
import { rememberSource, requestSource, type RequestSource } from '../request/context-facts';
import { DecisionObserver, type DecisionSite } from '../observability/decision-observer';
import { buildChecks, RequirementError } from '../checks/build-checks';
import { resolveRouteAccess, type RouteAccess } from '../checks/route-access';
import { setResponseHeaders } from '../outcome/response-headers';
import { deliverDenialsOverWs } from '../outcome/ws-delivery';
import { httpInputFields } from '../request/selector-input';

/**
 * Enforces `@RequireAction` with tinyauth. Use it per controller, resolver or gateway (`@UseGuards(TinyauthGuard)`)
 * or globally (`{ provide: APP_GUARD, useClass: TinyauthGuard }`). Fails closed: a handler with neither
 * `@RequireAction` nor `@Public` is denied, and so is every request tinyauth cannot decide.
 *
 * Handles every context type itself: `http` (Express, Fastify), `graphql` (Apollo, Mercurius), `ws` (socket.io,
 * `ws`) and `rpc` (microservices); denials take each transport's shape (HTTP 401/403/503, GraphQL `errors[]`,
 * `WsException`, `RpcException`). Override `getSource`, `getChecks`, `getContext` or `onDenied` for custom
 * behaviour.
 */
@Injectable()
export class TinyauthGuard implements CanActivate {
  protected readonly logger = new Logger('TinyauthGuard');
  /** Decision events, spans and metrics; injected as a property so subclasses' constructors stay as they are. */
  @Optional() @Inject(DecisionObserver) private readonly decisionObserver?: DecisionObserver;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(TINYAUTH_OPTIONS) protected readonly options: ResolvedTinyauthOptions,
    @Inject(TINYAUTH_BATCHED_AUTHORIZER) protected readonly authorizer: Authorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const source = this.getSource(context);
    // Recorded even for @Public() handlers, so TinyauthService can check what they hold.
    rememberSource(source);
    if (this.isPublic(context)) return true;

    let checks: TinyauthCheck[];
    try {
      checks = this.getChecks(context, source);
    } catch (err) {
      const message = err instanceof RequirementError ? err.message : 'building the checks failed';
      this.logger.error(`${this.describe(context)}: ${message}; denying the request`);
      return this.deny(context, source, await this.observed(context, source, [], denied));
    }
    if (checks.length === 0) {
      this.logger.warn(
        `${this.describe(context)} has neither @RequireAction nor @Public; denying the request`,
      );
      return this.deny(context, source, await this.observed(context, source, [], denied));
    }

    // No await before this call: concurrent field resolvers of one operation reach the authorizer in the same
    // tick, so their checks go to tinyauth together. An HTTP request brings all its checks in this one call: in
    // front of an in-process strategy it has nothing to wait a turn for (see BatchingAuthorizer.unbatched).
    const authorizer = source.type === 'http' ? withoutBatching(this.authorizer) : this.authorizer;
    const decision = await this.observed(context, source, checks, () =>
      authorizer.authorize(source.facts, checks, this.getContext(context, source.input.request)),
    );
    if (decision.authorized !== true) return this.deny(context, source, decision);
    setTinyauthState(source.holder, { identity: decision.identity, decision });
    return true;
  }

  /**
   * Checks a WebSocket connection as it opens, against the gateway class's own `@RequireAction`s (Nest runs guards
   * for messages, never for `handleConnection`). Call it first thing in `handleConnection`:
   *
   * ```
   * handleConnection(client: object, request?: IncomingMessage) {
   *   return this.guard.checkConnection(this, client, request);
   * }
   * ```
   *
   * With the `ws` adapter, pass the upgrade `request` (the second argument Nest gives `handleConnection`): the `ws`
   * library keeps no reference to it, and every message of that client is checked with its credentials.
   *
   * A refused connection gets the denial as an `exception` event (`{ Authorized: false, ErrorCode }`), then is
   * closed: socket.io disconnects the socket, `ws` closes with code 1008 and the ErrorCode as reason. A gateway
   * class without `@RequireAction` (or `@Public()`) accepts every connection and leaves the checks to its
   * messages. Resolves to whether the connection was accepted; never throws.
   */
  async checkConnection(gateway: object, client: unknown, request?: HttpRequestLike): Promise<boolean> {
    if (client === null || typeof client !== 'object') return false;
    rememberHandshake(client, request);
    const access = resolveRouteAccess(gateway.constructor, CONNECTION);
    if (access.kind !== 'checked') return true;
    let decision: TinyauthDecision;
    try {
      const checks = buildChecks(access.requirements, this.options, {
        type: 'ws',
        params: {},
        args: {},
        data: undefined,
        request: client,
        ...httpInputFields(undefined),
      });
      decision = await this.authorizer.authorize(wsFacts(client), checks);
    } catch (err) {
      const message = err instanceof RequirementError ? err.message : 'building the checks failed';
      this.logger.error(`${gateway.constructor.name} connection: ${message}; refusing it`);
      decision = denial('NotPermitted');
    }
    if (decision.authorized === true) {
      setTinyauthState(client, { identity: decision.identity, decision });
      return true;
    }
    refuseConnection(client, { Authorized: false, ErrorCode: decision.errorCode ?? 'NotPermitted' });
    return false;
  }

  /**
   * Whether this handler is open, by the metadata rule of {@link resolveRouteAccess}: the most specific target that
   * declares anything wins (handler, class, base classes); contradictory metadata resolves to checking.
   */
  protected isPublic(context: ExecutionContext): boolean {
    return this.routeAccess(context).kind === 'public';
  }

  /** What this handler call carries, whatever the transport (credentials, source address, selector input). */
  protected getSource(context: ExecutionContext): RequestSource {
    return requestSource(context, this.options.rpcHeaders);
  }

  /** The checks to make: every `@RequireAction` of the class, then of the handler. */
  protected getChecks(context: ExecutionContext, source: RequestSource): TinyauthCheck[] {
    const access = this.routeAccess(context);
    const requirements: readonly ActionRequirement[] = access.kind === 'checked' ? access.requirements : [];
    return buildChecks(requirements, this.options, source.input);
  }

  /** Extra policy context for this request (none by default; SourceIp and RequestDateTime are always sent). */
  protected getContext(_context: ExecutionContext, _request: unknown): Record<string, unknown> | undefined {
    return undefined;
  }

  /** Throws the denial in the shape of the transport (see {@link onDenied} for HTTP). */
  private deny(context: ExecutionContext, source: RequestSource, decision: TinyauthDecision): never {
    switch (source.type) {
      case 'graphql':
        throw new TinyauthGraphQLError(decision);
      case 'ws':
        deliverDenialsOverWs(source.input.request);
        throw wsDenial(decision);
      case 'rpc':
        throw rpcDenial(decision);
      default:
        return this.onDenied(context, source.facts, decision);
    }
  }

  /**
   * Throws an HTTP denial: a login redirect for unauthenticated `@RedirectToLogin()` pages, else 401/403/503.
   * `@RedirectToLogin()` applies to HTTP only; GraphQL, WebSocket and RPC denials are thrown by the guard itself. A
   * 401 carries a `WWW-Authenticate` challenge naming the service, set on the HTTP response here (Nest's filters
   * send no headers) and kept in `exception.headers`.
   */
  protected onDenied(context: ExecutionContext, facts: RequestFacts, decision: TinyauthDecision): never {
    const exception = exceptionForDecision(
      decision,
      authenticationChallenge(this.options.service, facts.headers),
    );
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
    if (context.getType() === 'http')
      setResponseHeaders(context.switchToHttp().getResponse(), exception.headers);
    throw exception;
  }

  /** `decide`, reported as one decision event, span and metric (denials the guard makes itself included). */
  private observed(
    context: ExecutionContext,
    source: RequestSource,
    checks: readonly TinyauthCheck[],
    decide: () => Promise<TinyauthDecision>,
  ): Promise<TinyauthDecision> {
    const observer = this.decisionObserver;
    if (observer === undefined) return decide();
    return observer.observe(
      this.route(context).site(context.getType()),
      source.facts.headers,
      checks,
      decide,
    );
  }

  private routeAccess(context: ExecutionContext): RouteAccess {
    return this.route(context).access;
  }

  /** Resolved once per (class, handler): metadata is fixed after start-up, and this runs on every request. */
  private route(context: ExecutionContext): RouteFacts {
    const cls = context.getClass();
    const handler = context.getHandler();
    let byHandler = routeCache.get(cls);
    if (byHandler === undefined) routeCache.set(cls, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (route === undefined) byHandler.set(handler, (route = new RouteFacts(cls, handler)));
    return route;
  }

  private describe(context: ExecutionContext): string {
    return this.route(context).name;
  }
}

/** What the guard derives from a handler alone: its access rule, its `Class.method` name and decision sites. */
class RouteFacts {
  readonly access: RouteAccess;
  readonly name: string;
  private readonly sites = new Map<string, DecisionSite>();

  constructor(cls: Type, handler: { readonly name: string }) {
    this.access = resolveRouteAccess(cls, handler);
    this.name = `${cls.name}.${handler.name}`;
  }

  /** The decision site of this handler on `transport`, built once (events copy its fields). */
  site(transport: string): DecisionSite {
    let site = this.sites.get(transport);
    if (site === undefined)
      this.sites.set(transport, (site = Object.freeze({ transport, route: this.name })));
    return site;
  }
}

const routeCache = new WeakMap<object, WeakMap<object, RouteFacts>>();

/** A handler without metadata: resolving it gives the class-level declarations (what a connection needs). */
const CONNECTION = Object.freeze(function connection(): void {});

const POLICY_VIOLATION = 1008;

/** Sends the denial as the `exception` event, then closes the connection. */
function refuseConnection(client: object, body: { Authorized: false; ErrorCode: string }): void {
  const c = client as {
    emit?: (event: string, data: unknown) => void;
    disconnect?: (close: boolean) => void;
    send?: (data: string) => void;
    close?: (code: number, reason: string) => void;
  };
  if (isSocketIoClient(client)) {
    c.emit?.('exception', body);
    c.disconnect?.(true);
  } else {
    c.send?.(JSON.stringify({ event: 'exception', data: body }));
    c.close?.(POLICY_VIOLATION, body.ErrorCode);
  }
}

/** A route this guard refuses by itself (nothing declared, or a resource it cannot build): 403, no call. */
const denied = (): Promise<TinyauthDecision> =>
  Promise.resolve({ ...denial('NotPermitted'), source: 'guard' as const });

function denial(errorCode: string): TinyauthDecision {
  return { authorized: false, errorCode, permitted: {}, notPermitted: {} };
}
