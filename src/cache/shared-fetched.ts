import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { SharedKeyScope } from './shared-entries';
import { SharedLeases } from './shared-leases';
import { GuardedStore, type SharedCacheStore, type SharedStoreStats } from './shared-store';

/** What one read of tinyauth gave (the shape of local mode's `Fetched`). */
export type FetchedAnswer<V> = { kind: 'found'; value: V; ttlMs: number } | { kind: 'missing' };

/** A signing key and the identity it belongs to (the shape of local mode's `SigningToken`). */
export interface FetchedSigningKey {
  key: Buffer;
  identity: string;
}

/**
 * The reads local mode makes from tinyauth (protocol §8.3-8.5): a user's session-token key for a date, an access
 * key's basic-auth key for a date, a user's merged policy. Failures are thrown, as the source throws them.
 */
export interface FetchedSource {
  userSigningToken(user: string, date: string): Promise<FetchedAnswer<FetchedSigningKey>>;
  accessKeySigningToken(keyId: string, date: string): Promise<FetchedAnswer<FetchedSigningKey>>;
  userPolicies(user: string): Promise<FetchedAnswer<unknown>>;
}

/** Where local mode shares what it fetched. */
export interface SharedFetchedTier {
  store: SharedCacheStore;
  /** Time allowed for one store operation, in ms. */
  timeoutMs: number;
  /** The service, its credentials (root of the names and of the encryption key) and the namespace. */
  keys: SharedKeyScope;
  /** Longest a signing key read from the store is trusted, in ms (local mode's `keyCacheMaxMs`). */
  keyCacheMaxMs: number;
  /** Longest a replica waits for another replica's read of the same value before reading it itself, in ms. */
  leaseMs: number;
}

/** Counters of the shared reads since start-up. */
export interface SharedFetchedStats extends SharedStoreStats {
  /** Keys and policies read from the store instead of from tinyauth. */
  sharedHits: number;
  /** Keys and policies read from tinyauth. */
  fetches: number;
  /** Reads that waited for another replica's read of the same value instead of making their own. */
  sharedWaits: number;
}

type Kind = 'user-key' | 'access-key' | 'policy';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Local mode's reads of keys and policies, shared by every replica of the service through the store: a replica
 * first looks in the store, and what it fetches from tinyauth it writes there (in the background) until the
 * lifetime tinyauth granted (keys also capped by `keyCacheMaxMs`) ends. Nothing outlives what one process would
 * have kept.
 *
 * Values are encrypted with AES-256-GCM under a key derived (HKDF) from the service's secret access key and bound
 * to the name they are stored under (additional data), so a dump of the store reveals no signing key and no policy,
 * and a value written without the secret, moved or corrupted fails to open. Names are HMACs (see `SharedKeys`).
 * Anyone holding the service's secret can read these keys from tinyauth anyway: encryption widens nothing.
 *
 * Same failure rules as the decision tier: a store that fails, is slow (beyond `timeoutMs`) or holds anything
 * else than a valid value is a miss, and tinyauth is asked; denials ("missing") are never shared.
 */
export class SharedFetchedSource implements FetchedSource {
  private readonly store: GuardedStore;
  private readonly leases: SharedLeases;
  private readonly macKey: Buffer;
  private readonly encKey: Buffer;
  private readonly prefix: string;
  private readonly leasePrefix: string;
  private readonly counts = { sharedHits: 0, fetches: 0, sharedWaits: 0 };

  constructor(
    private readonly inner: FetchedSource,
    private readonly tier: SharedFetchedTier,
    private readonly now: () => number = Date.now,
  ) {
    const { keys } = tier;
    this.store = new GuardedStore(tier.store, tier.timeoutMs, now);
    this.leases = new SharedLeases(this.store, tier.leaseMs, now);
    const salt = `${keys.partition}\0${keys.service}\0${keys.accessKeyId}`;
    this.macKey = Buffer.from(
      hkdfSync('sha256', keys.secretAccessKey, 'nestjs-tinyauth shared fetched names', salt, 32),
    );
    this.encKey = Buffer.from(
      hkdfSync('sha256', keys.secretAccessKey, 'nestjs-tinyauth shared fetched values', salt, 32),
    );
    this.prefix = `${keys.namespace}:${keys.partition}:${keys.service}:f:`;
    this.leasePrefix = `${keys.namespace}:${keys.partition}:${keys.service}:fl:`;
    // Lets a lazily connecting client connect before the first request needs it; failures show on first use.
    void this.store.warmUp(`${this.prefix}warm-up`, 1000);
  }

  /** Counters of shared reads, fetches and store failures since start-up. */
  stats(): SharedFetchedStats {
    return { ...this.counts, ...this.store.stats };
  }

  userSigningToken(user: string, date: string): Promise<FetchedAnswer<FetchedSigningKey>> {
    return this.read('user-key', `${user}\0${date}`, () => this.inner.userSigningToken(user, date));
  }

  accessKeySigningToken(keyId: string, date: string): Promise<FetchedAnswer<FetchedSigningKey>> {
    return this.read('access-key', `${keyId}\0${date}`, () => this.inner.accessKeySigningToken(keyId, date));
  }

  userPolicies(user: string): Promise<FetchedAnswer<unknown>> {
    return this.read('policy', user, () => this.inner.userPolicies(user));
  }

  private async read<V>(
    kind: Kind,
    name: string,
    fetch: () => Promise<FetchedAnswer<V>>,
  ): Promise<FetchedAnswer<V>> {
    const mac = createHmac('sha256', this.macKey).update(`${kind}\0${name}`).digest('base64url');
    const storeKey = `${this.prefix}${mac}`;
    const shared = await this.lookUp<V>(kind, storeKey);
    if (shared !== undefined) {
      this.counts.sharedHits++;
      return shared;
    }
    // Replicas that start together, or whose copies (adopted with the same expiry) expire together, would all read
    // tinyauth at once: one reads, the others wait for what it shares.
    const leaseKey = `${this.leasePrefix}${mac}`;
    const claim = await this.leases.claim(leaseKey);
    if (claim.kind === 'theirs') {
      this.counts.sharedWaits++;
      const answered = await this.leases.waitFor(leaseKey, () => this.lookUp<V>(kind, storeKey));
      if (answered !== undefined) {
        this.counts.sharedHits++;
        return answered;
      }
    }
    const lease = claim.kind === 'mine' ? claim.lease : undefined;
    this.counts.fetches++;
    let fetched: FetchedAnswer<V>;
    try {
      fetched = await fetch();
    } catch (err) {
      void this.leases.release(lease);
      throw err;
    }
    let written: Promise<unknown> | undefined;
    if (fetched.kind === 'found' && fetched.ttlMs > 0) {
      const exp = this.now() + fetched.ttlMs;
      const text = JSON.stringify({ v: 1, k: kind, exp, value: encodeValue(kind, fetched.value) });
      written = this.store.set(storeKey, this.seal(storeKey, text), fetched.ttlMs).catch(() => undefined);
    }
    // Released once the value is in the store (or there is nothing to share), so the waiting replicas move on.
    void Promise.resolve(written).then(() => this.leases.release(lease));
    return fetched;
  }

  /** A valid, unexpired value stored under `storeKey`, or undefined (absent, unreadable, failed: all misses). */
  private async lookUp<V>(kind: Kind, storeKey: string): Promise<FetchedAnswer<V> | undefined> {
    let raw: unknown;
    try {
      raw = await this.store.get(storeKey);
    } catch {
      return undefined;
    }
    if (raw === undefined || raw === null) return undefined;
    const entry = parseEntry(this.open(storeKey, raw), kind);
    if (entry === undefined) {
      this.store.malformed();
      return undefined;
    }
    const left = entry.exp - this.now();
    const ttlMs = kind === 'policy' ? left : Math.min(left, this.tier.keyCacheMaxMs);
    if (!(ttlMs > 0)) return undefined;
    return { kind: 'found', value: entry.value as V, ttlMs };
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url, AES-256-GCM with the store key as additional data. */
  private seal(storeKey: string, text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(storeKey));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  private open(storeKey: string, raw: unknown): string | undefined {
    if (typeof raw !== 'string') return undefined;
    const parts = raw.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return undefined;
    const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    if (iv.length !== 12 || tag.length !== 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encKey, iv);
      decipher.setAAD(Buffer.from(storeKey));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function encodeValue(kind: Kind, value: unknown): unknown {
  if (kind === 'policy') return value;
  const { key, identity } = value as FetchedSigningKey;
  return { key: key.toString('base64'), identity };
}

/** The entry in an opened text, checked against what a fresh fetch would give; undefined when it is not one. */
function parseEntry(text: string | undefined, kind: Kind): { exp: number; value: unknown } | undefined {
  if (text === undefined) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(entry) || entry.v !== 1 || entry.k !== kind) return undefined;
  const { exp, value } = entry;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || !isRecord(value)) return undefined;
  if (kind === 'policy') return { exp, value };
  if (typeof value.key !== 'string' || typeof value.identity !== 'string') return undefined;
  const key = Buffer.from(value.key, 'base64');
  if (key.length !== 32) return undefined;
  return { exp, value: { key, identity: value.identity } };
}

/** `source` itself when there is no shared tier, else `source` behind the store. */
export function withSharedFetched<S extends FetchedSource>(
  source: S,
  tier: SharedFetchedTier | undefined,
  now: () => number = Date.now,
): FetchedSource {
  return tier === undefined ? source : new SharedFetchedSource(source, tier, now);
}
