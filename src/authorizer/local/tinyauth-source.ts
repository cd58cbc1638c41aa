import type { TinyauthClient } from '../../client/tinyauth-client';
import {
  EndpointFailure,
  KeyAndPolicyEndpoints,
  type SigningToken,
} from '../../client/key-and-policy-endpoints';
import { SourceUnavailable, Undecidable, type Fetched } from './fetch-outcome';

export type { SigningToken } from '../../client/key-and-policy-endpoints';

/** The endpoints' failures in the caches' terms: stale entries may stand in only for an unavailable tinyauth. */
async function translated<V>(fetch: () => Promise<V>): Promise<V> {
  try {
    return await fetch();
  } catch (err) {
    throw translate(err);
  }
}

function translate(err: unknown): unknown {
  if (!(err instanceof EndpointFailure)) return err;
  return err.kind === 'unavailable' ? new SourceUnavailable(err.message) : new Undecidable(err.message);
}

/**
 * Keys and policies for the local strategy's caches, from tinyauth's key and policy endpoints. Transport
 * failures (tinyauth unreachable or too slow) become `SourceUnavailable` (a stale entry may stand in); a 5xx or
 * anything else unexpected becomes `Undecidable` (the request goes to the remote path).
 */
export class TinyauthSource {
  private readonly endpoints: KeyAndPolicyEndpoints;

  constructor(
    client: TinyauthClient,
    region: string,
    service: string,
    /** Cap on a signing key's cache lifetime: tinyauth grants 3 days, which would let a revoked key live on. */
    private readonly keyCacheMaxMs: number,
    /** Told of each merged policy fetched (local mode's start-up lint). */
    private readonly onPolicy?: (user: string, policy: unknown) => void,
  ) {
    try {
      this.endpoints = new KeyAndPolicyEndpoints(client, region, service);
    } catch (err) {
      throw translate(err);
    }
  }

  /** The key of `user`'s session tokens minted on `date`. */
  async userSigningToken(user: string, date: string): Promise<Fetched<SigningToken>> {
    return this.capped(await translated(() => this.endpoints.userSigningToken(user, date)));
  }

  /** The basic-auth key of access key `keyId` on `date`, and its owner. */
  async accessKeySigningToken(keyId: string, date: string): Promise<Fetched<SigningToken>> {
    return this.capped(await translated(() => this.endpoints.accessKeySigningToken(keyId, date)));
  }

  /** `user`'s merged policy document. */
  async userPolicies(user: string): Promise<Fetched<unknown>> {
    const found = await translated(() => this.endpoints.userPolicies(user));
    if (found.kind === 'found') this.onPolicy?.(user, found.value);
    return found;
  }

  private capped(found: Fetched<SigningToken>): Fetched<SigningToken> {
    return found.kind === 'found' ? { ...found, ttlMs: Math.min(found.ttlMs, this.keyCacheMaxMs) } : found;
  }
}
