/**
 * JSON text with object keys sorted at every depth, so equal values always give equal text (cache keys).
 * Values JSON cannot carry are written as JSON.stringify writes them (undefined members dropped, in arrays
 * null); a cycle throws a TypeError, as JSON.stringify does.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, new Set()));
}

function sortKeys(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) throw new TypeError('stableJson: cyclic value');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sortKeys((toJSON as () => unknown).call(value), seen);
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((item) => sortKeys(item, seen));
  } else {
    // A null prototype keeps a "__proto__" key an ordinary member.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeys((value as Record<string, unknown>)[key], seen);
    out = sorted;
  }
  seen.delete(value);
  return out;
}
