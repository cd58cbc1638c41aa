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

/** A compiled `Condition` member of a statement. */
export interface CompiledConditions {
  /** True when every condition holds; throws {@link PolicyError} where tinyauth raises. */
  holds(context: PolicyContext): boolean;
}

const ALWAYS: CompiledConditions = { holds: () => true };

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
    };
  }
  const blocks: CompiledBlock[] = Object.keys(condition).map((name): CompiledBlock => {
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
  };
}
