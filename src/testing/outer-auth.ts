/**
 * The check of the calling service itself (tinyauth's `internal_authorize`, protocol §8.8): identify the real
 * request's headers for region `global` and service `tinyauth`, then evaluate the caller's policy for
 * `tinyauth:<action>` with the context `SourceIp`, `RequestDateTime` and `Mfa`.
 */
import { identify } from '../core/identify';
import { PolicyError } from '../core/policy-error';
import { jsonReply, ServerCrash, type Reply } from './reply';
import type { RequestContext } from './request-context';

/** The tinyauth ARN of a service, the resource of the service-scoped permissions. */
export function serviceArn(service: string): string {
  return `arn:tinyauth:tinyauth:::services/${service}`;
}

/** The bare tinyauth ARN, the resource of the legacy endpoints. */
export const TINYAUTH_ARN = 'arn:tinyauth:tinyauth:::';

/**
 * Runs the outer check. Returns the 401 / 403 reply to send, or `undefined` when the caller may proceed.
 * Throws {@link ServerCrash} where tinyauth crashes (bad tinysess, policy error).
 */
export async function authorizeCaller(
  ctx: RequestContext,
  action: string,
  resource: string,
): Promise<Reply | undefined> {
  const who = await identify(ctx.headers, 'global', 'tinyauth', ctx.store.keySource, ctx.now);
  if (!who.ok) {
    if ('serverError' in who) throw new ServerCrash(who.serverError);
    return jsonReply(401, { errors: { authorization: who.errorCode } });
  }
  const policy = ctx.store.policyFor(who.identity);
  if (policy === undefined) throw new ServerCrash('caller identity vanished');
  // RequestDateTime is a Python datetime on the real server: a Date never equals a JSON value.
  const context = { SourceIp: ctx.sourceIp, RequestDateTime: ctx.now, Mfa: who.mfa };
  let decision: string;
  try {
    decision = policy.evaluate(`tinyauth:${action}`, resource, context);
  } catch (e) {
    if (e instanceof PolicyError) throw new ServerCrash(`caller policy: ${e.message}`);
    throw e;
  }
  if (decision !== 'Allow') return jsonReply(403, { errors: { authorization: 'NotPermitted' } });
  return undefined;
}
