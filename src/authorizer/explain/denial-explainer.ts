import {
  compilePolicy,
  explainPolicy,
  formatExplanation,
  identify,
  type KeySource,
  type PolicyExplanation,
} from '../../core';
import type { TinyauthClient } from '../../client/tinyauth-client';
import type { RequestFacts } from '../../request/request-facts';
import type { TinyauthCheck } from '../../decision';
import { decisionContext } from '../request-context';
import { SourceUnavailable, Undecidable } from '../local/fetch-outcome';
import { TinyauthSource } from '../local/tinyauth-source';

/** Why the checks of one request get the answers they get, as `TinyauthService.explain` returns it. */
export interface TinyauthExplanation {
  /** The user the request's credentials prove. Absent when they prove none. */
  identity?: string;
  /** The identity failure tinyauth reports for these credentials (`UnsignedRequest`, `InvalidSignature`, …). */
  errorCode?: string;
  /** Why no explanation could be made (tinyauth unreachable, an answer not understood, …). */
  unavailable?: string;
  /** Number of statements of the user's merged policy. */
  statementCount?: number;
  /** One explanation per check, in order; the action carries the service prefix, as tinyauth evaluates it. */
  checks: { action: string; resource: string; explanation: PolicyExplanation }[];
}

/** Key-derivation region: flask_tinyauth sends no region, so tinyauth derives every key for `global`. */
const REGION = 'global';

/** Callers' extra context goes to tinyauth as JSON: explain exactly what JSON would carry. */
function jsonCopy(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
}

/**
 * Explains decisions the way local mode makes them: the request's credentials are verified with signing keys from
 * tinyauth, the user's merged policy is fetched from `user-policies` (both with the service's own key, which needs
 * tinyauth:GetServiceUserSigningToken, GetServiceAccessKeySigningToken and GetServiceUserPolicies), and the core's
 * explainer traces each check. Nothing is cached: an explanation always reads the current policy. It never throws.
 */
export class DenialExplainer {
  private readonly source: TinyauthSource;

  constructor(
    client: TinyauthClient,
    private readonly service: string,
  ) {
    // Nothing is cached here, so the key lifetime cap plays no part.
    this.source = new TinyauthSource(client, REGION, service, 0);
  }

  async explain(
    facts: RequestFacts,
    checks: readonly TinyauthCheck[],
    context?: Readonly<Record<string, unknown>>,
  ): Promise<TinyauthExplanation> {
    try {
      const who = await identify(facts.headers, REGION, this.service, this.keys(), new Date());
      if (!who.ok) {
        return 'serverError' in who
          ? { unavailable: 'tinyauth answers HTTP 500 for these credentials', checks: [] }
          : { errorCode: who.errorCode, checks: [] };
      }
      const fetched = await this.source.userPolicies(who.identity);
      if (fetched.kind !== 'found') return { identity: who.identity, unavailable: 'no policy', checks: [] };
      const policy = compilePolicy(fetched.value);
      const doc = fetched.value as { Statement?: unknown };
      const ctx = decisionContext(facts, context === undefined ? undefined : jsonCopy(context));
      ctx.Mfa = who.mfa;
      return {
        identity: who.identity,
        statementCount: Array.isArray(doc.Statement) ? doc.Statement.length : undefined,
        checks: checks.map(({ action, resource }) => {
          const name = `${this.service}:${action}`;
          return { action: name, resource, explanation: explainPolicy(policy, name, resource, ctx) };
        }),
      };
    } catch (err) {
      // Our own messages only: a transport error could quote a URL, never a secret, but say no more than the kind.
      const reason =
        err instanceof SourceUnavailable || err instanceof Undecidable ? err.message : 'unexpected failure';
      return { unavailable: reason, checks: [] };
    }
  }

  private keys(): KeySource {
    return {
      userJwtKey: async (_region, _service, date, user) => {
        const found = await this.source.userSigningToken(user, date);
        return found.kind === 'found' ? found.value.key : undefined;
      },
      accessKey: async (_region, _service, date, keyId) => {
        const found = await this.source.accessKeySigningToken(keyId, date);
        return found.kind === 'found' ? found.value : undefined;
      },
    };
  }
}

/** Human-readable text of a {@link TinyauthExplanation}, as the `explain` option logs it. */
export function formatTinyauthExplanation(e: TinyauthExplanation): string {
  if (e.errorCode !== undefined) return `no identity: ${e.errorCode} (no policy was evaluated)`;
  if (e.unavailable !== undefined) return `no explanation: ${e.unavailable}`;
  const head = `user ${JSON.stringify(e.identity)}, merged policy of ${e.statementCount ?? '?'} statement(s)`;
  return [head, ...e.checks.map((c) => formatExplanation(c.explanation))].join('\n');
}
