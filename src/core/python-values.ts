/**
 * Helpers that reproduce Python semantics on JSON values, where tinyauth's behaviour depends on them.
 */

/** A JSON object as parsed by `JSON.parse` (a Python `dict`). */
export type JsonObject = { readonly [key: string]: unknown };

/** True for a JSON object (Python `dict`): not null, not an array, not a Date. */
export function isDict(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Own-property read that never looks at the prototype chain (`__proto__`, `constructor`…). */
export function ownValue(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/**
 * Python `==` between two JSON values: `True == 1 == 1.0`, lists element-wise, dicts by key set and values. A
 * `Date` (Python `datetime`) only equals another `Date` of the same instant.
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || b === null || a === undefined || b === undefined) return a === b;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i], b[i])) return false;
    return true;
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !pyEquals(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Python truthiness of a JSON value. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

const PY_WS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python `str.isspace()` characters, for `str.split()` / `int()` emulation. */
export const PY_WHITESPACE = new RegExp(`[${PY_WS}]+`);
const PY_TRIM = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
const PY_LEADING = new RegExp(`^[${PY_WS}]+`);

/** Python `str.lstrip()` (Python's whitespace set). */
export function pyLstrip(s: string): string {
  return s.replace(PY_LEADING, '');
}
const PY_INT_TEXT = /^[+-]?\d+(?:_\d+)*$/;

/**
 * Python `int(v)` for a JSON value, or `undefined` where Python raises: numbers truncate, booleans are 0/1, strings
 * must be decimal integer text (surrounding whitespace and digit-group underscores allowed).
 */
export function pyInt(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'string') {
    const t = v.replace(PY_TRIM, '');
    if (!PY_INT_TEXT.test(t)) return undefined;
    return Number(t.replace(/_/g, ''));
  }
  return undefined;
}
