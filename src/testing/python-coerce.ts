/**
 * Python coercions that tinyauth's request parser (Flask-RESTful reqparse) applies to JSON body values:
 * `str(v)`, `dict(v)` and `list(v)`. A coercion that Python rejects returns `undefined`.
 */
import { isDict } from '../core/python-values';

function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    // In this exponent range JavaScript prints the same shortest digits in fixed notation.
    const fixed = String(n);
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** Python `repr(v)` of a JSON value (approximate for exotic floats). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return pyStringRepr(v);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number')
    return Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v === 0 ? 0 : v) : pyFloatRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isDict(v))
    return `{${Object.keys(v)
      .map((k) => `${pyStringRepr(k)}: ${pyRepr(v[k])}`)
      .join(', ')}}`;
  return String(v);
}

/** Python `str(v)`: strings unchanged, everything else as its repr (`5`, `True`, `None`, `['a']`…). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** Python iteration of a JSON value (`for x in v`): list items, code points of a string, keys of a dict. */
export function pyIterate(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  return undefined;
}

/** Python `a, b = item`: the item must iterate to exactly two values. */
export function pyUnpackPair(item: unknown): [unknown, unknown] | undefined {
  const parts = pyIterate(item);
  return parts !== undefined && parts.length === 2 ? [parts[0], parts[1]] : undefined;
}

/** One string per Python dict key: `1`, `1.0` and `True` are the same key; `"1"` is another. */
function dictKey(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return `n:${Number(v)}`;
  return typeof v === 'string' ? `s:${v}` : 'null';
}

function hashable(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Python `dict(v)` as ordered entries: a dict is copied, an iterable of pairs is accepted (a later equal key
 * replaces the value in place, `1` and `True` being the same key), anything else fails.
 */
export function pyDict(v: unknown): [unknown, unknown][] | undefined {
  if (isDict(v)) return Object.keys(v).map((k) => [k, v[k]]);
  const items = pyIterate(v);
  if (items === undefined) return undefined;
  const out: [unknown, unknown][] = [];
  // Indexed by Python's key equality, so a long list of pairs costs linear time (a caller controls its length).
  const index = new Map<string, [unknown, unknown]>();
  for (const item of items) {
    const pair = pyUnpackPair(item);
    if (pair === undefined || !hashable(pair[0])) return undefined;
    const key = dictKey(pair[0]);
    const existing = index.get(key);
    if (existing) existing[1] = pair[1];
    else {
      index.set(key, pair);
      out.push(pair);
    }
  }
  return out;
}

/** Python `list(v)`: a list is copied, a string gives its code points, a dict its keys; anything else fails. */
export function pyList(v: unknown): unknown[] | undefined {
  const items = pyIterate(v);
  return items === undefined ? undefined : [...items];
}
