/**
 * `nestjs-tinyauth lint <file|->`: the policy linter over a policy document, a list of them, or a fixture.
 */
import { parseArgs } from 'node:util';
import { LintInputError, lintPolicyInput, type LintFinding } from '../core';
import { commaList, formatOption, readJsonInput, unwrapFixtures, UsageError } from './cli-input';

export const LINT_USAGE = `usage: nestjs-tinyauth lint <file|-> [--format text|json] [--context-keys K1,K2] [--partition P]

Lints tinyauth policies: a policy document ({"Statement": [...]}), a list of them (one user's policies), or a
fixture (users, groups, root, as nestjs-tinyauth-server loads). "-" reads standard input.
  --format json        print {"kind", "findings": [{rule, severity, path, message, fix}], "errors", "warnings"}
  --context-keys K,..  context keys the service sends besides SourceIp, RequestDateTime (and tinyauth's Mfa)
  --partition P        ARN partition of the service's resources (default tinyauth)
Exit status: 1 when an error is found, 0 otherwise (warnings only), 2 on a usage or input error.`;

function text(findings: readonly LintFinding[]): string {
  const lines = findings.flatMap((f) => [
    `${f.path}: ${f.severity} ${f.rule}: ${f.message}`,
    `  fix: ${f.fix}`,
  ]);
  const errors = findings.filter((f) => f.severity === 'error').length;
  lines.push(`${errors} error(s), ${findings.length - errors} warning(s)`);
  return `${lines.join('\n')}\n`;
}

/** Runs the command; returns the exit status. */
export function lintCommand(argv: readonly string[], out: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'context-keys': { type: 'string' },
      partition: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('lint needs exactly one <file> or "-"');
  const format = formatOption(values.format);
  if (values.partition === '') throw new UsageError('--partition must not be empty');
  let result: ReturnType<typeof lintPolicyInput>;
  try {
    result = lintPolicyInput(unwrapFixtures(readJsonInput(positionals[0])), {
      partition: values.partition,
      contextKeys: commaList(values['context-keys']),
    });
  } catch (e) {
    if (e instanceof LintInputError) throw new UsageError(e.message);
    throw e;
  }
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  if (format === 'json') {
    out(
      `${JSON.stringify({ kind: result.kind, findings: result.findings, errors, warnings: result.findings.length - errors }, null, 2)}\n`,
    );
  } else {
    out(text(result.findings));
  }
  return errors > 0 ? 1 : 0;
}
