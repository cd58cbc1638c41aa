/**
 * Shell-style glob matching with the exact semantics of Python's `fnmatch.fnmatchcase` (Python 3.11, POSIX), which
 * tinyauth uses for the `Action` and `Resource` patterns of a policy (protocol §7).
 *
 * Patterns are compiled once into a list of tokens and matched by a linear-time algorithm (no regular expression, no
 * backtracking), so hostile patterns such as `*a*a*a*…` cannot stall the event loop.
 */
import { LRUCache } from 'lru-cache';

/** One-character matcher: a literal code point, any code point, or a bracket set. */
type CharMatcher =
  | { readonly kind: 'literal'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'never' }
  | {
      readonly kind: 'set';
      readonly negated: boolean;
      readonly ranges: readonly (readonly [number, number])[];
    };

/** A compiled glob pattern. */
export interface GlobMatcher {
  /** The source pattern. */
  readonly pattern: string;
  /** True when `name` matches the whole pattern (case-sensitive, code point based). */
  matches(name: string): boolean;
  /** Same as {@link GlobMatcher.matches} for a name already split into code points. */
  matchesCodePoints(name: readonly number[]): boolean;
  /** False when {@link GlobMatcher.matches} works on the string directly (no code point split needed). */
  readonly needsCodePoints: boolean;
}

/** Splits a string into Unicode code points (a lone surrogate counts as one, as in Python). */
export function toCodePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}

const HYPHEN = 0x2d;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BANG = 0x21;

/**
 * Interprets the body of a bracket expression exactly as `fnmatch.translate` + `re` do: hyphen chunks, removal of
 * reversed ranges, `!` negation, and a literal `^` / `[` / `]` / `\`.
 */
function compileSet(pat: readonly number[], start: number, end: number, notes?: GlobNotes): CharMatcher {
  // `start` is just after '[', `end` is the index of the closing ']'.
  const body = pat.slice(start, end);
  let chunks: number[][];
  if (!body.includes(HYPHEN)) {
    chunks = [body];
  } else {
    chunks = [];
    let i = start;
    let k = pat[start] === BANG ? start + 2 : start + 1;
    for (;;) {
      k = pat.indexOf(HYPHEN, k);
      if (k < 0 || k >= end) break;
      chunks.push(pat.slice(i, k));
      i = k + 1;
      k = k + 3;
    }
    const last = pat.slice(i, end);
    if (last.length > 0) chunks.push(last);
    else chunks[chunks.length - 1].push(HYPHEN);
    // Remove empty (reversed) ranges: both endpoints go, as in Python.
    for (let c = chunks.length - 1; c > 0; c--) {
      const left = chunks[c - 1];
      if (left[left.length - 1] > chunks[c][0]) {
        notes?.reversedRanges.push(String.fromCodePoint(left[left.length - 1], HYPHEN, chunks[c][0]));
        chunks[c - 1] = left.slice(0, -1).concat(chunks[c].slice(1));
        chunks.splice(c, 1);
      }
    }
  }
  const flat: number[] = ([] as number[]).concat(...chunks);
  if (flat.length === 0) return { kind: 'never' };
  if (flat.length === 1 && flat[0] === BANG) return { kind: 'any' };
  let negated = false;
  if (chunks[0][0] === BANG) {
    negated = true;
    chunks[0] = chunks[0].slice(1);
  }
  // Adjacent chunks are joined by a range operator: last char of the left chunk .. first char of the right chunk.
  // Everything else is a literal. Python guarantees these ranges are not reversed after the removal above.
  const ranges: [number, number][] = [];
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    const from = c > 0 ? 1 : 0;
    const to = c < chunks.length - 1 ? chunk.length - 1 : chunk.length;
    for (let x = from; x < to; x++) ranges.push([chunk[x], chunk[x]]);
    if (c < chunks.length - 1) ranges.push([chunk[chunk.length - 1], chunks[c + 1][0]]);
  }
  return { kind: 'set', negated, ranges };
}

/** How `fnmatch` reads a pattern where that differs from how it looks (for the policy linter). */
export interface GlobNotes {
  /** A `[` without a closing `]`: it is a literal `[`. */
  unclosedBracket: boolean;
  /** Reversed ranges inside sets (e.g. `z-a`): dropped, endpoints included. */
  readonly reversedRanges: string[];
  /** A set starting with `^` (`[^…]`): the `^` is a literal, not a negation (that is `[!…]`). */
  caretSet: boolean;
}

/** Tokenises a pattern like `fnmatch.translate`: `null` stands for a (collapsed) `*`. */
function tokenize(pattern: string, notes?: GlobNotes): (CharMatcher | null)[] {
  const pat = toCodePoints(pattern);
  const out: (CharMatcher | null)[] = [];
  const n = pat.length;
  let i = 0;
  while (i < n) {
    const c = pat[i++];
    if (c === 0x2a) {
      if (out.length === 0 || out[out.length - 1] !== null) out.push(null);
    } else if (c === 0x3f) {
      out.push({ kind: 'any' });
    } else if (c === OPEN) {
      let j = i;
      if (j < n && pat[j] === BANG) j++;
      if (j < n && pat[j] === CLOSE) j++;
      while (j < n && pat[j] !== CLOSE) j++;
      if (j >= n) {
        if (notes !== undefined) notes.unclosedBracket = true;
        out.push({ kind: 'literal', cp: OPEN });
      } else {
        if (notes !== undefined && pat[i] === 0x5e) notes.caretSet = true;
        out.push(compileSet(pat, i, j, notes));
        i = j + 1;
      }
    } else {
      out.push({ kind: 'literal', cp: c });
    }
  }
  return out;
}

function charMatches(m: CharMatcher, cp: number): boolean {
  switch (m.kind) {
    case 'literal':
      return m.cp === cp;
    case 'any':
      return true;
    case 'never':
      return false;
    case 'set': {
      let hit = false;
      for (const [lo, hi] of m.ranges) {
        if (cp >= lo && cp <= hi) {
          hit = true;
          break;
        }
      }
      return hit !== m.negated;
    }
  }
}

/** Does `seg` match `name` at position `at` (fixed-length segment)? */
function segmentAt(seg: readonly CharMatcher[], name: readonly number[], at: number): boolean {
  for (let k = 0; k < seg.length; k++) if (!charMatches(seg[k], name[at + k])) return false;
  return true;
}

/**
 * Matches star-separated fixed-length segments. The first segment is anchored at the start, the last at the end, and
 * each middle segment is taken at its leftmost occurrence, which is correct for globs and needs no backtracking.
 */
function matchSegments(segments: readonly (readonly CharMatcher[])[], name: readonly number[]): boolean {
  const n = name.length;
  if (segments.length === 1) return segments[0].length === n && segmentAt(segments[0], name, 0);
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (first.length + last.length > n) return false;
  if (!segmentAt(first, name, 0)) return false;
  const tailStart = n - last.length;
  if (!segmentAt(last, name, tailStart)) return false;
  let pos = first.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const seg = segments[s];
    let found = -1;
    for (let at = pos; at + seg.length <= tailStart; at++) {
      if (segmentAt(seg, name, at)) {
        found = at;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + seg.length;
  }
  return true;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function compile(pattern: string): GlobMatcher {
  const tokens = tokenize(pattern);
  const segments: CharMatcher[][] = [[]];
  for (const t of tokens) {
    if (t === null) segments.push([]);
    else segments[segments.length - 1].push(t);
  }
  const onlyLiterals = segments.every((s) => s.every((m) => m.kind === 'literal'));
  const literalText = (seg: readonly CharMatcher[]): string =>
    String.fromCodePoint(...seg.map((m) => (m.kind === 'literal' ? m.cp : 0)));
  const general = (cps: readonly number[]): boolean => matchSegments(segments, cps);

  // Fast paths on UTF-16 strings for the common shapes. They are only used when no surrogate pair can be split at
  // the boundary, so they agree with the code point semantics.
  let fast: ((name: string) => boolean) | undefined;
  if (onlyLiterals && segments.length === 1) {
    fast = (name) => name === pattern;
  } else if (onlyLiterals && segments.length === 2) {
    const prefix = literalText(segments[0]);
    const suffix = literalText(segments[1]);
    const okPrefix = prefix.length === 0 || !isHighSurrogate(prefix.charCodeAt(prefix.length - 1));
    const okSuffix = suffix.length === 0 || !isLowSurrogate(suffix.charCodeAt(0));
    if (okPrefix && okSuffix) {
      fast = (name) =>
        name.length >= prefix.length + suffix.length && name.startsWith(prefix) && name.endsWith(suffix);
    }
  }
  return {
    pattern,
    matches: fast ?? ((name) => general(toCodePoints(name))),
    matchesCodePoints: general,
    needsCodePoints: fast === undefined,
  };
}

/** Compiled patterns kept per process; a policy set rarely has more, and eviction only costs a recompile. */
const cache = new LRUCache<string, GlobMatcher>({ max: 4096 });

/**
 * Returns the compiled matcher for `pattern`, memoised in a bounded cache (least recently used entries are evicted
 * first).
 */
export function compileGlob(pattern: string): GlobMatcher {
  let m = cache.get(pattern);
  if (m === undefined) {
    m = compile(pattern);
    cache.set(pattern, m);
  }
  return m;
}

/** Reads `pattern` as `fnmatch` does and reports where that differs from its look (see {@link GlobNotes}). */
export function globNotes(pattern: string): GlobNotes {
  const notes: GlobNotes = { unclosedBracket: false, reversedRanges: [], caretSet: false };
  tokenize(pattern, notes);
  return notes;
}

/** `fnmatch.fnmatchcase(name, pattern)`: true when `name` matches the whole `pattern`. */
export function globMatch(pattern: string, name: string): boolean {
  return compileGlob(pattern).matches(name);
}
