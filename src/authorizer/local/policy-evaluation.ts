import type { CompiledPolicy } from '../../core';
import { groupChecks, type TinyauthCheck, type TinyauthDecision } from '../../decision';
import type { RequestFacts } from '../../request/request-facts';
import { decisionContext } from '../request-context';

/** Who verified credentials proved to be, and their MFA claim (the `Mfa` context key). */
export interface Verified {
  identity: string;
  mfa: unknown;
}

/** tinyauth checks identity per pair: an identity failure refuses every pair with that code. */
export function identityRefusal(errorCode: string, checks: readonly TinyauthCheck[]): TinyauthDecision {
  return { authorized: false, errorCode, permitted: {}, notPermitted: groupChecks(checks) };
}

/**
 * Every (action, resource) pair on its own, in request order, as the batch endpoint does; actions are named
 * `permitPrefix + action` (the service's prefix) in the policy.
 */
export function evaluateChecks(
  policy: CompiledPolicy,
  who: Verified,
  permitPrefix: string,
  facts: RequestFacts,
  checks: readonly TinyauthCheck[],
  context?: Readonly<Record<string, unknown>>,
): TinyauthDecision {
  const permit = groupChecks(checks);
  const ctx = decisionContext(facts, context === undefined ? undefined : jsonCopy(context));
  ctx.Mfa = who.mfa;
  const permitted: Record<string, string[]> = {};
  const notPermitted: Record<string, string[]> = {};
  let anyPermitted = false;
  let anyRefused = false;
  for (const action of Object.keys(permit)) {
    const name = `${permitPrefix}${action}`;
    for (const resource of permit[action]) {
      if (policy.evaluate(name, resource, ctx) === 'Allow') {
        (permitted[action] ??= []).push(resource);
        anyPermitted = true;
      } else {
        (notPermitted[action] ??= []).push(resource);
        anyRefused = true;
      }
    }
  }
  const authorized = anyPermitted && !anyRefused;
  return authorized
    ? { authorized, identity: who.identity, permitted, notPermitted }
    : { authorized, errorCode: 'NotPermitted', permitted, notPermitted };
}

/** Callers' extra context goes to tinyauth as JSON: evaluate exactly what JSON would carry. */
function jsonCopy(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
}
