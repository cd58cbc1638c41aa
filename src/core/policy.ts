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
type PatternItem = GlobMatcher | PolicyError;

interface CompiledStatement {
  readonly actions: readonly PatternItem[];
  readonly resources: readonly PatternItem[];
  readonly conditions: CompiledConditions;
  /** `true` for Effect exactly "Deny", `false` for any other present Effect, `undefined` when it is missing. */
  readonly deny: boolean | undefined;
}

type StatementSlot = CompiledStatement | PolicyError;

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
  };
}

/** A name to match, split into code points at most once per evaluation. */
class Name {
  private cps: number[] | undefined;
  constructor(readonly value: unknown) {}

  matchesAny(items: readonly PatternItem[]): boolean {
    for (const item of items) {
      // Python normalises the name before the pattern: a non-string name raises even for a bad pattern.
      if (typeof this.value !== 'string') throw fspathError(this.value);
      if (item instanceof PolicyError) throw item;
      if (!item.needsCodePoints) {
        if (item.matches(this.value)) return true;
      } else {
        this.cps ??= toCodePoints(this.value);
        if (item.matchesCodePoints(this.cps)) return true;
      }
    }
    return false;
  }
}

const EMPTY_CONTEXT: PolicyContext = Object.freeze({});

class Compiled implements CompiledPolicy {
  constructor(private readonly statements: readonly StatementSlot[] | PolicyError) {}

  evaluate(action: string, resource: string, context?: PolicyContext | null): PolicyDecision {
    return this.evaluateValue(action, resource, context);
  }

  evaluateValue(action: unknown, resource: unknown, context?: PolicyContext | null): PolicyDecision {
    if (this.statements instanceof PolicyError) throw this.statements;
    const ctx = context ?? EMPTY_CONTEXT;
    const a = new Name(action);
    const r = new Name(resource);
    let result: PolicyDecision = 'Default';
    for (const st of this.statements) {
      if (st instanceof PolicyError) throw st;
      if (!a.matchesAny(st.actions)) continue;
      if (!r.matchesAny(st.resources)) continue;
      if (!st.conditions.holds(ctx)) continue;
      if (st.deny === undefined) throw new PolicyError("'Effect'", 'KeyError');
      if (st.deny) return 'Deny';
      result = 'Allow';
    }
    return result;
  }
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
