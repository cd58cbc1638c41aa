/**
 * tinyauth policy evaluation (protocol §7), reproducing `tinyauth.policy.allow` exactly, including its quirks:
 * only an `Effect` of exactly `"Deny"` denies, a missing context key fails every condition, and malformed input
 * raises (here a {@link PolicyError}) only when evaluation reaches it.
 */
import { compileConditions, type CompiledConditions, type PolicyContext } from './conditions';
import { compileGlob, toCodePoints, type GlobMatcher } from './glob';
import { PolicyError } from './policy-error';
import { isDict, ownValue, type JsonObject } from './python-values';

export type { PolicyContext } from './conditions';

/** The three outcomes of an evaluation. Only `Allow` authorizes; `Deny` is an explicit deny, `Default` no match. */
export type PolicyDecision = 'Allow' | 'Deny' | 'Default';

/** A policy compiled once and evaluated many times. */
export interface CompiledPolicy {
  /**
   * Evaluates the policy. Throws {@link PolicyError} where tinyauth raises (the real server answers 500).
   * @param context the caller context; `null` / `undefined` mean none.
   */
  evaluate(action: string, resource: string, context?: PolicyContext | null): PolicyDecision;
  /**
   * Same as {@link CompiledPolicy.evaluate} for values of unknown type coming from JSON: a non-string action or
   * resource raises exactly where Python's `fnmatch` would (when a pattern is compared with it).
   */
  evaluateValue(action: unknown, resource: unknown, context?: PolicyContext | null): PolicyDecision;
}

/** A pattern item of an Action / Resource list: a compiled glob, or a non-string that raises when compared. */
export type PatternItem = GlobMatcher | PolicyError;

/** One statement of a compiled policy (read by explanations; evaluation never needs more than this). */
export interface CompiledStatement {
  readonly actions: readonly PatternItem[];
  readonly resources: readonly PatternItem[];
  readonly conditions: CompiledConditions;
  /** `true` for Effect exactly "Deny", `false` for any other present Effect, `undefined` when it is missing. */
  readonly deny: boolean | undefined;
  /** The `Effect` as written (`undefined` when absent), for explanations. */
  readonly effect: unknown;
}

/** A statement slot: compiled, or the error tinyauth raises when evaluation reaches a statement that is no object. */
export type StatementSlot = CompiledStatement | PolicyError;

/**
 * Where the evaluation of one reached statement ended: skipped at its Action, Resource or Condition, or applied as
 * an Allow or a Deny. Every statement evaluation reaches is reported exactly once, in order, unless it raises.
 */
export type StatementStage = 'action' | 'resource' | 'condition' | 'allow' | 'deny';

/** Receives the stage of each statement evaluation reaches; only explanations pass one. */
export type EvaluationObserver = (index: number, stage: StatementStage) => void;

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

function fspathError(v: unknown): PolicyError {
  return new PolicyError(`expected str, bytes or os.PathLike object, not ${pyTypeName(v)}`, 'TypeError');
}

/** Python `_get_list`: absent → [], a list → itself, anything else → [value]. */
function getList(o: JsonObject, key: string): readonly unknown[] {
  if (!Object.hasOwn(o, key)) return [];
  const v = o[key];
  return Array.isArray(v) ? v : [v];
}

function compilePatterns(items: readonly unknown[]): PatternItem[] {
  return items.map((p) => (typeof p === 'string' ? compileGlob(p) : fspathError(p)));
}

function compileStatement(s: unknown): StatementSlot {
  if (!isDict(s))
    return new PolicyError(`'${pyTypeName(s)}' object has no attribute 'get'`, 'AttributeError');
  const effect = ownValue(s, 'Effect');
  return {
    actions: compilePatterns(getList(s, 'Action')),
    resources: compilePatterns(getList(s, 'Resource')),
    conditions: compileConditions(ownValue(s, 'Condition')),
    deny: Object.hasOwn(s, 'Effect') ? effect === 'Deny' : undefined,
    effect,
  };
}

/** A name to match, split into code points at most once per evaluation. */
class Name {
  private cps: number[] | undefined;
  constructor(readonly value: unknown) {}

  /** Index of the first pattern of `items` that matches, or -1; raises where Python's `fnmatch` would. */
  firstMatch(items: readonly PatternItem[]): number {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // Python normalises the name before the pattern: a non-string name raises even for a bad pattern.
      if (typeof this.value !== 'string') throw fspathError(this.value);
      if (item instanceof PolicyError) throw item;
      if (!item.needsCodePoints) {
        if (item.matches(this.value)) return i;
      } else {
        this.cps ??= toCodePoints(this.value);
        if (item.matchesCodePoints(this.cps)) return i;
      }
    }
    return -1;
  }
}

/**
 * Index of the first pattern of `items` matching `name` (-1 for none), with the evaluator's own matching; throws
 * {@link PolicyError} where tinyauth raises (a non-string pattern or name).
 */
export function firstMatchingPattern(items: readonly PatternItem[], name: unknown): number {
  return new Name(name).firstMatch(items);
}

const EMPTY_CONTEXT: PolicyContext = Object.freeze({});

/**
 * The one evaluation loop, shared by decisions and explanations: `observe` is undefined on the hot path, so a plain
 * decision allocates nothing beyond the two names.
 */
function run(
  statements: readonly StatementSlot[] | PolicyError,
  action: unknown,
  resource: unknown,
  context: PolicyContext | null | undefined,
  observe: EvaluationObserver | undefined,
): PolicyDecision {
  if (statements instanceof PolicyError) throw statements;
  const ctx = context ?? EMPTY_CONTEXT;
  const a = new Name(action);
  const r = new Name(resource);
  let result: PolicyDecision = 'Default';
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i];
    if (st instanceof PolicyError) throw st;
    if (a.firstMatch(st.actions) < 0) {
      if (observe !== undefined) observe(i, 'action');
      continue;
    }
    if (r.firstMatch(st.resources) < 0) {
      if (observe !== undefined) observe(i, 'resource');
      continue;
    }
    if (!st.conditions.holds(ctx)) {
      if (observe !== undefined) observe(i, 'condition');
      continue;
    }
    if (st.deny === undefined) throw new PolicyError("'Effect'", 'KeyError');
    if (observe !== undefined) observe(i, st.deny ? 'deny' : 'allow');
    if (st.deny) return 'Deny';
    result = 'Allow';
  }
  return result;
}

class Compiled implements CompiledPolicy {
  constructor(readonly statements: readonly StatementSlot[] | PolicyError) {}

  evaluate(action: string, resource: string, context?: PolicyContext | null): PolicyDecision {
    return run(this.statements, action, resource, context, undefined);
  }

  evaluateValue(action: unknown, resource: unknown, context?: PolicyContext | null): PolicyDecision {
    return run(this.statements, action, resource, context, undefined);
  }
}

function asCompiled(policy: CompiledPolicy): Compiled {
  if (!(policy instanceof Compiled)) throw new TypeError('expected a policy made by compilePolicy');
  return policy;
}

/**
 * Evaluates like {@link CompiledPolicy.evaluateValue} and reports each reached statement's stage to `observe`: the
 * same loop, so an explanation can never disagree with a decision. Throws {@link PolicyError} as evaluation does.
 */
export function evaluateObserved(
  policy: CompiledPolicy,
  action: unknown,
  resource: unknown,
  context: PolicyContext | null | undefined,
  observe: EvaluationObserver,
): PolicyDecision {
  return run(asCompiled(policy).statements, action, resource, context, observe);
}

/** The compiled statements of `policy` in order, or the error that every evaluation of it raises. */
export function compiledStatements(policy: CompiledPolicy): readonly StatementSlot[] | PolicyError {
  return asCompiled(policy).statements;
}

/**
 * Compiles a policy document (`{"Statement": [...]}`; a single statement object is accepted too). Never throws:
 * malformed parts raise {@link PolicyError} when an evaluation reaches them, as in tinyauth. The document is
 * snapshotted: later mutations of `policy` are not seen.
 */
export function compilePolicy(policy: unknown): CompiledPolicy {
  if (!isDict(policy)) {
    return new Compiled(
      new PolicyError(`'${pyTypeName(policy)}' object has no attribute 'get'`, 'AttributeError'),
    );
  }
  return new Compiled(getList(policy, 'Statement').map(compileStatement));
}

/**
 * One-shot evaluation of `policy` for (action, resource, context): `Allow`, `Deny` or `Default`.
 * Throws {@link PolicyError} on input where tinyauth raises; it never answers `Allow` for such input.
 */
export function evaluatePolicy(
  policy: unknown,
  action: string,
  resource: string,
  context?: PolicyContext | null,
): PolicyDecision {
  return compilePolicy(policy).evaluate(action, resource, context);
}
