/**
 * HMAC JSON Web Tokens with PyJWT 2 semantics (the library tinyauth uses), on node:crypto only: a verification
 * costs a few microseconds on the hot path of the local decision mode.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base64UrlDecodeLenient } from './base64';
import { isDict, ownValue, pyInt, pyTruthy, type JsonObject } from './python-values';

/** The HMAC algorithms accepted for session tokens (quirk 13: HS384 / HS512 are accepted too). */
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

const HASHES: Readonly<Record<JwtAlgorithm, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function isAlgorithm(v: unknown): v is JwtAlgorithm {
  return v === 'HS256' || v === 'HS384' || v === 'HS512';
}

/** A token split and decoded, signature not checked. */
export interface DecodedJwt {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  /** The bytes the signature covers (`header.payload` as sent). */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** Result of {@link decodeJwtUnverified}. */
export type JwtDecodeResult =
  { readonly ok: true; readonly jwt: DecodedJwt } | { readonly ok: false; readonly reason: string };

/** Why a verification failed. */
export type JwtFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'claims';

/** Result of {@link verifyJwt}. */
export type JwtVerifyResult =
  | { readonly ok: true; readonly header: JsonObject; readonly payload: JsonObject }
  | { readonly ok: false; readonly failure: JwtFailure; readonly reason: string };

// Python's json.dumps(ensure_ascii=True) escapes everything outside printable ASCII; PyJWT signs those bytes.
function pythonJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function b64url(data: Buffer | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');
}

function sign(alg: JwtAlgorithm, key: Buffer, signingInput: Buffer | string): Buffer {
  return createHmac(HASHES[alg], key).update(signingInput).digest();
}

/**
 * Signs `payload` (claims kept in insertion order) as PyJWT 2 does: header `{"alg":"HS256","typ":"JWT"}`, compact
 * JSON with non-ASCII escaped.
 */
export function signJwt(
  payload: Readonly<Record<string, unknown>>,
  key: Buffer,
  alg: JwtAlgorithm = 'HS256',
): string {
  const input = `${b64url(pythonJson({ alg, typ: 'JWT' }))}.${b64url(pythonJson(payload))}`;
  return `${input}.${sign(alg, key, input).toString('base64url')}`;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseJsonObject(bytes: Buffer): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(UTF8.decode(bytes));
    return isDict(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Splits and decodes a token without checking its signature, like PyJWT's `decode(verify_signature=False)`.
 * Fails where PyJWT raises a decode error (not three segments, bad base64, header or payload not a JSON object…).
 */
export function decodeJwtUnverified(token: string): JwtDecodeResult {
  if (LONE_SURROGATE.test(token)) return { ok: false, reason: 'token is not encodable as UTF-8' };
  const raw = Buffer.from(token, 'utf8');
  const lastDot = raw.lastIndexOf(0x2e);
  if (lastDot < 0) return { ok: false, reason: 'Not enough segments' };
  const signingInput = raw.subarray(0, lastDot);
  const firstDot = signingInput.indexOf(0x2e);
  if (firstDot < 0) return { ok: false, reason: 'Not enough segments' };
  const headerBytes = base64UrlDecodeLenient(signingInput.subarray(0, firstDot));
  if (headerBytes === undefined) return { ok: false, reason: 'Invalid header padding' };
  const header = parseJsonObject(headerBytes);
  if (header === undefined) return { ok: false, reason: 'Invalid header string: must be a json object' };
  const payloadBytes = base64UrlDecodeLenient(signingInput.subarray(firstDot + 1));
  if (payloadBytes === undefined) return { ok: false, reason: 'Invalid payload padding' };
  const signature = base64UrlDecodeLenient(raw.subarray(lastDot + 1));
  if (signature === undefined) return { ok: false, reason: 'Invalid crypto padding' };
  if (ownValue(header, 'b64') === false) return { ok: false, reason: 'detached payloads are not supported' };
  const payload = parseJsonObject(payloadBytes);
  if (payload === undefined) return { ok: false, reason: 'Invalid payload string: must be a json object' };
  return { ok: true, jwt: { header, payload, signingInput: Buffer.from(signingInput), signature } };
}

/**
 * The `exp` claim (whole seconds since the epoch) of a token, read without verifying it: for lifetimes the app
 * derives from a token (cookie expiry, cache bounds) while tinyauth alone judges it. Undefined when the token does
 * not decode or has no finite numeric `exp`.
 */
export function jwtExpiry(token: string): number | undefined {
  const decoded = decodeJwtUnverified(token);
  const exp = decoded.ok ? decoded.jwt.payload.exp : undefined;
  return typeof exp === 'number' && Number.isFinite(exp) ? Math.floor(exp) : undefined;
}

/** PyJWT 2 registered-claim checks without leeway: iat not in the future, nbf reached, exp not reached, no aud. */
function checkClaims(payload: JsonObject, now: number): JwtVerifyResult | undefined {
  if (Object.hasOwn(payload, 'iat')) {
    const iat = payload.iat;
    // PyJWT tests int(iat), then compares the raw value: only numbers (and booleans) survive both.
    if (typeof iat !== 'number' && typeof iat !== 'boolean') {
      return { ok: false, failure: 'claims', reason: 'Issued At claim (iat) must be an integer.' };
    }
    if (Number(iat) > now)
      return { ok: false, failure: 'not-yet-valid', reason: 'The token is not yet valid (iat)' };
  }
  if (Object.hasOwn(payload, 'nbf')) {
    const nbf = pyInt(payload.nbf);
    if (nbf === undefined)
      return { ok: false, failure: 'claims', reason: 'Not Before claim (nbf) must be an integer.' };
    if (nbf > now) return { ok: false, failure: 'not-yet-valid', reason: 'The token is not yet valid (nbf)' };
  }
  if (Object.hasOwn(payload, 'exp')) {
    const exp = pyInt(payload.exp);
    if (exp === undefined)
      return { ok: false, failure: 'claims', reason: 'Expiration Time claim (exp) must be an integer.' };
    if (exp <= now) return { ok: false, failure: 'expired', reason: 'Signature has expired' };
  }
  if (pyTruthy(ownValue(payload, 'aud'))) return { ok: false, failure: 'claims', reason: 'Invalid audience' };
  return undefined;
}

/**
 * Verifies a token with `key`: HS256 / HS384 / HS512 only (never `none`), signature compared in constant time,
 * then the registered claims as PyJWT 2 checks them (no leeway; a future `iat` is rejected). Other header fields
 * (`kid` of any type, `jku`, `x5u`…) are not consulted, as PyJWT's decode does not (conformance http-213..215).
 * @param nowSeconds the current time in epoch seconds (defaults to the system clock).
 */
export function verifyJwt(
  token: string,
  key: Buffer,
  nowSeconds: number = Date.now() / 1000,
): JwtVerifyResult {
  const decoded = decodeJwtUnverified(token);
  if (!decoded.ok) return { ok: false, failure: 'malformed', reason: decoded.reason };
  const { header, payload, signingInput, signature } = decoded.jwt;
  const alg = ownValue(header, 'alg');
  if (!isAlgorithm(alg))
    return { ok: false, failure: 'algorithm', reason: 'The specified alg value is not allowed' };
  const expected = sign(alg, key, signingInput);
  if (expected.length !== signature.length || !timingSafeEqual(expected, signature)) {
    return { ok: false, failure: 'signature', reason: 'Signature verification failed' };
  }
  return checkClaims(payload, Math.floor(nowSeconds)) ?? { ok: true, header, payload };
}
