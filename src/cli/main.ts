#!/usr/bin/env node
/**
 * `nestjs-tinyauth`: operator commands over tinyauth policies (`lint`, `explain`), built on the pure core.
 */
import { explainCommand, EXPLAIN_USAGE } from './explain-command';
import { lintCommand, LINT_USAGE } from './lint-command';
import { UsageError } from './cli-input';

const USAGE = `usage: nestjs-tinyauth <command> [options]

Commands:
  lint <file|->      find tinyauth's policy traps (exit status 1 on errors)
  explain <file|->   explain a decision statement by statement
Run "nestjs-tinyauth <command> --help" for a command's options.`;

const COMMANDS: Record<string, { run: typeof lintCommand; usage: string }> = {
  lint: { run: lintCommand, usage: LINT_USAGE },
  explain: { run: explainCommand, usage: EXPLAIN_USAGE },
};

function main(argv: readonly string[]): number {
  const out = (s: string): void => void process.stdout.write(s);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    out(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`nestjs-tinyauth: unknown command ${JSON.stringify(name)}\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${command.usage}\n`);
    return 0;
  }
  try {
    return command.run(rest, out);
  } catch (e) {
    // parseArgs reports unknown or malformed options with a TypeError carrying an ERR_PARSE_ARGS_* code.
    const usage =
      e instanceof UsageError || String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`nestjs-tinyauth ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    if (usage) {
      process.stderr.write(`${command.usage}\n`);
      return 2;
    }
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
