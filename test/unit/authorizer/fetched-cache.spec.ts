import { cacheLifetimeMs } from '../../../src/client/cache-lifetime';
import { SourceUnavailable, Undecidable, type Fetched } from '../../../src/authorizer/local/fetch-outcome';
import { FetchedCache } from '../../../src/authorizer/local/fetched-cache';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const found = (value: string, ttlMs = 1000): Fetched<string> => ({ kind: 'found', value, ttlMs });
const down = (): Promise<Fetched<string>> =>
  Promise.reject(new SourceUnavailable('tinyauth unavailable (connection)'));

describe('FetchedCache', () => {
  const setup = (retryAfterMs = 0) => {
    const c = clock();
    const cache = new FetchedCache<string>({
      maxEntries: 100,
      maxStaleMs: 5000,
      negativeTtlMs: 300,
      retryAfterMs,
      now: c.now,
    });
    return { c, cache };
  };

  it('reports the age of the oldest fresh entry, and of entries served stale until a fetch replaces them', async () => {
    const { c, cache } = setup(1000);
    expect(cache.snapshot()).toEqual({ oldestFreshAgeMs: undefined, oldestStaleAgeMs: undefined });
    await cache.get('a', () => Promise.resolve(found('a1')));
    c.advance(400);
    await cache.get('b', () => Promise.resolve(found('b1')));
    await cache.get('missing', () => Promise.resolve({ kind: 'missing' }));
    c.advance(100);
    expect(cache.snapshot()).toEqual({ oldestFreshAgeMs: 500, oldestStaleAgeMs: undefined });
    // Past its lifetime but not served stale: an idle entry, not a sign of an outage.
    c.advance(600);
    expect(cache.snapshot()).toEqual({ oldestFreshAgeMs: 700, oldestStaleAgeMs: undefined });
    expect(await cache.get('a', down)).toMatchObject({ value: 'a1', stale: true });
    c.advance(300);
    expect(cache.snapshot()).toEqual({ oldestFreshAgeMs: undefined, oldestStaleAgeMs: 1400 });
    c.advance(1000);
    await cache.get('a', () => Promise.resolve(found('a2')));
    expect(cache.snapshot()).toEqual({ oldestFreshAgeMs: 0, oldestStaleAgeMs: undefined });
    // Beyond maxStale an entry is no longer usable and no longer reported.
    await cache.get('a', down).catch(() => undefined);
    c.advance(1000 + 5000);
    expect(cache.snapshot()).toEqual({ oldestFreshAgeMs: undefined, oldestStaleAgeMs: undefined });
  });

  it('fetches once and serves from the cache while fresh', async () => {
    const { c, cache } = setup();
    const fetch = jest.fn(() => Promise.resolve(found('k1')));
    expect((await cache.get('a', fetch)).value).toBe('k1');
    c.advance(999);
    expect((await cache.get('a', fetch)).value).toBe('k1');
    expect(cache.peekFresh('a')?.value).toBe('k1');
    c.advance(1);
    expect(cache.peekFresh('a')).toBeUndefined();
    await cache.get('a', () => Promise.resolve(found('k2')));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(cache.peekFresh('a')?.value).toBe('k2');
  });

  it('coalesces concurrent fetches of one entry', async () => {
    const { cache } = setup();
    let calls = 0;
    const fetch = () => {
      calls++;
      return new Promise<Fetched<string>>((r) => setTimeout(() => r(found('v')), 10));
    };
    const got = await Promise.all([cache.get('a', fetch), cache.get('a', fetch), cache.get('a', fetch)]);
    expect(got.map((g) => g.value)).toEqual(['v', 'v', 'v']);
    expect(calls).toBe(1);
  });

  it('remembers a missing entry for the negative TTL only', async () => {
    const { c, cache } = setup();
    const fetch = jest.fn(() => Promise.resolve<Fetched<string>>({ kind: 'missing' }));
    expect((await cache.get('x', fetch)).value).toBeUndefined();
    expect((await cache.get('x', fetch)).value).toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(1);
    c.advance(300);
    await cache.get('x', fetch);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('serves a stale entry while the source is down, but not beyond maxStale', async () => {
    const { c, cache } = setup();
    await cache.get('a', () => Promise.resolve(found('old')));
    c.advance(1000 + 4999);
    expect(await cache.get('a', down)).toEqual({ value: 'old', freshUntil: 0, stale: true });
    c.advance(1);
    await expect(cache.get('a', down)).rejects.toBeInstanceOf(Undecidable);
  });

  it('refreshes a stale entry as soon as the source answers again', async () => {
    const { c, cache } = setup();
    await cache.get('a', () => Promise.resolve(found('old')));
    c.advance(2000);
    expect((await cache.get('a', () => Promise.resolve(found('new')))).value).toBe('new');
  });

  it('does not ask a source found down again within retryAfterMs', async () => {
    const { c, cache } = setup(1000);
    await cache.get('a', () => Promise.resolve(found('old')));
    c.advance(1500);
    const failing = jest.fn(down);
    await cache.get('a', failing);
    await cache.get('a', failing);
    expect(failing).toHaveBeenCalledTimes(1);
    c.advance(1000);
    await cache.get('a', failing);
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('is undecidable when the source is down and nothing is cached', async () => {
    const { cache } = setup();
    await expect(cache.get('a', down)).rejects.toBeInstanceOf(Undecidable);
  });

  it('passes other failures through untouched, caching nothing', async () => {
    const { cache } = setup();
    await expect(cache.get('a', () => Promise.reject(new Undecidable('odd answer')))).rejects.toThrow(
      'odd answer',
    );
    expect(cache.peekFresh('a')).toBeUndefined();
  });
});

describe('cacheLifetimeMs', () => {
  const res = (headers: Record<string, string>) => ({ status: 200, headers, body: '' });
  it('prefers max-age, then Expires relative to Date', () => {
    expect(cacheLifetimeMs(res({ 'cache-control': 'max-age=259200' }))).toBe(259_200_000);
    expect(
      cacheLifetimeMs(
        res({ expires: 'Sat, 28 Nov 2026 12:01:00 GMT', date: 'Sat, 28 Nov 2026 12:00:00 GMT' }),
      ),
    ).toBe(60_000);
    expect(
      cacheLifetimeMs(res({ expires: 'Sat, 28 Nov 2026 12:01:00 GMT' }), Date.parse('2026-11-28T12:00:30Z')),
    ).toBe(30_000);
  });
  it('gives 0 for no-store, missing or unparsable headers, and past dates', () => {
    expect(cacheLifetimeMs(res({ 'cache-control': 'no-store, max-age=60' }))).toBe(0);
    expect(cacheLifetimeMs(res({}))).toBe(0);
    expect(cacheLifetimeMs(res({ expires: 'soon' }))).toBe(0);
    expect(cacheLifetimeMs(res({ expires: 'Sat, 28 Nov 2020 12:00:00 GMT' }))).toBe(0);
  });
});
