/**
 * IPv4 / IPv6 addresses and networks parsed with the rules of Python's `ipaddress` module (`ip_address` and
 * `ip_network(strict=True)`), which tinyauth uses for the `IpAddress` / `NotIpAddress` conditions.
 */
import { PolicyError } from './policy-error';

/** A parsed IP address. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** A parsed IP network (network address with host bits clear, and prefix length). */
export interface IpNetwork {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

function parseV4(s: string): bigint | undefined {
  const octets = s.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const o of octets) {
    if (!/^[0-9]{1,3}$/.test(o)) return undefined;
    if (o !== '0' && o.startsWith('0')) return undefined;
    const n = Number(o);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseHextet(h: string): bigint | undefined {
  return /^[0-9a-fA-F]{1,4}$/.test(h) ? BigInt(parseInt(h, 16)) : undefined;
}

/** The address without its `%scope` (Python accepts any non-empty scope without a second `%`). */
function withoutScope(input: string): string | undefined {
  const pct = input.indexOf('%');
  if (pct < 0) return input;
  const scope = input.slice(pct + 1);
  if (scope === '' || scope.includes('%')) return undefined;
  return input.slice(0, pct);
}

/** The colon-separated parts, an embedded IPv4 tail turned into two hextets. */
function v6Parts(s: string): string[] | undefined {
  if (s === '') return undefined;
  const parts = s.split(':');
  if (parts.length < 3) return undefined;
  if (parts[parts.length - 1].includes('.')) {
    const v4 = parseV4(parts.pop() as string);
    if (v4 === undefined) return undefined;
    parts.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  return parts.length > 9 ? undefined : parts;
}

/** How many hextets come before (`hi`) and after (`lo`) the `::`, and how many it stands for (Python's rules). */
interface V6Layout {
  hi: number;
  lo: number;
  skipped: number;
}

function v6Layout(parts: string[]): V6Layout | undefined {
  let skip: number | undefined;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      if (skip !== undefined) return undefined;
      skip = i;
    }
  }
  if (skip === undefined) {
    if (parts.length !== 8 || parts[0] === '' || parts[7] === '') return undefined;
    return { hi: 8, lo: 0, skipped: 0 };
  }
  let hi = skip;
  let lo = parts.length - skip - 1;
  if (parts[0] === '') {
    hi -= 1;
    if (hi) return undefined;
  }
  if (parts[parts.length - 1] === '') {
    lo -= 1;
    if (lo) return undefined;
  }
  const skipped = 8 - (hi + lo);
  return skipped < 1 ? undefined : { hi, lo, skipped };
}

/** Appends the hextets `parts[from..to)` to `value`; undefined when one is not 1-4 hex digits. */
function shiftInHextets(value: bigint, parts: string[], from: number, to: number): bigint | undefined {
  let out = value;
  for (let i = from; i < to; i++) {
    const h = parseHextet(parts[i]);
    if (h === undefined) return undefined;
    out = (out << 16n) | h;
  }
  return out;
}

function parseV6(input: string): bigint | undefined {
  const s = withoutScope(input);
  const parts = s === undefined ? undefined : v6Parts(s);
  const layout = parts === undefined ? undefined : v6Layout(parts);
  if (parts === undefined || layout === undefined) return undefined;
  const high = shiftInHextets(0n, parts, 0, layout.hi);
  if (high === undefined) return undefined;
  return shiftInHextets(
    high << (16n * BigInt(layout.skipped)),
    parts,
    parts.length - layout.lo,
    parts.length,
  );
}

function fromInteger(n: number): IpAddress | undefined {
  if (!Number.isInteger(n) || n < 0) return undefined;
  const b = BigInt(n);
  if (b <= V4_MAX) return { version: 4, value: b };
  if (b <= V6_MAX) return { version: 6, value: b };
  return undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || v === undefined) return 'None';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/**
 * Python `ipaddress.ip_address(v)`: text (IPv4 dotted quad without leading zeros, or IPv6 with an optional scope),
 * or an integer (booleans count as 0 / 1, as in Python). Throws {@link PolicyError} otherwise.
 */
export function parseIpAddress(v: unknown): IpAddress {
  let r: IpAddress | undefined;
  if (typeof v === 'string') {
    if (!v.includes('/')) {
      const v4 = parseV4(v);
      if (v4 !== undefined) r = { version: 4, value: v4 };
      else {
        const v6 = parseV6(v);
        if (v6 !== undefined) r = { version: 6, value: v6 };
      }
    }
  } else if (typeof v === 'number') r = fromInteger(v);
  else if (typeof v === 'boolean') r = fromInteger(v ? 1 : 0);
  if (r === undefined) throw new PolicyError(`${describe(v)} does not appear to be an IPv4 or IPv6 address`);
  return r;
}

function prefixFromText(s: string, max: number): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** IPv4 netmask or hostmask text (`255.0.0.0`, `0.255.255.255`) to a prefix length, as Python accepts both. */
function prefixFromV4Mask(s: string): number | undefined {
  const m = parseV4(s);
  if (m === undefined) return undefined;
  const asPrefix = (x: bigint): number | undefined => {
    let bits = 0;
    while (bits < 32 && ((x >> BigInt(31 - bits)) & 1n) === 1n) bits++;
    const expected = bits === 0 ? 0n : (V4_MAX << BigInt(32 - bits)) & V4_MAX;
    return x === expected ? bits : undefined;
  };
  return asPrefix(m) ?? asPrefix(m ^ V4_MAX);
}

function mask(version: 4 | 6, prefix: number): bigint {
  const bits = version === 4 ? 32n : 128n;
  const all = version === 4 ? V4_MAX : V6_MAX;
  return prefix === 0 ? 0n : (all << (bits - BigInt(prefix))) & all;
}

function networkFromText(s: string): IpNetwork | string {
  const parts = s.split('/');
  if (parts.length > 2) return `Only one '/' permitted in '${s}'`;
  const [addr, pfx] = parts;
  const v4 = parseV4(addr);
  if (v4 !== undefined) {
    const prefix = pfx === undefined ? 32 : (prefixFromText(pfx, 32) ?? prefixFromV4Mask(pfx));
    if (prefix !== undefined) return { version: 4, network: v4, prefix };
  }
  const v6 = parseV6(addr);
  if (v6 !== undefined) {
    const prefix = pfx === undefined ? 128 : prefixFromText(pfx, 128);
    if (prefix !== undefined) return { version: 6, network: v6, prefix };
  }
  return `'${s}' does not appear to be an IPv4 or IPv6 network`;
}

/**
 * Python `ipaddress.ip_network(v)` with `strict=True`: a bare address is a /32 or /128, host bits must be clear.
 * Throws {@link PolicyError} otherwise.
 */
export function parseIpNetwork(v: unknown): IpNetwork {
  let r: IpNetwork | string;
  if (typeof v === 'string') r = networkFromText(v);
  else if (typeof v === 'number' || typeof v === 'boolean') {
    const a = fromInteger(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    r = a
      ? { version: a.version, network: a.value, prefix: a.version === 4 ? 32 : 128 }
      : `${describe(v)} does not appear to be an IPv4 or IPv6 network`;
  } else r = `${describe(v)} does not appear to be an IPv4 or IPv6 network`;
  if (typeof r === 'string') throw new PolicyError(r);
  if ((r.network & mask(r.version, r.prefix)) !== r.network) {
    throw new PolicyError(`${describe(v).replace(/^'|'$/g, '')} has host bits set`);
  }
  return r;
}

/** Python `address in network`: false across IP versions (so `::ffff:a.b.c.d` is never in an IPv4 network). */
export function networkContains(net: IpNetwork, addr: IpAddress): boolean {
  if (net.version !== addr.version) return false;
  return (addr.value & mask(net.version, net.prefix)) === net.network;
}
