/**
 * Why a policy gives the decision it gives: a trace of tinyauth's evaluation (protocol §7) for one (action,
 * resource, context), built on the evaluator's own loop and matchers (`evaluateObserved`), so its verdict is the
 * decision itself, never a second opinion.
 */
import type { ConditionTrace, PolicyContext } from './conditions';
import {
  compiledStatements,
  compilePolicy,
  evaluateObserved,
  firstMatchingPattern,
  type CompiledPolicy,
  type PatternItem,
  type PolicyDecision,
  type StatementStage,
} from './policy';
import { PolicyError } from './policy-error';

export type { ConditionTrace } from './conditions';

/** A part of a statement that must match for it to apply. */
export type StatementPart = 'action' | 'resource' | 'condition';

/** How an Action or Resource list fared against the name. */
export interface PatternTrace {
  /** The patterns as written (a non-string pattern is shown as `<invalid: …>`). */
  readonly patterns: readonly string[];
  /** `error` when comparing raises (a non-string pattern or name: HTTP 500 at tinyauth). */
  readonly matched: boolean | 'error';
  /** The first pattern that matched. */
  readonly matchedBy?: string;
  readonly error?: string;
}

/** One statement of the evaluated policy, each part evaluated on its own. */
export interface StatementTrace {
  /** Position in the policy's `Statement` list (the merged list for a user). */
  readonly index: number;
  /** The `Effect` as written; undefined when absent. */
  readonly effect: unknown;
  /** What the Effect counts as: only exactly `"Deny"` denies; a missing Effect raises when the statement applies. */
  readonly effectCountsAs: 'Allow' | 'Deny' | 'missing';
  readonly action: PatternTrace;
  readonly resource: PatternTrace;
  readonly conditions: readonly ConditionTrace[];
  /**
   * What tinyauth did with it: `applied` (it matched), `skipped` at `skippedAt`, `raised` (evaluation failed here),
   * `not-reached` (an earlier Deny or error ended the evaluation), or `invalid` (not a statement object).
   */
  readonly outcome: 'applied' | 'skipped' | 'raised' | 'not-reached' | 'invalid';
  /** The first part that did not match, for `skipped`. */
  readonly skippedAt?: StatementPart;
  /** The parts that do not match, each evaluated on its own (a part that raises is not counted). */
  readonly failedParts: readonly StatementPart[];
  /** For `invalid`: the error tinyauth raises when evaluation reaches it. */
  readonly error?: string;
}

/** An Allow statement that failed on one part only: the closest thing to a grant in a Default. */
export interface NearMiss {
  readonly statement: number;
  readonly failedOn: StatementPart;
}

/** The explanation of one evaluation. */
export interface PolicyExplanation {
  readonly action: unknown;
  readonly resource: unknown;
  /** The context evaluated (the caller's, plus `Mfa` etc. where the caller added them). */
  readonly context: PolicyContext;
  /** tinyauth's answer, or `Error` where it raises (HTTP 500, never an Allow). */
  readonly decision: PolicyDecision | 'Error';
  /**
   * The statement that decided: the Deny that matched, or for Allow the first Allow that applied; undefined for a
   * Default, and for an Error the statement that raised (when one did).
   */
  readonly decidedBy?: number;
  /** For `Error`: the Python exception tinyauth raises and its message. */
  readonly error?: { readonly type: string; readonly message: string };
  readonly statements: readonly StatementTrace[];
  /** For a Default: the statements counting as Allow that failed on exactly one part. Empty otherwise. */
  readonly nearestMisses: readonly NearMiss[];
}

const EMPTY: PolicyContext = Object.freeze({});

const errorText = (e: unknown): string =>
  e instanceof PolicyError ? `${e.pythonType}: ${e.message}` : e instanceof Error ? e.message : String(e);

function patternText(item: PatternItem): string {
  return item instanceof PolicyError ? `<invalid: ${item.message}>` : item.pattern;
}

function tracePatterns(items: readonly PatternItem[], name: unknown): PatternTrace {
  const patterns = items.map(patternText);
  try {
    const i = firstMatchingPattern(items, name);
    return i < 0 ? { patterns, matched: false } : { patterns, matched: true, matchedBy: patterns[i] };
  } catch (e) {
    return { patterns, matched: 'error', error: errorText(e) };
  }
}

const SKIPPED_AT: Readonly<Record<StatementStage, StatementPart | undefined>> = {
  action: 'action',
  resource: 'resource',
  condition: 'condition',
  allow: undefined,
  deny: undefined,
};

/**
 * Explains the decision of `policy` (a document or a compiled policy) for (action, resource, context). Never
 * throws: where tinyauth raises, the decision is `Error`, with the statement that raised.
 */
export function explainPolicy(
  policy: CompiledPolicy | unknown,
  action: unknown,
  resource: unknown,
  context?: PolicyContext | null,
): PolicyExplanation {
  const compiled = isCompiled(policy) ? policy : compilePolicy(policy);
  const ctx = context ?? EMPTY;
  const stages: StatementStage[] = [];
  let decision: PolicyDecision | 'Error';
  let error: PolicyExplanation['error'];
  try {
    decision = evaluateObserved(compiled, action, resource, ctx, (i, stage) => {
      stages[i] = stage;
    });
  } catch (e) {
    decision = 'Error';
    error =
      e instanceof PolicyError
        ? { type: e.pythonType, message: e.message }
        : { type: 'Error', message: errorText(e) };
  }
  const slots = compiledStatements(compiled);
  const raisedAt = decision === 'Error' && !(slots instanceof PolicyError) ? stages.length : undefined;
  const statements: StatementTrace[] =
    slots instanceof PolicyError
      ? []
      : slots.map((st, index): StatementTrace => {
          if (st instanceof PolicyError) {
            return {
              index,
              effect: undefined,
              effectCountsAs: 'missing',
              action: { patterns: [], matched: false },
              resource: { patterns: [], matched: false },
              conditions: [],
              outcome: 'invalid',
              failedParts: [],
              error: errorText(st),
            };
          }
          const a = tracePatterns(st.actions, action);
          const r = tracePatterns(st.resources, resource);
          const conditions = st.conditions.trace(ctx);
          const failedParts: StatementPart[] = [];
          if (a.matched === false) failedParts.push('action');
          if (r.matched === false) failedParts.push('resource');
          if (conditions.some((c) => c.result === 'fails')) failedParts.push('condition');
          const stage = stages[index];
          const outcome: StatementTrace['outcome'] =
            stage === undefined
              ? index === raisedAt
                ? 'raised'
                : 'not-reached'
              : SKIPPED_AT[stage] === undefined
                ? 'applied'
                : 'skipped';
          return {
            index,
            effect: st.effect,
            effectCountsAs: st.deny === undefined ? 'missing' : st.deny ? 'Deny' : 'Allow',
            action: a,
            resource: r,
            conditions,
            outcome,
            skippedAt: stage === undefined ? undefined : SKIPPED_AT[stage],
            failedParts,
          };
        });
  const decidedBy =
    decision === 'Deny'
      ? stages.indexOf('deny')
      : decision === 'Allow'
        ? stages.indexOf('allow')
        : decision === 'Error'
          ? raisedAt
          : undefined;
  const nearestMisses: NearMiss[] =
    decision === 'Default'
      ? statements
          .filter(
            (s) => s.effectCountsAs === 'Allow' && s.outcome === 'skipped' && s.failedParts.length === 1,
          )
          .map((s) => ({ statement: s.index, failedOn: s.failedParts[0] }))
      : [];
  return { action, resource, context: ctx, decision, decidedBy, error, statements, nearestMisses };
}

function isCompiled(p: unknown): p is CompiledPolicy {
  if (typeof p !== 'object' || p === null) return false;
  try {
    compiledStatements(p as CompiledPolicy);
    return true;
  } catch {
    return false;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'missing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const PART_NAME: Readonly<Record<StatementPart, string>> = {
  action: 'Action',
  resource: 'Resource',
  condition: 'Condition',
};

function patternLine(label: string, t: PatternTrace): string {
  const verdict =
    t.matched === 'error' ? `error (${t.error})` : t.matched ? `yes, by ${show(t.matchedBy)}` : 'no';
  const list = t.patterns.length === 0 ? '(none: never matches)' : t.patterns.map((p) => show(p)).join(', ');
  return `    ${label.padEnd(9)} ${verdict}: ${list}`;
}

function conditionLine(c: ConditionTrace): string {
  const what = c.key === undefined ? c.operator : `${c.operator} ${c.key} = ${show(c.expected)}`;
  const seen = c.key === undefined ? '' : c.missing ? ', context: missing' : `, context: ${show(c.seen)}`;
  const result = c.result === 'error' ? `error (${c.error})` : c.result;
  return `    Condition ${what}${seen} -> ${result}${c.reached ? '' : ' (not reached)'}`;
}

function outcomeText(s: StatementTrace, decidedBy: number | undefined): string {
  const decided = s.index === decidedBy ? ', DECIDED' : '';
  switch (s.outcome) {
    case 'applied':
      return `applied${decided}`;
    case 'skipped':
      return `skipped: ${PART_NAME[s.skippedAt ?? 'action']} did not match`;
    case 'raised':
      return 'raised an error here (tinyauth answers 500)';
    case 'not-reached':
      return 'not reached (evaluation had already ended)';
    case 'invalid':
      return `not a statement object (${s.error})`;
  }
}

/** Human-readable text of an explanation: one block per statement, then the nearest misses. */
export function formatExplanation(e: PolicyExplanation): string {
  const head = `${show(e.action)} on ${show(e.resource)}: ${e.decision}`;
  const why =
    e.decision === 'Deny'
      ? ` (explicit Deny by statement ${e.decidedBy})`
      : e.decision === 'Allow'
        ? ` (allowed by statement ${e.decidedBy}; no Deny applied)`
        : e.decision === 'Default'
          ? ' (implicit deny: no statement applied)'
          : ` (${e.error?.type}: ${e.error?.message}; tinyauth answers 500, never an Allow)`;
  const lines = [head + why];
  if (e.statements.length === 0) lines.push('  the policy has no statements');
  for (const s of e.statements) {
    lines.push(
      `  statement ${s.index}: Effect ${show(s.effect)} (counts as ${s.effectCountsAs}) -> ${outcomeText(s, e.decidedBy)}`,
    );
    if (s.outcome === 'invalid') continue;
    lines.push(patternLine('Action', s.action), patternLine('Resource', s.resource));
    for (const c of s.conditions) lines.push(conditionLine(c));
  }
  if (e.decision === 'Default') {
    lines.push(
      e.nearestMisses.length === 0
        ? '  nearest misses: none (no statement failed on one part only)'
        : `  nearest misses: ${e.nearestMisses.map((m) => `statement ${m.statement} (${PART_NAME[m.failedOn]} only)`).join(', ')}`,
    );
  }
  return lines.join('\n');
}
