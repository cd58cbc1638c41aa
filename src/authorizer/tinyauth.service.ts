import { Inject, Injectable } from '@nestjs/common';
import { formatArn } from '../core/arn';
import { TINYAUTH_AUTHORIZER, TINYAUTH_OPTIONS } from '../tinyauth.constants';
import type { CsrfStrategy, ResolvedTinyauthOptions } from '../options/tinyauth-options.interface';
import { TinyauthClient } from '../client/tinyauth-client';
import type { LoginToken } from '../client/wire-types';
import { exceptionForDecision } from '../errors/authorization-failed';
import { requestFacts, type HttpRequestLike } from '../request/request-facts';
import { setTinyauthState } from '../decorators/tinyauth-identity.decorator';
import type { Authorizer } from './authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from './decision';

/**
 * The injectable face of the module: decisions for checks made inside handlers, when the resource is only known
 * after loading it (flask_tinyauth's call-inside-the-view style), and the login exchange.
 */
@Injectable()
export class TinyauthService {
  constructor(
    @Inject(TINYAUTH_OPTIONS) private readonly options: ResolvedTinyauthOptions,
    @Inject(TINYAUTH_AUTHORIZER) private readonly authorizer: Authorizer,
    private readonly client: TinyauthClient,
  ) {}

  /** The ARN of a resource of this service, built as flask_tinyauth builds it. */
  arn(resourceClass?: string, resource?: string): string {
    return formatArn(this.options, resourceClass, resource);
  }

  /**
   * Asks for all `checks` at once (one call to tinyauth). Never throws: a failure is a denial with an error code.
   * @param request the Express or Fastify request whose credentials are checked
   * @param context extra policy context, merged over SourceIp and RequestDateTime
   */
  authorize(
    request: HttpRequestLike,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    return this.authorizer.authorize(requestFacts(request), checks, context);
  }

  /**
   * Checks one action on `arn(resourceClass, resource)` and throws the matching `AuthorizationFailed` subclass
   * (401, 403 or 503) unless it is allowed. On success the identity is attached to the request.
   *
   * @example
   * const apple = await this.apples.load(id);
   * await this.tinyauth.authorizeOrThrow(req, 'GetApple', 'apples', apple.owner + '/' + apple.name);
   */
  async authorizeOrThrow(
    request: HttpRequestLike,
    action: string,
    resourceClass?: string,
    resource?: string,
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const decision = await this.authorize(
      request,
      [{ action, resource: this.arn(resourceClass, resource) }],
      context,
    );
    if (decision.authorized !== true) throw exceptionForDecision(decision);
    setTinyauthState(request, { identity: decision.identity, decision });
    return decision;
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

  /** Exchanges a user name and password for a session token (tinyauth's get-token-for-login). */
  getTokenForLogin(
    username: string,
    password: string,
    csrfStrategy: CsrfStrategy = this.options.csrfStrategy,
  ): Promise<LoginToken> {
    return this.client.getTokenForLogin(username, password, csrfStrategy);
  }
}
