import { Coalescer } from '../../../src/cache/coalescer';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Coalescer', () => {
  it('shares one operation between concurrent callers of the same key', async () => {
    const coalescer = new Coalescer<string, number>();
    const d = deferred<number>();
    const start = jest.fn(() => d.promise);
    const calls = [coalescer.run('k', start), coalescer.run('k', start), coalescer.run('k', start)];
    expect(start).toHaveBeenCalledTimes(1);
    d.resolve(7);
    await expect(Promise.all(calls)).resolves.toEqual([7, 7, 7]);
    expect(coalescer.size).toBe(0);
  });

  it('runs different keys separately and starts again once settled', async () => {
    const coalescer = new Coalescer<string, string>();
    const start = jest.fn((v: string) => Promise.resolve(v));
    await Promise.all([coalescer.run('a', () => start('a')), coalescer.run('b', () => start('b'))]);
    await coalescer.run('a', () => start('a'));
    expect(start).toHaveBeenCalledTimes(3);
  });

  it('shares a failure with every waiter and then forgets it', async () => {
    const coalescer = new Coalescer<string, number>();
    const d = deferred<number>();
    const a = coalescer.run('k', () => d.promise);
    const b = coalescer.run('k', () => Promise.resolve(1));
    d.reject(new Error('down'));
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    await expect(coalescer.run('k', () => Promise.resolve(2))).resolves.toBe(2);
  });

  it('stops sharing beyond maxPending keys instead of growing', async () => {
    const coalescer = new Coalescer<number, number>(2);
    const d = deferred<number>();
    void coalescer.run(1, () => d.promise);
    void coalescer.run(2, () => d.promise);
    const start = jest.fn(() => Promise.resolve(3));
    await coalescer.run(3, start);
    await coalescer.run(3, start);
    expect(start).toHaveBeenCalledTimes(2);
    expect(coalescer.size).toBe(2);
    d.resolve(0);
  });
});
