/**
 * The "identify" procedure of tinyauth (protocol §3): find who sent a set of request headers, from a `tinysess`
 * session cookie first, then from HTTP Basic access-key credentials. Key material is abstracted behind
 * {@link KeySource}, so the same code serves the compatible server (which holds the secrets) and a local decision
 * mode that only has derived keys fetched from tinyauth.
 */
import { timingSafeEqual } from 'node:crypto';
import { pythonB64Decode } from './base64';
import { decodeJwtUnverified, verifyJwt } from './jwt';
import { basicAuthKey, utcDateStamp } from './keys';
import { ownValue, pyEquals, PY_WHITESPACE } from './python-values';
import { headerValues, sessionCookieOf } from './session-cookie';

/** Where identify gets its key material from. Both methods may be synchronous or asynchronous. */
export interface KeySource {
  /** jwt_request key for (region, service, date, user); undefined when the user does not exist */
  userJwtKey(
    region: string,
    service: string,
    date: string,
    user: string,
  ): Promise<Buffer | undefined> | Buffer | undefined;
  /** basic_auth_request key for the access key (derived from its stored secret) and the owning user; undefined when unknown */
  accessKey(
    region: string,
    service: string,
    date: string,
    keyId: string,
  ): Promise<{ key: Buffer; identity: string } | undefined> | { key: Buffer; identity: string } | undefined;
}

/** An identity error code that tinyauth reports to the caller. */
export type IdentifyErrorCode = 'UnsignedRequest' | 'InvalidSignature' | 'NoSuchKey' | 'CsrfError';

/** Outcome of {@link identify}. `serverError` marks the cases where the real server crashes with a 500 page. */
export type IdentifyResult =
  | { ok: true; identity: string; mfa: unknown }
  | { ok: false; errorCode: IdentifyErrorCode }
  | { ok: false; serverError: string };

/** Request headers as ordered `[name, value]` pairs (names are matched case-insensitively). */
export type HeaderPairs = ReadonlyArray<readonly [string, string]>;

function fail(errorCode: IdentifyErrorCode): IdentifyResult {
  return { ok: false, errorCode };
}

function crash(serverError: string): IdentifyResult {
  return { ok: false, serverError };
}

async function identifySession(
  token: string,
  headers: HeaderPairs,
  region: string,
  service: string,
  keys: KeySource,
  now: Date,
): Promise<IdentifyResult> {
  // tinyauth decodes the cookie unverified without catching errors: garbage gives a 500 (quirk 1).
  const decoded = decodeJwtUnverified(token);
  if (!decoded.ok) return crash(`tinysess is not a JWT: ${decoded.reason}`);
  const claims = decoded.jwt.payload;
  // The key date comes from `iat` (utcfromtimestamp): missing or non-numeric is an unhandled error too. It is
  // evaluated before the user lookup, as in tinyauth.
  const iat = ownValue(claims, 'iat');
  if (typeof iat !== 'number' && typeof iat !== 'boolean') return crash('tinysess has no usable iat claim');
  let date: string;
  try {
    date = utcDateStamp(Number(iat));
  } catch {
    return crash('tinysess iat is out of range');
  }
  const user = ownValue(claims, 'user');
  if (typeof user !== 'string') return fail('InvalidSignature');
  const key = await keys.userJwtKey(region, service, date, user);
  if (key === undefined) return fail('NoSuchKey');
  const verified = verifyJwt(token, key, now.getTime() / 1000);
  if (!verified.ok) return fail('InvalidSignature');
  if (Object.hasOwn(verified.payload, 'csrf-token')) {
    // Python compares headers.get('X-CSRF-Token') (None when absent) with the claim using `!=`.
    const sent = headerValues(headers, 'x-csrf-token')[0] ?? null;
    if (!pyEquals(sent, verified.payload['csrf-token'])) return fail('CsrfError');
  }
  if (!Object.hasOwn(verified.payload, 'mfa')) return crash('tinysess has no mfa claim');
  return { ok: true, identity: user, mfa: verified.payload.mfa };
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UTF8_REPLACE = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Parses `Basic base64(id:secret)` as werkzeug's `parse_authorization_header` does; undefined when it gives None. */
function parseBasic(value: string): { user: string; password: string } | undefined {
  const decoded = UTF8_REPLACE.decode(Buffer.from(value, 'latin1'));
  // value.split(None, 1): the value starts with "Basic ", so the first whitespace run ends the scheme.
  const ws = PY_WHITESPACE.exec(decoded);
  if (ws === null) return undefined;
  const info = decoded.slice(ws.index + ws[0].length);
  if (info === '') return undefined;
  const raw = pythonB64Decode(info);
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(0x3a);
  if (colon < 0) return undefined;
  try {
    return {
      user: UTF8_STRICT.decode(raw.subarray(0, colon)),
      password: UTF8_STRICT.decode(raw.subarray(colon + 1)),
    };
  } catch {
    return undefined;
  }
}

async function identifyBasic(
  headers: HeaderPairs,
  region: string,
  service: string,
  keys: KeySource,
  now: Date,
): Promise<IdentifyResult> {
  const value = headerValues(headers, 'authorization')[0];
  if (value === undefined || !value.startsWith('Basic ')) return fail('UnsignedRequest');
  // werkzeug re-encodes the value as latin-1 first: a character above U+00FF is an unhandled error there.
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\xff]*$/.test(value)) return crash('Authorization header is not latin-1');
  const creds = parseBasic(value);
  if (creds === undefined) return fail('InvalidSignature');
  const date = utcDateStamp(now);
  const stored = await keys.accessKey(region, service, date, creds.user);
  if (stored === undefined) return fail('NoSuchKey');
  const presented = basicAuthKey({ region, service, date, keyId: creds.user, secret: creds.password });
  if (stored.key.length !== presented.length || !timingSafeEqual(stored.key, presented)) {
    return fail('InvalidSignature');
  }
  return { ok: true, identity: stored.identity, mfa: false };
}

/**
 * Identifies the sender of `headers` for (region, service): a `tinysess` cookie if any Cookie header carries one,
 * read as tinyauth reads it ({@link sessionCookieOf}; no fallback to Basic when it is bad), otherwise an access key in `Authorization: Basic …` (case-sensitive
 * prefix). Never throws for hostile input; the cases where tinyauth itself crashes come back as `serverError`.
 */
export async function identify(
  headers: HeaderPairs,
  region: string,
  service: string,
  keys: KeySource,
  now: Date = new Date(),
): Promise<IdentifyResult> {
  const { token } = sessionCookieOf(headers);
  if (token !== undefined) return identifySession(token, headers, region, service, keys, now);
  return identifyBasic(headers, region, service, keys, now);
}
