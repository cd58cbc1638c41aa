import { cacheLifetimeMs } from './cache-lifetime';
import { TinyauthClientError } from './client-errors';
import type { TinyauthClient } from './tinyauth-client';
import type { TinyauthHttpResponse } from './wire-types';

/** A signing key fetched from tinyauth and the identity it belongs to. */
export interface SigningToken {
  key: Buffer;
  identity: string;
}

/** What one endpoint answered: the value and how long tinyauth lets it be reused (ms), or "no such key / user". */
export type EndpointAnswer<V> = { kind: 'found'; value: V; ttlMs: number } | { kind: 'missing' };

/**
 * A key or policy endpoint gave no usable answer. `unavailable`: tinyauth could not be asked (unreachable, too
 * slow, an oversized answer). `unexpected`: it answered, but not as the protocol says (a 5xx about this one
 * resource, an unknown shape), or the name cannot be sent as one path segment.
 */
export class EndpointFailure extends Error {
  constructor(
    readonly kind: 'unavailable' | 'unexpected',
    message: string,
  ) {
    super(message);
    this.name = 'EndpointFailure';
  }
}

// A name that cannot be one path segment would be routed elsewhere by tinyauth: leave such requests to it.
const unsafeSegment = (s: string): boolean => s === '' || s === '.' || s === '..' || /[/\\]/.test(s);

function segment(name: string): string {
  if (unsafeSegment(name)) {
    throw new EndpointFailure('unexpected', 'a name that cannot be sent as one path segment');
  }
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
 * tinyauth's proxy endpoints for signing keys and merged policies (protocol §8.3-8.5), read with the service's own
 * key: the requests, the shape checks of the answers and their cache lifetimes. Throws `EndpointFailure` for
 * anything but a found or missing answer. Caching and deciding are the caller's.
 */
export class KeyAndPolicyEndpoints {
  private readonly base: string;

  /** Throws `EndpointFailure` ('unexpected') when `region` or `service` cannot be one path segment. */
  constructor(
    private readonly client: TinyauthClient,
    region: string,
    service: string,
  ) {
    this.base = `api/v1/regions/${segment(region)}/services/${segment(service)}/`;
  }

  /** user-signing-tokens/{user}/jwt/{date}: the key of that user's session tokens minted on `date`. */
  userSigningToken(user: string, date: string): Promise<EndpointAnswer<SigningToken>> {
    return this.fetchToken(`user-signing-tokens/${segment(user)}/jwt/${date}`);
  }

  /** access-key-signing-tokens/{keyId}/basic-auth/{date}: the basic-auth key of an access key and its owner. */
  accessKeySigningToken(keyId: string, date: string): Promise<EndpointAnswer<SigningToken>> {
    return this.fetchToken(`access-key-signing-tokens/${segment(keyId)}/basic-auth/${date}`);
  }

  /** user-policies/{user}: the user's merged policy document (a JSON object). */
  async userPolicies(user: string): Promise<EndpointAnswer<Record<string, unknown>>> {
    const response = await this.get(`user-policies/${segment(user)}`);
    const body = parseBody(response);
    if (response.status !== 200 || !isRecord(body)) {
      throw new EndpointFailure('unexpected', `user-policies answered HTTP ${response.status}`);
    }
    return { kind: 'found', value: body, ttlMs: cacheLifetimeMs(response) };
  }

  private async fetchToken(path: string): Promise<EndpointAnswer<SigningToken>> {
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
        return { kind: 'found', value: { key, identity: body.identity }, ttlMs: cacheLifetimeMs(response) };
    }
    throw new EndpointFailure(
      'unexpected',
      `a signing-token endpoint answered HTTP ${response.status} unexpectedly`,
    );
  }

  private async get(path: string): Promise<TinyauthHttpResponse> {
    let response: TinyauthHttpResponse;
    try {
      response = await this.client.get(`${this.base}${path}`);
    } catch (err) {
      const kind = err instanceof TinyauthClientError ? err.kind : 'connection';
      throw new EndpointFailure('unavailable', `tinyauth unavailable (${kind})`);
    }
    // A 5xx is about this one resource (tinyauth answers 500 for a deleted user or a policy it cannot merge), not
    // an outage: no stale entry may stand in for it, and other keys must keep being refreshed.
    if (response.status >= 500) {
      throw new EndpointFailure('unexpected', `tinyauth failed (HTTP ${response.status})`);
    }
    return response;
  }
}
