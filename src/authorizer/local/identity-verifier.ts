import { ExpiringLru } from '../../cache/expiring-lru';
import { identify, jwtExpiry, type KeySource, type SessionCookie } from '../../core';
import type { RequestFacts } from '../../request/request-facts';
import { Undecidable } from './fetch-outcome';
import {
  FetchedCache,
  type FetchedCacheOptions,
  type FetchedCacheSnapshot,
  type Lookup,
} from './fetched-cache';
import type { Verified } from './policy-evaluation';
import type { SigningToken } from './tinyauth-source';
import type { FetchedSource } from '../../cache/shared-fetched';

/** Key derivation region: flask_tinyauth sends no region, so tinyauth derives every key for `global`. */
export const REGION = 'global';
/** Verified credentials are reused at most this long, whatever the key's own lifetime. */
const MAX_VERIFIED_MS = 60_000;

/** Whether a decision used a key or policy past its lifetime (tinyauth unavailable). */
export interface Staleness {
  stale: boolean;
}

/**
 * tinyauth's identify with signing keys fetched from tinyauth and cached as long as its headers allow, and a memo
 * of who verified credentials proved to be, kept no longer than the keys, the session token and a minute allow.
 */
export class IdentityVerifier {
  private readonly userKeys: FetchedCache<SigningToken>;
  private readonly accessKeys: FetchedCache<SigningToken>;
  /** Hash of the credential headers and date -> who they proved to be, so a hit costs one SHA-256. */
  private readonly verified: ExpiringLru<string, Verified>;

  constructor(
    private readonly source: FetchedSource,
    private readonly service: string,
    cacheOptions: FetchedCacheOptions & { now: () => number },
  ) {
    this.userKeys = new FetchedCache(cacheOptions);
    this.accessKeys = new FetchedCache(cacheOptions);
    this.verified = new ExpiringLru(cacheOptions.maxEntries, cacheOptions.now);
  }

  /** Who the credentials of `memoKey` proved to be, if that is remembered (the synchronous hot path). */
  remembered(memoKey: string | undefined): Verified | undefined {
    return memoKey === undefined ? undefined : this.verified.get(memoKey);
  }

  /** Runs identify with keys from the caches, and remembers a success as long as its keys allow. */
  async verify(
    facts: RequestFacts,
    session: SessionCookie,
    now: number,
    memoKey: string | undefined,
    used: Staleness,
  ): Promise<Verified | { errorCode: string }> {
    let validUntil = now + MAX_VERIFIED_MS;
    const bound = (found: { freshUntil: number; stale?: boolean }): void => {
      validUntil = Math.min(validUntil, found.freshUntil);
      if (found.stale === true) used.stale = true;
    };
    const result = await identify(facts.headers, REGION, this.service, this.keySource(bound), new Date(now));
    if (!result.ok) {
      if ('serverError' in result) {
        throw new Undecidable('tinyauth would fail on these credentials (HTTP 500)');
      }
      return { errorCode: result.errorCode };
    }
    const verified = { identity: result.identity, mfa: result.mfa };
    const exp = sessionExpiry(session);
    if (exp !== undefined) bound({ freshUntil: exp });
    if (memoKey !== undefined) this.verified.set(memoKey, verified, validUntil - now);
    return verified;
  }

  /** The ages of the cached signing keys, user and access keys together (the older of each). */
  snapshot(): FetchedCacheSnapshot {
    const users = this.userKeys.snapshot();
    const accessKeys = this.accessKeys.snapshot();
    return {
      oldestFreshAgeMs: older(users.oldestFreshAgeMs, accessKeys.oldestFreshAgeMs),
      oldestStaleAgeMs: older(users.oldestStaleAgeMs, accessKeys.oldestStaleAgeMs),
    };
  }

  /** The keys identify asks for, each lookup reported to `bound` (its lifetime and staleness). */
  private keySource(bound: (found: Lookup<SigningToken>) => void): KeySource {
    return {
      userJwtKey: async (region, service, keyDate, user) => {
        const found = await this.userKeys.get(`${service}\0${keyDate}\0${user}`, () =>
          this.source.userSigningToken(user, keyDate),
        );
        bound(found);
        return found.value?.key;
      },
      accessKey: async (region, service, keyDate, keyId) => {
        const found = await this.accessKeys.get(`${service}\0${keyDate}\0${keyId}`, () =>
          this.source.accessKeySigningToken(keyId, keyDate),
        );
        bound(found);
        return found.value;
      },
    };
  }
}

function older(a?: number, b?: number): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** Epoch ms of the `exp` of the session token identify verified; undefined when there is none or it has no `exp`. */
function sessionExpiry({ token }: SessionCookie): number | undefined {
  const exp = token === undefined ? undefined : jwtExpiry(token);
  return exp === undefined ? undefined : exp * 1000;
}
