import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { TinyauthCheck } from '../decision';

/** Where the shared tier keeps things, and under which keyed names. */
export interface SharedKeyScope {
  /** The service's secret access key: the root of the key that names entries (never stored or sent). */
  secretAccessKey: string;
  accessKeyId: string;
  service: string;
  partition: string;
  /** Prefix of every key, e.g. `tinyauth`. */
  namespace: string;
}

/**
 * Names of the shared tier's keys. Each name ends in an HMAC-SHA256 keyed with a key derived (HKDF) from the
 * service's secret access key, so a dump of the store cannot be checked against guessed credentials the way a
 * plain hash could, while every replica of the service (same secret) computes the same names.
 */
export class SharedKeys {
  private readonly macKey: Buffer;
  private readonly prefix: string;
  /** The key of the service-wide invalidation mark. */
  readonly global: string;

  constructor(scope: SharedKeyScope) {
    this.macKey = Buffer.from(
      hkdfSync(
        'sha256',
        scope.secretAccessKey,
        'nestjs-tinyauth shared decision cache',
        `${scope.partition}\0${scope.service}\0${scope.accessKeyId}`,
        32,
      ),
    );
    this.prefix = `${scope.namespace}:${scope.partition}:${scope.service}:`;
    this.global = `${this.prefix}g`;
  }

  /** The key of a decision, from the first tier's key (itself a digest of everything the decision depends on). */
  decision(localKey: string): string {
    return `${this.prefix}d:${this.mac(`d\0${localKey}`)}`;
  }

  /** The key of the lease of the replica asking tinyauth for a decision (see SharedLeases). */
  lease(localKey: string): string {
    return `${this.prefix}l:${this.mac(`l\0${localKey}`)}`;
  }

  /** The key of one identity's invalidation mark. */
  identity(identity: string): string {
    return `${this.prefix}i:${this.mac(`i\0${identity}`)}`;
  }

  /**
   * Binds a stored text to the key it is stored under: `<mac>.<text>`. A value written by anyone without the
   * service's secret, or moved from another key, then fails {@link unseal}.
   */
  seal(storeKey: string, text: string): string {
    return `${this.mac(`v\0${storeKey}\0${text}`)}.${text}`;
  }

  /** The text of a value {@link seal}ed for `storeKey`; undefined when it is not one. */
  unseal(storeKey: string, raw: unknown): string | undefined {
    if (typeof raw !== 'string') return undefined;
    const dot = raw.indexOf('.');
    if (dot < 1) return undefined;
    const text = raw.slice(dot + 1);
    const given = Buffer.from(raw.slice(0, dot));
    const expected = Buffer.from(this.mac(`v\0${storeKey}\0${text}`));
    return given.length === expected.length && timingSafeEqual(given, expected) ? text : undefined;
  }

  private mac(text: string): string {
    return createHmac('sha256', this.macKey).update(text).digest('base64url');
  }
}

/** An allow decision as the shared tier holds it. */
export interface SharedEntry {
  /** Epoch ms just before tinyauth was asked: invalidations at or after it make the entry stale. */
  at: number;
  /** Epoch ms after which the entry must not be used. */
  exp: number;
  /** The identity tinyauth named ('' when it named none). */
  identity: string;
  /** tinyauth's `Permitted` map, covering every check. */
  permitted: Record<string, string[]>;
}

/** The stored text: a versioned JSON object that also names the checks it answers. */
export function encodeEntry(entry: SharedEntry, checks: readonly TinyauthCheck[]): string {
  return JSON.stringify({
    v: 1,
    at: entry.at,
    exp: entry.exp,
    id: entry.identity,
    c: checks.map(({ action, resource }) => [action, resource]),
    p: entry.permitted,
  });
}

/** What a read found: an entry, nothing usable (expired), or a value that is not an entry. */
export type DecodedEntry = SharedEntry | 'absent' | 'malformed';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Validates an unsealed entry text for a request: it must be this package's entry (shape and types), for exactly
 * the `checks` asked, an allow covering each of them, not expired, and with a lifetime no longer than `maxTtlMs`.
 * Anything else is `malformed`, so a corrupted value can never allow.
 */
export function decodeEntry(
  raw: string,
  checks: readonly TinyauthCheck[],
  now: number,
  maxTtlMs: number,
): DecodedEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'malformed';
  }
  if (!isObject(value) || value.v !== 1) return 'malformed';
  const { at, exp, id, c, p } = value;
  if (typeof at !== 'number' || typeof exp !== 'number' || !Number.isFinite(at) || !Number.isFinite(exp))
    return 'malformed';
  if (exp < at || exp - at > maxTtlMs) return 'malformed';
  if (typeof id !== 'string' || !Array.isArray(c) || c.length !== checks.length || !isObject(p))
    return 'malformed';
  for (let i = 0; i < checks.length; i++) {
    const pair: unknown = c[i];
    if (!Array.isArray(pair) || pair.length !== 2) return 'malformed';
    if (pair[0] !== checks[i].action || pair[1] !== checks[i].resource) return 'malformed';
  }
  const permitted: Record<string, string[]> = {};
  for (const [action, resources] of Object.entries(p)) {
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) return 'malformed';
    permitted[action] = resources as string[];
  }
  for (const { action, resource } of checks) {
    if (!Object.hasOwn(permitted, action) || !permitted[action].includes(resource)) return 'malformed';
  }
  if (now >= exp) return 'absent';
  return { at, exp, identity: id, permitted };
}
