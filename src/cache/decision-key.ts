import { hash } from 'node:crypto';
import type { TinyauthCheck } from '../decision';
import { sessionCookieOf, type SessionCookie } from '../core/session-cookie';
import { stableJson } from './stable-json';

/** Everything a tinyauth decision depends on, as the cache sees it. */
export interface DecisionKeyInput {
  /** The end user's request headers, as forwarded to tinyauth. */
  headers: ReadonlyArray<readonly [string, string]>;
  checks: readonly TinyauthCheck[];
  sourceIp: string;
  /** Extra policy context (everything but RequestDateTime, which changes every request). */
  context?: Readonly<Record<string, unknown>>;
  /** The session cookie of `headers`, when the caller has already read it (else it is read here). */
  session?: SessionCookie;
}

/**
 * The credential-bearing parts of the headers, in order: every Authorization value, every X-CSRF-Token value
 * (names matched case-insensitively, as tinyauth does) and the `tinysess` cookie exactly as tinyauth reads it
 * ({@link sessionCookieOf}), marked apart so "no session" and "an empty session" never share a key. Nothing else
 * in a Cookie header can change tinyauth's answer.
 */
export function credentialParts(
  headers: ReadonlyArray<readonly [string, string]>,
  session?: SessionCookie,
): string[] {
  const parts: string[] = [];
  let hasCookie = false;
  for (const [rawName, value] of headers) {
    const name =
      rawName.length === 13 || rawName.length === 12 || rawName.length === 6 ? rawName.toLowerCase() : '';
    if (name === 'authorization') parts.push('a', value);
    else if (name === 'x-csrf-token') parts.push('x', value);
    else if (name === 'cookie') hasCookie = true;
  }
  if (hasCookie) {
    const { token } = session ?? sessionCookieOf(headers);
    if (token !== undefined) parts.push('s', token);
  }
  return parts;
}

/**
 * A SHA-256 (base64) of everything the decision depends on: the credential-bearing headers, the checks in
 * order, the source address and the extra context (stable JSON). Secrets only ever enter the hash, never the
 * key itself. RequestDateTime is deliberately absent: it differs on every request, so time-based conditions are
 * evaluated at most one TTL late.
 *
 * Each field enters the hashed text as `<length>:<text>` (groups apart by `|`), which no two different inputs share
 * and costs less than a JSON rendering of the same fields on this hot path. Throws for text holding a lone UTF-16
 * surrogate (it has no UTF-8 form of its own): the caller then leaves that request to tinyauth, uncached.
 */
export function decisionKey(input: DecisionKeyInput): string {
  let material = '';
  for (const part of credentialParts(input.headers, input.session)) material += field(part);
  material += '|';
  for (const { action, resource } of input.checks) material += field(action) + field(resource);
  material += `|${field(input.sourceIp)}|${input.context === undefined ? '-' : field(stableJson(input.context))}`;
  // UTF-8 encoding turns every lone surrogate into U+FFFD, so such text would share a key with other text.
  if (LONE_SURROGATE.test(material)) throw new Error('a lone UTF-16 surrogate cannot be keyed');
  // One-shot crypto.hash: a third of createHash()'s cost on this hot path.
  return hash('sha256', material, 'base64');
}

const field = (text: string): string => `${text.length}:${text}`;
/** A UTF-16 code unit of a surrogate pair standing alone (a whole pair is one code point, not matched). */
const LONE_SURROGATE = /\p{Cs}/u;
