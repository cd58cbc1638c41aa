/**
 * Reading the JSON input of the `nestjs-tinyauth` commands: a file, or standard input for `-`.
 */
import { readFileSync } from 'node:fs';

/** A bad command line or unreadable input: printed with the usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads and parses `file` (`-` = standard input). Throws {@link UsageError} when it cannot. */
export function readJsonInput(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(
      `${file === '-' ? 'standard input' : file} is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * The conformance data's `http-exchanges.json` holds its fixture under `fixtures`: read that one (paths are then
 * inside it). Anything else is returned as it is.
 */
export function unwrapFixtures(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const o = input as Record<string, unknown>;
  const known = ['Statement', 'users', 'groups', 'root'].some((k) => Object.hasOwn(o, k));
  return !known && typeof o.fixtures === 'object' && o.fixtures !== null ? o.fixtures : input;
}

/** `a,b, c` → `['a', 'b', 'c']` (empty items dropped). */
export function commaList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
}

/** `--format`: `text` (default) or `json`. */
export function formatOption(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`--format must be text or json, got ${JSON.stringify(value)}`);
}
