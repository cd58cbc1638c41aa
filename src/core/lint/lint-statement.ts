/**
 * Rules that look at one statement on its own.
 */
import { globNotes } from '../glob';
import { parseIpNetwork } from '../ip';
import { isDict, type JsonObject } from '../python-values';
import {
  ALWAYS_SENT_CONTEXT_KEYS,
  LINT_RULES,
  type LintFinding,
  type LintRule,
  type LintSettings,
} from './lint-rules';

const OPERATORS = new Set(['IpAddress', 'NotIpAddress', 'StringEquals', 'StringNotEquals']);
const IP_OPERATORS = new Set(['IpAddress', 'NotIpAddress']);
const GLOB_CHARS = /[*?[]/;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Collects findings for one input. */
export class FindingList {
  readonly findings: LintFinding[] = [];
  private readonly seen = new Set<string>();

  add(rule: LintRule, path: string, message: string): void {
    const key = `${rule.id}\0${path}\0${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push({ rule: rule.id, severity: rule.severity, path, message, fix: rule.fix });
  }
}

/** `Action` / `Resource` as tinyauth reads them: absent → none, a list → itself, anything else → one item. */
export function patternList(statement: JsonObject, key: string): readonly unknown[] {
  if (!Object.hasOwn(statement, key)) return [];
  const v = statement[key];
  return Array.isArray(v) ? v : [v];
}

/** The literal text a glob starts with (up to its first wildcard): every name it matches starts with it. */
export function literalPrefix(pattern: string): string {
  const m = GLOB_CHARS.exec(pattern);
  return m === null ? pattern : pattern.slice(0, m.index);
}

function lintEffect(s: JsonObject, path: string, out: FindingList): void {
  if (!Object.hasOwn(s, 'Effect'))
    return out.add(LINT_RULES.effectMissing, path, 'the statement has no Effect');
  const effect = s.Effect;
  if (effect === 'Allow' || effect === 'Deny') return;
  if (typeof effect === 'string' && effect.toLowerCase() === 'deny') {
    return out.add(LINT_RULES.denyCase, path, `Effect ${show(effect)} is not exactly "Deny": it ALLOWS`);
  }
  out.add(
    LINT_RULES.effectAllows,
    path,
    `Effect ${show(effect)} is not "Allow" or "Deny": it counts as Allow`,
  );
}

function lintPatterns(s: JsonObject, path: string, settings: LintSettings, out: FindingList): void {
  for (const key of ['NotAction', 'NotResource']) {
    if (Object.hasOwn(s, key)) {
      const also = Object.hasOwn(s, key.slice(3)) ? ` (its ${key.slice(3)} is used, ${key} ignored)` : '';
      out.add(LINT_RULES.notAction, path, `${key} is not implemented by tinyauth${also}`);
    }
  }
  const partition = settings.partition ?? 'tinyauth';
  const arnStart = `arn:${partition}:`;
  for (const key of ['Action', 'Resource']) {
    const items = patternList(s, key);
    if (items.length === 0 && !Object.hasOwn(s, `Not${key}`)) {
      out.add(LINT_RULES.noActionOrResource, path, `no ${key}: the statement never matches`);
    }
    for (const p of items) {
      if (typeof p !== 'string') {
        out.add(LINT_RULES.nonStringPattern, path, `${key} pattern ${show(p)} is not a string`);
        continue;
      }
      lintGlob(p, key, path, out);
      const prefix = literalPrefix(p);
      // A pattern led by a wildcard (`*Apple`) may still reach across the colon; one led by text cannot.
      if (key === 'Action' && !p.includes(':') && (prefix !== '' || p === '')) {
        out.add(LINT_RULES.actionPrefix, path, `Action ${show(p)} has no "service:" prefix`);
      }
      if (key === 'Resource' && !prefix.startsWith(arnStart) && !arnStart.startsWith(prefix)) {
        out.add(
          LINT_RULES.resourcePartition,
          path,
          `Resource ${show(p)} is not an ARN of partition ${show(partition)} ("${arnStart}...")`,
        );
      }
    }
  }
}

function lintGlob(p: string, key: string, path: string, out: FindingList): void {
  const notes = globNotes(p);
  if (notes.unclosedBracket) {
    out.add(LINT_RULES.globUnclosedBracket, path, `${key} ${show(p)}: the "[" is a literal "["`);
  }
  for (const r of notes.reversedRanges) {
    out.add(
      LINT_RULES.globReversedRange,
      path,
      `${key} ${show(p)}: the range "${r}" is reversed and dropped`,
    );
  }
  if (notes.caretSet) out.add(LINT_RULES.globCaret, path, `${key} ${show(p)}: "[^" is not a negation`);
  if (p.includes('\\'))
    out.add(LINT_RULES.globBackslash, path, `${key} ${show(p)}: the backslash is literal`);
}

function lintConditions(s: JsonObject, path: string, settings: LintSettings, out: FindingList): void {
  if (!Object.hasOwn(s, 'Condition')) return;
  const condition = s.Condition;
  if (!isDict(condition)) {
    return out.add(LINT_RULES.malformedCondition, path, `Condition ${show(condition)} is not an object`);
  }
  const sent = new Set([...ALWAYS_SENT_CONTEXT_KEYS, ...(settings.contextKeys ?? [])]);
  for (const operator of Object.keys(condition)) {
    if (!OPERATORS.has(operator)) {
      out.add(LINT_RULES.unknownOperator, path, `unknown condition operator ${show(operator)}`);
      continue;
    }
    const block = condition[operator];
    if (!isDict(block)) {
      out.add(LINT_RULES.malformedCondition, path, `Condition ${operator} is ${show(block)}, not an object`);
      continue;
    }
    for (const key of Object.keys(block)) {
      if (IP_OPERATORS.has(operator)) {
        try {
          parseIpNetwork(block[key]);
        } catch (e) {
          out.add(
            LINT_RULES.badIp,
            path,
            `${operator} ${key}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      if (!sent.has(key)) {
        const effect = s.Effect === 'Deny' ? 'this Deny is always skipped' : 'it never holds';
        out.add(
          LINT_RULES.contextKeyNeverSent,
          path,
          `${operator} on context key ${show(key)}, which is never sent (sent: ${[...sent].join(', ')}): ${effect}`,
        );
      }
    }
  }
}

/** Lints one statement (an item of a Statement list, or a single Statement object) at `path`. */
export function lintStatement(
  statement: unknown,
  path: string,
  settings: LintSettings,
  out: FindingList,
): void {
  if (!isDict(statement)) {
    out.add(LINT_RULES.statementNotObject, path, `the statement is ${show(statement)}, not an object`);
    return;
  }
  lintEffect(statement, path, out);
  lintPatterns(statement, path, settings, out);
  lintConditions(statement, path, settings, out);
}
