import { hash } from 'node:crypto';
import { credentialParts } from '../../cache/decision-key';
import { utcDateStamp, type SessionCookie } from '../../core';

const DAY_MS = 86_400_000;

/**
 * A SHA-256 of everything identify reads (the same credential-bearing headers the cached mode keys on) and the UTC
 * date; undefined when there is no credential at all (nothing worth caching).
 */
export function credentialKey(
  headers: ReadonlyArray<readonly [string, string]>,
  session: SessionCookie,
  date: string,
): string | undefined {
  const parts = credentialParts(headers, session);
  if (parts.length === 0) return undefined;
  return hash('sha256', JSON.stringify([date, parts]), 'base64');
}

/** `YYYYMMDD` (UTC) of an epoch-ms moment, recomputed once a day rather than on every request. */
export class UtcDay {
  private day = { start: -Infinity, stamp: '' };

  stampOf(now: number): string {
    if (now < this.day.start || now >= this.day.start + DAY_MS) {
      const start = now - (now % DAY_MS);
      this.day = { start, stamp: utcDateStamp(new Date(start)) };
    }
    return this.day.stamp;
  }
}
