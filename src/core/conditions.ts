/**
 * Statement conditions (`{"<Operator>": {"<ContextKey>": <value>, …}, …}`) with tinyauth's semantics: operators and
 * keys are ANDed in document order, a missing context key makes any operator false, and an unknown operator or an
 * unparsable address raises — but only when evaluation reaches it.
 */
import { networkContains, parseIpAddress, parseIpNetwork, type IpNetwork } from './ip';
import { PolicyError } from './policy-error';
import { isDict, pyEquals, type JsonObject } from './python-values';

/** Evaluation context: the caller's `context` object plus server-injected keys (`Mfa`, `SourceIp`…). */
export type PolicyContext = Readonly<Record<string, unknown>>;

type Operator = (left: unknown, right: CompiledValue) => boolean;

/** A condition value with its IP network parsed once (or the parse error, raised when reached). */
interface CompiledValue {
  readonly raw: unknown;
  network(): IpNetwork;
}

function compileValue(raw: unknown): CompiledValue {
  let parsed: IpNetwork | PolicyError | undefined;
  return {
    raw,
    network(): IpNetwork {
      if (parsed === undefined) {
        try {
          parsed = parseIpNetwork(raw);
        } catch (e) {
          parsed = e instanceof PolicyError ? e : new PolicyError(String(e));
        }
      }
      if (parsed instanceof PolicyError) throw parsed;
      return parsed;
    },
  };
}

function ipAddress(left: unknown, right: CompiledValue): boolean {
  // Python evaluates ip_address(left) before ip_network(right): keep that order for the error raised.
  const addr = parseIpAddress(left);
  return networkContains(right.network(), addr);
}

const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  ['IpAddress', ipAddress],
  ['NotIpAddress', (l, r) => !ipAddress(l, r)],
  ['StringEquals', (l, r) => pyEquals(l, r.raw)],
  ['StringNotEquals', (l, r) => !pyEquals(l, r.raw)],
]);

/** One operator block of a Condition, compiled. */
type CompiledBlock =
  | { readonly error: PolicyError }
  | { readonly op: Operator; readonly entries: readonly (readonly [string, CompiledValue])[] };

/** One condition (operator and context key) as an explanation shows it. */
export interface ConditionTrace {
  /** The operator as written (`IpAddress`, `StringEquals`, … or an unknown name). */
  readonly operator: string;
  /** The context key; undefined when the whole block or `Condition` is malformed. */
  readonly key?: string;
  /** The value the policy compares with. */
  readonly expected?: unknown;
  /** True when the context has no such key (every operator is then false, negative ones included). */
  readonly missing: boolean;
  /** The context value the condition saw (undefined when missing). */
  readonly seen?: unknown;
  readonly result: 'holds' | 'fails' | 'error';
  /** `<PythonType>: <message>` of the error tinyauth raises here (HTTP 500). */
  readonly error?: string;
  /**
   * False when an earlier condition of the statement already failed or raised: tinyauth stops there, so this one's
   * result (and its error) is what it would be, not what happened.
   */
  readonly reached: boolean;
}

/** A compiled `Condition` member of a statement. */
export interface CompiledConditions {
  /** True when every condition holds; throws {@link PolicyError} where tinyauth raises. */
  holds(context: PolicyContext): boolean;
  /** Every condition in document order, each evaluated with the operators `holds` uses. Never throws. */
  trace(context: PolicyContext): ConditionTrace[];
}

const ALWAYS: CompiledConditions = { holds: () => true, trace: () => [] };

const errorText = (e: unknown): string =>
  e instanceof PolicyError ? `${e.pythonType}: ${e.message}` : e instanceof Error ? e.message : String(e);

function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

/**
 * Compiles a statement's `Condition` value. `undefined` (absent) always holds; anything that is not an object
 * raises on evaluation, as `statement.get('Condition', {}).items()` does in Python.
 */
export function compileConditions(condition: unknown): CompiledConditions {
  if (condition === undefined) return ALWAYS;
  if (!isDict(condition)) {
    const err = new PolicyError(`'${typeName(condition)}' object has no attribute 'items'`, 'AttributeError');
    return {
      holds() {
        throw err;
      },
      trace: () => [
        { operator: '(Condition)', missing: false, result: 'error', error: errorText(err), reached: true },
      ],
    };
  }
  const names = Object.keys(condition);
  const blocks: CompiledBlock[] = names.map((name): CompiledBlock => {
    const op = OPERATORS.get(name);
    if (op === undefined) return { error: new PolicyError(`'${name}'`, 'KeyError') };
    const conds = (condition as JsonObject)[name];
    if (!isDict(conds)) {
      return {
        error: new PolicyError(`'${typeName(conds)}' object has no attribute 'items'`, 'AttributeError'),
      };
    }
    return { op, entries: Object.keys(conds).map((k) => [k, compileValue(conds[k])] as const) };
  });
  if (blocks.length === 0) return ALWAYS;
  return {
    holds(context: PolicyContext): boolean {
      for (const b of blocks) {
        if ('error' in b) throw b.error;
        for (const [key, value] of b.entries) {
          if (!Object.hasOwn(context, key)) return false;
          if (!b.op(context[key], value)) return false;
        }
      }
      return true;
    },
    trace(context: PolicyContext): ConditionTrace[] {
      const out: ConditionTrace[] = [];
      let reached = true;
      names.forEach((operator, i) => {
        const b = blocks[i];
        if ('error' in b) {
          out.push({ operator, missing: false, result: 'error', error: errorText(b.error), reached });
          reached = false;
          return;
        }
        for (const [key, value] of b.entries) {
          const missing = !Object.hasOwn(context, key);
          const seen = missing ? undefined : context[key];
          let result: ConditionTrace['result'] = 'fails';
          let error: string | undefined;
          if (!missing) {
            try {
              result = b.op(seen, value) ? 'holds' : 'fails';
            } catch (e) {
              result = 'error';
              error = errorText(e);
            }
          }
          out.push({ operator, key, expected: value.raw, missing, seen, result, error, reached });
          if (result !== 'holds') reached = false;
        }
      });
      return out;
    },
  };
}
