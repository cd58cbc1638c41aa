/**
 * Base64 decoding with the exact leniency of Python's `base64.b64decode` (binascii non-strict mode): characters
 * outside the alphabet are skipped, a complete pad sequence ends the input, and a dangling quad is an error.
 */

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const TABLE = new Int8Array(256).fill(-1);
for (let i = 0; i < STD.length; i++) TABLE[STD.charCodeAt(i)] = i;

const PAD = 0x3d;

/** Decodes bytes like `binascii.a2b_base64(data)` (non-strict). Returns `undefined` where Python raises. */
export function pythonB64DecodeBytes(data: Uint8Array): Buffer | undefined {
  const out = Buffer.allocUnsafe(Math.floor((data.length * 3) / 4) + 3);
  let len = 0;
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const ch of data) {
    if (ch === PAD) {
      if (quad >= 2 && quad + ++pads >= 4) return out.subarray(0, len);
      continue;
    }
    const v = TABLE[ch];
    if (v < 0) continue;
    pads = 0;
    switch (quad) {
      case 0:
        quad = 1;
        left = v;
        break;
      case 1:
        quad = 2;
        out[len++] = ((left << 2) | (v >> 4)) & 0xff;
        left = v & 0x0f;
        break;
      case 2:
        quad = 3;
        out[len++] = ((left << 4) | (v >> 2)) & 0xff;
        left = v & 0x03;
        break;
      default:
        quad = 0;
        out[len++] = ((left << 6) | v) & 0xff;
        left = 0;
    }
  }
  return quad === 0 ? out.subarray(0, len) : undefined;
}

/**
 * `base64.b64decode(text)` for a `str` argument: non-ASCII text raises in Python (`undefined` here).
 */
export function pythonB64Decode(text: string): Buffer | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(text)) return undefined;
  return pythonB64DecodeBytes(Buffer.from(text, 'latin1'));
}

const URLSAFE_FAST = /^[A-Za-z0-9_-]*$/;

/**
 * PyJWT's `base64url_decode`: pad to a multiple of 4, map `-_` to `+/`, then lenient `b64decode`.
 */
export function base64UrlDecodeLenient(segment: Buffer | string): Buffer | undefined {
  const s = typeof segment === 'string' ? segment : segment.toString('latin1');
  if (URLSAFE_FAST.test(s)) {
    // Same result as the lenient path for clean input; a length of 4n+1 cannot be decoded by Python.
    return s.length % 4 === 1 ? undefined : Buffer.from(s, 'base64url');
  }
  const bytes = typeof segment === 'string' ? Buffer.from(segment, 'utf8') : Buffer.from(segment);
  const rem = bytes.length % 4;
  const padded = rem > 0 ? Buffer.concat([bytes, Buffer.alloc(4 - rem, PAD)]) : bytes;
  for (let i = 0; i < padded.length; i++) {
    if (padded[i] === 0x2d) padded[i] = 0x2b;
    else if (padded[i] === 0x5f) padded[i] = 0x2f;
  }
  return pythonB64DecodeBytes(padded);
}
