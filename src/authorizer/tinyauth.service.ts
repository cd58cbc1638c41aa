import { Inject, Injectable, Optional } from '@nestjs/common';
import { formatArn } from '../core/arn';
import { TINYAUTH_BATCHED_AUTHORIZER, TINYAUTH_OPTIONS } from '../tinyauth.constants';
import type { CsrfStrategy, ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import { TinyauthClient } from '../client/tinyauth-client';
import type { LoginToken } from '../client/wire-types';
import { exceptionForDecision } from '../outcome/authorization-failed';
import { authenticationChallenge } from '../outcome/challenge';
import { rpcDenial, TinyauthGraphQLError, wsDenial } from '../outcome/transport-denials';
import { requestFacts, type HttpRequestLike, type RequestFacts } from '../request/request-facts';
import { rememberedSource } from '../request/context-facts';
import { graphqlFacts } from '../request/graphql-facts';
import { isSocketIoClient, wsFacts } from '../request/ws-facts';
import { setTinyauthState } from '../decorators/tinyauth-identity.decorator';
import { DecisionObserver } from '../observability/decision-observer';
import type { Authorizer } from './authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../decision';
import { DenialExplainer, type TinyauthExplanation } from './explain/denial-explainer';

/**
 * The injectable face of the module: decisions for checks made inside handlers, when the resource is only known
 * after loading it (flask_tinyauth's call-inside-the-view style), and the login exchange.
 */
@Injectable()
export class TinyauthService {
  private explainer: DenialExplainer | undefined;

  constructor(
    @Inject(TINYAUTH_OPTIONS) private readonly options: ResolvedTinyauthOptions,
    @Inject(TINYAUTH_BATCHED_AUTHORIZER) private readonly authorizer: Authorizer,
    private readonly client: TinyauthClient,
    @Optional() private readonly observer?: DecisionObserver,
  ) {}

  /** The ARN of a resource of this service, built as flask_tinyauth builds it. */
  arn(resourceClass?: string, resource?: string): string {
    return formatArn(this.options, resourceClass, resource);
  }

  /**
   * Asks for all `checks` at once (one call to tinyauth). Never throws: a failure is a denial with an error code.
   * @param request what the handler holds of the call whose credentials are checked: the Express or Fastify
   *   request, the GraphQL context (`@Context()`), the WebSocket client (`@ConnectedSocket()`) or the RPC context
   *   (`@Ctx()`; found only after `TinyauthGuard` has seen the message, since the credentials are in its payload)
   * @param context extra policy context, merged over SourceIp and RequestDateTime
   */
  authorize(
    request: HttpRequestLike | object,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    return this.decide('TinyauthService.authorize', request, checks, context);
  }

  /**
   * Checks one action on `arn(resourceClass, resource)` and throws the matching `AuthorizationFailed` subclass
   * (401, 403 or 503) unless it is allowed, or for GraphQL, WebSocket and RPC calls the guard has seen, the
   * denial of that transport (see `TinyauthGuard`). On success the identity is attached to `request`. An HTTP 401
   * carries its `WWW-Authenticate` challenge in `exception.headers`, for the filter that answers it to send.
   *
   * @example
   * const apple = await this.apples.load(id);
   * await this.tinyauth.authorizeOrThrow(req, 'GetApple', 'apples', apple.owner + '/' + apple.name);
   */
  async authorizeOrThrow(
    request: HttpRequestLike | object,
    action: string,
    resourceClass?: string,
    resource?: string,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const decision = await this.decide(
      'TinyauthService.authorizeOrThrow',
      request,
      [{ action, resource: this.arn(resourceClass, resource) }],
      context,
    );
    if (decision.authorized !== true) throw denialFor(request, decision, this.options.service);
    setTinyauthState(request, { identity: decision.identity, decision });
    return decision;
  }

  /**
   * Why `checks` get the answers they get for this request: the user the credentials prove, and for each check the
   * trace of tinyauth's evaluation of the user's merged policy (each statement's Action, Resource and conditions
   * with the context values they saw, the statement that decided, and for an implicit deny the nearest misses).
   * For developers and operators, not the response path: it asks tinyauth for signing keys and the user's policy
   * with this service's key (which needs tinyauth:GetServiceUserSigningToken, GetServiceAccessKeySigningToken and
   * GetServiceUserPolicies) and caches nothing. Never throws; never contains a secret.
   * @param context extra policy context, merged over SourceIp and RequestDateTime as in `authorize`
   */
  explain(
    request: HttpRequestLike,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthExplanation> {
    this.explainer ??= new DenialExplainer(this.client, this.options.service);
    return this.explainer.explain(requestFacts(request), checks, context);
  }

  private decide(
    route: string,
    request: object,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const facts = factsOf(request);
    const decide = () => this.authorizer.authorize(facts, checks, context);
    return this.observer?.observe({ transport: 'http', route }, facts.headers, checks, decide) ?? decide();
  }

  /**
   * Forgets cached allow decisions: every one, or those tinyauth granted to `identity` (a tinyauth user name),
   * e.g. right after revoking that user's key or policy in tinyauth. In `cached` mode it takes effect in this
   * process at once and, with `sharedCache`, on every replica within `sharedCache.invalidationCheckMs` (default
   * 1 s); without it, other processes keep their decisions for up to `cacheTtlMs`. Other modes cache no
   * decisions: it resolves and does nothing.
   *
   * @throws Error (rejected promise) when the shared store could not record the invalidation; this process has
   * forgotten the decisions anyway, the other replicas may keep them for up to `cacheTtlMs`.
   */
  async invalidateCachedDecisions(identity?: string): Promise<void> {
    await this.authorizer.invalidate?.(identity);
  }

  /**
   * Exchanges a user name and password for a session (tinyauth's get-token-for-login): `{ token, csrf? }`, `token`
   * being the `tinysess` cookie's value and `csrf` the `X-CSRF-Token` of the `header-token` strategy. Rejects with
   * `InvalidCredentials` when tinyauth refuses the name or password, and with an error named `TinyauthClientError` (`kind`: `timeout`, `connection`, ...) when it cannot
   * be reached or understood within `timeoutMs`.
   */
  getTokenForLogin(
    username: string,
    password: string,
    csrfStrategy: CsrfStrategy = this.options.csrfStrategy,
  ): Promise<LoginToken> {
    return this.client.getTokenForLogin(username, password, csrfStrategy);
  }
}

/** The facts of what a handler holds: recorded by the guard, else read from a socket, a graphql-ws context or
 * an HTTP request. */
function factsOf(request: object): RequestFacts {
  const seen = rememberedSource(request);
  if (seen !== undefined) return seen.facts;
  if (isSocketIoClient(request)) return wsFacts(request);
  if ('connectionParams' in request) return graphqlFacts(request);
  return requestFacts(request as HttpRequestLike);
}

function denialFor(request: object, decision: TinyauthDecision, service: string): Error {
  switch (rememberedSource(request)?.type) {
    case 'graphql':
      return new TinyauthGraphQLError(decision);
    case 'ws':
      return wsDenial(decision);
    case 'rpc':
      return rpcDenial(decision);
    default:
      return exceptionForDecision(decision, authenticationChallenge(service, factsOf(request).headers));
  }
}
