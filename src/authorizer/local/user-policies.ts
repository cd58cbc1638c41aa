import { compilePolicy, type CompiledPolicy } from '../../core';
import { FetchedCache, type FetchedCacheOptions, type FetchedCacheSnapshot } from './fetched-cache';
import { Undecidable } from './fetch-outcome';
import type { Staleness } from './identity-verifier';
import type { FetchedSource } from '../../cache/shared-fetched';

/** Each user's merged policy, fetched from tinyauth, compiled once per fetch and cached as its headers allow. */
export class UserPolicies {
  private readonly policies: FetchedCache<CompiledPolicy>;

  constructor(
    private readonly source: FetchedSource,
    private readonly service: string,
    cacheOptions: FetchedCacheOptions,
  ) {
    this.policies = new FetchedCache(cacheOptions);
  }

  /** The user's policy while fresh, without fetching (the synchronous hot path). */
  fresh(user: string): CompiledPolicy | undefined {
    return this.policies.peekFresh(this.keyOf(user))?.value;
  }

  /** The user's policy, fetched if need be (stale while tinyauth is unavailable); `Undecidable` when there is none. */
  async get(user: string, used: Staleness): Promise<CompiledPolicy> {
    const found = await this.policies.get(this.keyOf(user), async () => {
      const fetched = await this.source.userPolicies(user);
      // Compiled once per fetch; every request then only evaluates.
      return fetched.kind === 'found' ? { ...fetched, value: compilePolicy(fetched.value) } : fetched;
    });
    if (found.value === undefined) throw new Undecidable('no policy for an identified user');
    if (found.stale === true) used.stale = true;
    return found.value;
  }

  /** The ages of the cached policies (see `FetchedCacheSnapshot`). */
  snapshot(): FetchedCacheSnapshot {
    return this.policies.snapshot();
  }

  private keyOf(user: string): string {
    return `${this.service}\0${user}`;
  }
}
