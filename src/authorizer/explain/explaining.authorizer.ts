import { Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { TinyauthClient } from '../../client/tinyauth-client';
import type { ResolvedTinyauthOptions } from '../../options/tinyauth-options.interface';
import type { RequestFacts } from '../../request/request-facts';
import type { Authorizer } from '../authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../../decision';
import { DenialExplainer, formatTinyauthExplanation } from './denial-explainer';

/**
 * The `explain` option: every NotPermitted denial is logged with its explanation. The decision itself is the
 * wrapped strategy's, untouched; explaining never throws and never changes an answer.
 */
export class ExplainingAuthorizer implements Authorizer {
  private readonly logger = new Logger('Tinyauth');

  constructor(
    private readonly inner: Authorizer,
    private readonly explainer: DenialExplainer,
  ) {}

  /** The wrapped strategy's start-up (a shared cache connects here), shutdown and invalidation stay its own. */
  async onModuleInit(): Promise<void> {
    await (this.inner as Partial<OnModuleInit>).onModuleInit?.();
  }

  async onModuleDestroy(): Promise<void> {
    await (this.inner as Partial<OnModuleDestroy>).onModuleDestroy?.();
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await (this.inner as Partial<OnApplicationShutdown>).onApplicationShutdown?.(signal);
  }

  invalidate(identity?: string): Promise<void> {
    return this.inner.invalidate?.(identity) ?? Promise.resolve();
  }

  async authorize(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthDecision> {
    const decision = await this.inner.authorize(facts, checks, context);
    if (decision.authorized !== true && decision.errorCode === 'NotPermitted') {
      const explanation = await this.explainer.explain(facts, checks, context);
      // The path only: a query string may carry a token.
      const path = facts.url.split('?')[0];
      this.logger.warn(
        `${facts.method} ${path} refused (NotPermitted): ${formatTinyauthExplanation(explanation)}`,
      );
    }
    return decision;
  }
}

/**
 * Wraps `authorizer` for the `explain` option. In production it is refused: explanations cost two calls to tinyauth
 * per denial and spell out policies in the logs, so the option is ignored there, with a warning naming it.
 */
export function withDenialExplanations(
  authorizer: Authorizer,
  options: ResolvedTinyauthOptions,
  client: TinyauthClient,
): Authorizer {
  if (!options.explain || options.bypass) return authorizer;
  if (process.env.NODE_ENV === 'production') {
    new Logger('Tinyauth').warn(
      'explain: ignored because NODE_ENV=production (denials are not explained in the response path; use TinyauthService.explain or `npx nestjs-tinyauth explain` instead)',
    );
    return authorizer;
  }
  return new ExplainingAuthorizer(authorizer, new DenialExplainer(client, options.service));
}
