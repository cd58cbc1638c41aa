import { fromHeaderObject, pairs, type HttpRequestLike } from './request-facts';

/** Plain-object test that does not trust prototypes (payloads come from the network). */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The header pairs of a Node `IncomingMessage`-like object: raw pairs when present, else its header object. */
export function messageHeaders(message: HttpRequestLike | undefined): Array<[string, string]> {
  if (message === undefined) return [];
  const raw = message.rawHeaders ?? message.raw?.rawHeaders;
  return Array.isArray(raw) ? pairs(raw) : fromHeaderObject(message.headers);
}

/**
 * Header pairs from a plain object of a message (`{ authorization: '...', cookie: ['a', 'b'] }`): string values
 * and arrays of strings; anything else is ignored, never coerced.
 */
export function headersFromObject(value: unknown): Array<[string, string]> {
  const record = asRecord(value);
  if (record === undefined) return [];
  const out: Array<[string, string]> = [];
  for (const name of Object.keys(record)) {
    const v = record[name];
    if (typeof v === 'string') out.push([name, v]);
    else if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') out.push([name, item]);
  }
  return out;
}

/** The credential-bearing names that may also be given at the top level of a payload (any case). */
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set(['authorization', 'cookie', 'x-csrf-token']);

/** `{ Authorization, Cookie, X-CSRF-Token }` given as top-level keys of an object (any case), as header pairs. */
export function credentialKeysOf(value: unknown): Array<[string, string]> {
  const record = asRecord(value);
  if (record === undefined) return [];
  return headersFromObject(
    Object.fromEntries(Object.entries(record).filter(([k]) => CREDENTIAL_NAMES.has(k.toLowerCase()))),
  );
}
