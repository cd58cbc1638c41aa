import { compileGlob, globMatch } from '../../../src/core';

describe('glob (fnmatch.fnmatchcase semantics)', () => {
  it.each([
    ['*', '', true],
    ['*', 'a/b:c\nd', true],
    ['a*', 'abc', true],
    ['*c', 'abc', true],
    ['a*c', 'ac', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXcYb', false],
    ['?', '🍎', true],
    ['??', '🍎', false],
    ['\uD83C*', '🍎', false],
    ['*\uDF4E', '🍎', false],
    ['[a-c]', 'b', true],
    ['[c-a]', 'b', false],
    ['[c-a]', 'c', false],
    ['[!c-a]', 'x', true],
    ['[!a-c]', 'b', false],
    ['[]]', ']', true],
    ['[!]]', ']', false],
    ['[!]]', 'x', true],
    ['[^a]', '^', true],
    ['[^a]', 'b', false],
    ['[a-]', '-', true],
    ['[-a]', '-', true],
    ['[a-c-e]', '-', true],
    ['[a-c-e]', 'd', false],
    ['[a-c-e]', 'e', true],
    ['[\\]', '\\', true],
    ['[\\-a]', '_', true],
    ['[', '[', true],
    ['a[b', 'a[b', true],
    ['[!]', '[!]', true],
    ['\\*', '\\x', true],
    ['[z-a-c]', 'b', false],
    ['[&&]', '&', true],
    ['[🍎-🍐]', '🍏', true],
  ])('%j vs %j -> %s', (pattern, name, expected) => {
    expect(globMatch(pattern, name)).toBe(expected);
  });

  // Backtracking would need astronomically many steps on these; a linear matcher needs well under a second even
  // on a busy machine. The bound is far from both, so it cannot race.
  it('is linear on hostile patterns (no catastrophic backtracking)', () => {
    const pattern = '*a'.repeat(2500);
    const name = 'a'.repeat(9999) + 'b';
    const t0 = Date.now();
    expect(globMatch(pattern, name)).toBe(false);
    expect(globMatch(pattern, 'a'.repeat(10000))).toBe(true);
    expect(globMatch(`${'*a'.repeat(2499)}*b`, 'a'.repeat(10000))).toBe(false);
    expect(globMatch(`*${'a'.repeat(2500)}b*`, 'a'.repeat(10000))).toBe(false);
    expect(globMatch('[' + 'a-'.repeat(2000) + ']*', 'a'.repeat(10000))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('memoises compiled patterns', () => {
    expect(compileGlob('x*y')).toBe(compileGlob('x*y'));
  });
});
