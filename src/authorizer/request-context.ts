import type { RequestFacts } from '../request/request-facts';

let lastFormatted = { ms: NaN, text: '' };

/**
 * UTC time as flask_tinyauth sends it: Python's naive `isoformat()`, microseconds and no zone suffix. The text of
 * the last millisecond is reused: under load many requests share one, and formatting a date costs more than the
 * policy evaluation it feeds. Throws `RangeError` for an invalid date.
 */
export function requestDateTime(now?: Date): string {
  const ms = now === undefined ? Date.now() : now.getTime();
  if (ms !== lastFormatted.ms) {
    lastFormatted = { ms, text: `${new Date(ms).toISOString().slice(0, 23)}000` };
  }
  return lastFormatted.text;
}

/** The policy context of a request: SourceIp and RequestDateTime, then the caller's extra keys. */
export function decisionContext(
  facts: RequestFacts,
  extra?: Readonly<Record<string, unknown>>,
  now?: Date,
): Record<string, unknown> {
  return { SourceIp: facts.sourceIp, RequestDateTime: requestDateTime(now), ...extra };
}
