import { pyDict } from '../../../src/testing/python-coerce';

describe('pyDict (Python dict() over a JSON value)', () => {
  it('merges keys Python considers equal, keeping first position and last value', () => {
    expect(
      pyDict([
        [1, 'a'],
        ['1', 'b'],
        [true, 'c'],
        [1.0, 'd'],
        [null, 'e'],
        [false, 'f'],
        [0, 'g'],
      ]),
    ).toEqual([
      [1, 'd'],
      ['1', 'b'],
      [null, 'e'],
      [false, 'g'],
    ]);
  });

  it('copies a dict and rejects what dict() rejects', () => {
    expect(pyDict({ a: 1 })).toEqual([['a', 1]]);
    expect(pyDict([['a', 1, 2]])).toBeUndefined();
    expect(pyDict([[['unhashable'], 1]])).toBeUndefined();
    expect(pyDict(5)).toBeUndefined();
  });

  it('takes a caller-sized list of pairs in linear time', () => {
    const pairs = Array.from({ length: 200_000 }, (_, i) => [`GetApple${i}`, ['r']]);
    const started = process.hrtime.bigint();
    expect(pyDict(pairs)).toHaveLength(200_000);
    // Quadratic matching took seconds at 40k pairs; linear work is a few hundred ms even on a loaded machine.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5_000);
  });
});
