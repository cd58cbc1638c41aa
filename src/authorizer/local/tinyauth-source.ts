import type { TinyauthClient } from '../../client/tinyauth-client';
import { TinyauthClientError } from '../../client/client-errors';
import type { TinyauthHttpResponse } from '../../client/wire-types';
import { cacheLifetimeMs } from './cache-lifetime';
import { SourceUnavailable, Undecidable, type Fetched } from './fetch-outcome';

/** A signing key fetched from tinyauth and the identity it belongs to. */
export interface SigningToken {
  key: Buffer;
  identity: string;
}

// A name that cannot be one path segment would be routed elsewhere by tinyauth: leave such requests to it.
const unsafeSegment = (s: string): boolean => s === '' || s === '.' || s === '..' || /[/\\]/.test(s);

function segment(name: string): string {
  if (unsafeSegment(name)) throw new Undecidable('a name that cannot be sent as one path segment');
  return encodeURIComponent(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseBody(response: TinyauthHttpResponse): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Reads keys and policies from tinyauth's proxy endpoints (protocol §8.3-8.5) with the service's own key. Transport
 * failures (tinyauth unreachable or too slow) become `SourceUnavailable` (a stale entry may stand in); a 5xx or
 * anything else unexpected becomes `Undecidable` (the request goes to the remote path).
 */
export class TinyauthSource {
  private readonly base: string;

  constructor(
    private readonly client: TinyauthClient,
    region: string,
    private readonly service: string,
    /** Cap on a signing key's cache lifetime: tinyauth grants 3 days, which would let a revoked key live on. */
    private readonly keyCacheMaxMs: number,
    /** Told of each merged policy fetched (local mode's start-up lint). */
    private readonly onPolicy?: (user: string, policy: unknown) => void,
  ) {
    this.base = `api/v1/regions/${segment(region)}/services/${segment(service)}/`;
  }

  /** user-signing-tokens/{user}/jwt/{date}: the key of that user's session tokens minted on `date`. */
  userSigningToken(user: string, date: string): Promise<Fetched<SigningToken>> {
    return this.fetchToken(`user-signing-tokens/${segment(user)}/jwt/${date}`);
  }

  /** access-key-signing-tokens/{keyId}/basic-auth/{date}: the basic-auth key of an access key and its owner. */
  accessKeySigningToken(keyId: string, date: string): Promise<Fetched<SigningToken>> {
    return this.fetchToken(`access-key-signing-tokens/${segment(keyId)}/basic-auth/${date}`);
  }

  /** user-policies/{user}: the user's merged policy document. */
  async userPolicies(user: string): Promise<Fetched<unknown>> {
    const response = await this.get(`user-policies/${segment(user)}`);
    const body = parseBody(response);
    if (response.status !== 200 || !isRecord(body)) {
      throw new Undecidable(`user-policies answered HTTP ${response.status}`);
    }
    this.onPolicy?.(user, body);
    return { kind: 'found', value: body, ttlMs: cacheLifetimeMs(response) };
  }

  private async fetchToken(path: string): Promise<Fetched<SigningToken>> {
    const response = await this.get(path);
    const body = parseBody(response);
    if (response.status === 404 && isRecord(body) && body.message === 'No such key')
      return { kind: 'missing' };
    if (
      response.status === 200 &&
      isRecord(body) &&
      typeof body.key === 'string' &&
      typeof body.identity === 'string'
    ) {
      const key = Buffer.from(body.key, 'base64');
      if (key.length === 32)
        return {
          kind: 'found',
          value: { key, identity: body.identity },
          ttlMs: Math.min(cacheLifetimeMs(response), this.keyCacheMaxMs),
        };
    }
    throw new Undecidable(`a signing-token endpoint answered HTTP ${response.status} unexpectedly`);
  }

  private async get(path: string): Promise<TinyauthHttpResponse> {
    let response: TinyauthHttpResponse;
    try {
      response = await this.client.get(`${this.base}${path}`);
    } catch (err) {
      const kind = err instanceof TinyauthClientError ? err.kind : 'connection';
      throw new SourceUnavailable(`tinyauth unavailable (${kind})`);
    }
    // A 5xx is about this one resource (tinyauth answers 500 for a deleted user or a policy it cannot merge), not
    // an outage: no stale entry may stand in for it, and other keys must keep being refreshed. Remote decides.
    if (response.status >= 500) throw new Undecidable(`tinyauth failed (HTTP ${response.status})`);
    return response;
  }
}
