/**
 * `nestjs-tinyauth explain <file|->`: why a policy (a document, a list of them, or a fixture user's merged policy)
 * gives its decision for one action, resource and context.
 */
import { parseArgs } from 'node:util';
import { explainPolicy, formatExplanation, isDict } from '../core';
import { fixtureUserPolicy } from '../testing/merge-policies';
import type { Fixture } from '../testing/fixture';
import { formatOption, readJsonInput, unwrapFixtures, UsageError } from './cli-input';

export const EXPLAIN_USAGE = `usage: nestjs-tinyauth explain <file|-> --action SERVICE:ACTION --resource ARN [--user NAME] [--context JSON] [--format text|json]

Explains tinyauth's decision statement by statement. The input is a policy document, a list of them (merged in
order), or a fixture, whose --user's merged policy is explained (group policies first, then the user's own).
To explain a user of a running tinyauth, fetch the merged policy with the service's key and pipe it in:
  curl -su "$TINYAUTH_ACCESS_KEY_ID:$TINYAUTH_SECRET_ACCESS_KEY" \\
    "\${TINYAUTH_ENDPOINT}api/v1/regions/global/services/$TINYAUTH_SERVICE/user-policies/alice" |
    npx nestjs-tinyauth explain - --action apples:GetApple --resource arn:tinyauth:apples:default::apples/x
  --action A      the action as tinyauth evaluates it, with its service prefix (apples:GetApple)
  --resource R    the resource ARN
  --context JSON  the context object (the guard sends SourceIp and RequestDateTime; tinyauth adds Mfa)
  --format json   print the explanation as JSON
Exit status: 0 when the decision is Allow, 1 for Deny, Default or an evaluation error, 2 on a usage or input error.`;

function policyOf(input: unknown, user: string | undefined): unknown {
  if (Array.isArray(input)) {
    if (user !== undefined) throw new UsageError('--user needs a fixture, not a list of policy documents');
    return { Statement: input.flatMap((d) => (isDict(d) && Array.isArray(d.Statement) ? d.Statement : [])) };
  }
  if (isDict(input) && Object.hasOwn(input, 'Statement')) {
    if (user !== undefined) throw new UsageError('--user needs a fixture, not a policy document');
    return input;
  }
  if (isDict(input) && ['users', 'groups', 'root'].some((k) => Object.hasOwn(input, k))) {
    if (user === undefined) throw new UsageError('a fixture needs --user NAME');
    const merged = fixtureUserPolicy(input as Fixture, user);
    if (merged === undefined) throw new UsageError(`no user ${JSON.stringify(user)} in the fixture`);
    if ('error' in merged)
      throw new UsageError(`tinyauth cannot merge the policies of ${user}: ${merged.error}`);
    return merged;
  }
  throw new UsageError('expected a policy document ({"Statement": [...]}), a list of them, or a fixture');
}

function contextOf(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError('--context must be a JSON object');
  }
  if (!isDict(parsed)) throw new UsageError('--context must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Runs the command; returns the exit status. */
export function explainCommand(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      action: { type: 'string' },
      resource: { type: 'string' },
      user: { type: 'string' },
      context: { type: 'string' },
      format: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('explain needs exactly one <file> or "-"');
  if (values.action === undefined || values.resource === undefined) {
    throw new UsageError('explain needs --action and --resource');
  }
  const format = formatOption(values.format);
  const context = contextOf(values.context);
  const policy = policyOf(unwrapFixtures(readJsonInput(positionals[0])), values.user);
  const explanation = explainPolicy(policy, values.action, values.resource, context);
  out(
    format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : `${formatExplanation(explanation)}\n`,
  );
  return explanation.decision === 'Allow' ? 0 : 1;
}
