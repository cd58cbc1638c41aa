/**
 * Scoped key derivation (protocol §4): an HMAC-SHA256 chain over identity, date, region, service and request type.
 */
import { createHmac } from 'node:crypto';

/** The request types of the two protocols tinyauth accepts. */
export type KeyRequestType = 'basic_auth_request' | 'jwt_request';

/** Inputs of {@link deriveScopedKey}. All text is used as UTF-8. */
export interface ScopedKeyInput {
  /** The secret: a secret access key, or the server's SECRET_SIGNING_KEY (as text, not hex-decoded). */
  readonly secret: string | Buffer;
  /** The access key id (basic auth) or the user name (session JWT). */
  readonly identity: string;
  /** `YYYYMMDD` (use {@link utcDateStamp}). */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly requestType: KeyRequestType;
}

function hmac(key: Buffer | string, msg: string): Buffer {
  return createHmac('sha256', key).update(msg, 'utf8').digest();
}

function utf8(s: string | Buffer): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

/** The five intermediate keys k1…k5 of the derivation (k5 is the key), for debugging a port. */
export function deriveScopedKeySteps(input: ScopedKeyInput): [Buffer, Buffer, Buffer, Buffer, Buffer] {
  const k1 = hmac(utf8(input.secret), input.identity);
  const k2 = hmac(Buffer.concat([Buffer.from('TINYAUTH', 'ascii'), k1]), input.date);
  const k3 = hmac(k2, input.region);
  const k4 = hmac(k3, input.service);
  const k5 = hmac(k4, input.requestType);
  return [k1, k2, k3, k4, k5];
}

/** Derives the 32-byte scoped key for (secret, identity, date, region, service, request type). */
export function deriveScopedKey(input: ScopedKeyInput): Buffer {
  return deriveScopedKeySteps(input)[4];
}

/** Common inputs of the convenience helpers. */
export interface KeyScope {
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDD`, a `Date` or epoch seconds (its UTC date is used). */
  readonly date: string | Date | number;
}

function stamp(date: string | Date | number): string {
  return typeof date === 'string' ? date : utcDateStamp(date);
}

/** The basic-auth key of an access key: identity = key id, secret = secret access key. */
export function basicAuthKey(scope: KeyScope & { readonly keyId: string; readonly secret: string }): Buffer {
  return deriveScopedKey({
    secret: scope.secret,
    identity: scope.keyId,
    date: stamp(scope.date),
    region: scope.region,
    service: scope.service,
    requestType: 'basic_auth_request',
  });
}

/** The jwt key of an identity (a user with the server's signing key, or an access key with its secret). */
export function jwtKey(scope: KeyScope & { readonly identity: string; readonly secret: string }): Buffer {
  return deriveScopedKey({
    secret: scope.secret,
    identity: scope.identity,
    date: stamp(scope.date),
    region: scope.region,
    service: scope.service,
    requestType: 'jwt_request',
  });
}

/**
 * The UTC date of `date` as `YYYYMMDD`. Epoch seconds may be fractional or negative. Throws a `RangeError` outside
 * years 1…9999 (where Python's `utcfromtimestamp` fails too).
 */
export function utcDateStamp(date: Date | number): string {
  const d = typeof date === 'number' ? new Date(Math.floor(date) * 1000) : date;
  const y = d.getUTCFullYear();
  if (!Number.isFinite(d.getTime()) || y < 1 || y > 9999) throw new RangeError('date out of range');
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p(y, 4)}${p(d.getUTCMonth() + 1, 2)}${p(d.getUTCDate(), 2)}`;
}
