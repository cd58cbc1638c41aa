import type { RequestFacts } from '../request/request-facts';

/** UTC time as flask_tinyauth sends it: Python's naive `isoformat()`, microseconds and no zone suffix. */
export function requestDateTime(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 23)}000`;
}

/** The policy context of a request: SourceIp and RequestDateTime, then the caller's extra keys. */
export function decisionContext(
  facts: RequestFacts,
  extra?: Readonly<Record<string, unknown>>,
  now?: Date,
): Record<string, unknown> {
  return { SourceIp: facts.sourceIp, RequestDateTime: requestDateTime(now), ...extra };
}
