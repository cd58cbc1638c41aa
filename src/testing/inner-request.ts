/**
 * Helpers for the end-user data a calling service forwards (`headers`, `context`), with the real server's
 * crash points: tinyauth's audit log unpacks every header as a `(str, str)` pair, and `dict(None)` fails.
 */
import type { HeaderPairs } from '../core/identify';
import { PolicyError } from '../core/policy-error';
import type { CompiledPolicy, PolicyContext, PolicyDecision } from '../core/policy';
import { pyUnpackPair } from './python-coerce';
import { ServerCrash } from './reply';

/** The forwarded headers as string pairs; a null list or a malformed item crashes the real server. */
export function forwardedHeaders(list: unknown[] | null): HeaderPairs {
  if (list === null) throw new ServerCrash('headers is null');
  return list.map((item) => {
    const pair = pyUnpackPair(item);
    if (pair === undefined || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new ServerCrash('a forwarded header is not a (name, value) pair of strings');
    }
    return [pair[0], pair[1]] as const;
  });
}

/** `dict(context)` plus server-set keys; a null context crashes the real server. Never a prototype. */
export function buildContext(
  entries: [unknown, unknown][] | null,
  extra: Record<string, unknown>,
): PolicyContext {
  if (entries === null) throw new ServerCrash('context is null');
  const ctx: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  // Non-string keys (from a list of pairs) can never be looked up by a condition: leave them out.
  for (const [k, v] of entries) if (typeof k === 'string') ctx[k] = v;
  for (const k of Object.keys(extra)) ctx[k] = extra[k];
  return ctx;
}

/** Evaluates a policy; a {@link PolicyError} is an unhandled exception (500) on the real server. */
export function evaluateOrCrash(
  policy: CompiledPolicy,
  action: unknown,
  resource: unknown,
  ctx: PolicyContext,
): PolicyDecision {
  try {
    return policy.evaluateValue(action, resource, ctx);
  } catch (e) {
    if (e instanceof PolicyError) throw new ServerCrash(`policy: ${e.message}`);
    throw e;
  }
}
