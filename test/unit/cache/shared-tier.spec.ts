/**
 * The shared tier's rules on a fake clock, over an in-memory Keyv (the real library) that a test can break: it
 * never allows on the store's word when the store fails or lies, and invalidation marks apply.
 */
import { Logger } from '@nestjs/common';
import { Keyv } from 'keyv';
import { CachedAuthorizer, type SharedDecisionTier } from '../../../src/authorizer/cached.authorizer';
import type { Authorizer } from '../../../src/authorizer/authorizer.interface';
import type { TinyauthCheck, TinyauthDecision } from '../../../src/authorizer/decision';
import { CLOCK_SKEW_ALLOWANCE_MS } from '../../../src/cache/invalidation-marks';
import { decodeEntry, encodeEntry, SharedKeys } from '../../../src/cache/shared-entries';
import type { SharedCacheStore } from '../../../src/cache/shared-store';
import type { RequestFacts } from '../../../src/request/request-facts';

const facts = (authorization: string): RequestFacts => ({
  method: 'GET',
  url: '/',
  headers: [['Authorization', authorization]],
  sourceIp: '10.0.0.1',
  params: {},
});
const checks: TinyauthCheck[] = [
  { action: 'GetApple', resource: 'arn:tinyauth:apples:default::apples/fred' },
];
const ALICE = facts('Basic YWxpY2U6cw==');
const scope = {
  secretAccessKey: 'svc-secret',
  accessKeyId: 'AKSVC',
  service: 'apples',
  partition: 'tinyauth',
  namespace: 'tinyauth',
};

/** An in-memory Keyv whose operations can be made to throw or hang. */
class BreakableStore implements SharedCacheStore {
  readonly keyv = new Keyv();
  mode: 'ok' | 'throw' | 'hang' | 'refuse' = 'ok';
  get(key: string): Promise<unknown> {
    return this.mode === 'ok' || this.mode === 'refuse' ? this.keyv.get(key) : this.broken();
  }
  set(key: string, value: string, ttl?: number): Promise<unknown> {
    if (this.mode === 'refuse') return Promise.resolve(false);
    return this.mode === 'ok' ? this.keyv.set(key, value, ttl) : this.broken();
  }
  private broken(): Promise<never> {
    return this.mode === 'throw'
      ? Promise.reject(new Error('ECONNREFUSED svc-secret'))
      : new Promise(() => {});
  }
}

describe('shared decision tier', () => {
  let t: number;
  const now = (): number => t;
  let store: BreakableStore;
  let remoteCalls: number;
  let answer: () => TinyauthDecision;
  const remote: Authorizer = {
    authorize: async () => {
      remoteCalls++;
      return answer();
    },
  };
  const allow = (): TinyauthDecision => ({
    authorized: true,
    identity: 'alice',
    permitted: { GetApple: [checks[0].resource] },
    notPermitted: {},
  });
  const deny = (): TinyauthDecision => ({
    authorized: false,
    errorCode: 'NotPermitted',
    permitted: {},
    notPermitted: { GetApple: [checks[0].resource] },
  });

  /** A replica as Nest starts it (onModuleInit reads or creates the service-wide mark). */
  const replica = async (): Promise<CachedAuthorizer> => {
    const shared: SharedDecisionTier = { store, timeoutMs: 20, invalidationCheckMs: 100, keys: scope };
    const authorizer = new CachedAuthorizer(remote, { cacheTtlMs: 1000, cacheMaxEntries: 100, shared }, now);
    await authorizer.onModuleInit();
    t += 1;
    return authorizer;
  };
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    t = 1_800_000_000_000;
    store = new BreakableStore();
    remoteCalls = 0;
    answer = allow;
  });

  it('a second replica answers from what the first stored; nothing is kept past cacheTtlMs', async () => {
    const [a, b] = [await replica(), await replica()];
    expect((await a.authorize(ALICE, checks)).authorized).toBe(true);
    await flush();
    expect((await b.authorize(ALICE, checks)).authorized).toBe(true);
    expect(remoteCalls).toBe(1);
    expect(b.stats().sharedHits).toBe(1);
    t += 1000;
    const c = await replica();
    answer = deny;
    expect((await c.authorize(ALICE, checks)).authorized).toBe(false);
    expect(remoteCalls).toBe(2);
  });

  it.each(['throw', 'hang'] as const)('a store that fails (%s) is a miss, never an allow', async (mode) => {
    const a = await replica();
    await a.authorize(ALICE, checks);
    await flush();
    store.mode = mode;
    answer = deny;
    const b = await replica();
    expect((await b.authorize(ALICE, checks)).authorized).toBe(false);
    // A's own cached allow is not trusted either while the invalidation marks cannot be read.
    t += 150;
    expect((await a.authorize(ALICE, checks)).authorized).toBe(false);
    expect(a.stats().storeFailures + b.stats().storeFailures).toBeGreaterThan(0);
    // Recovery is automatic once the store answers again.
    store.mode = 'ok';
    answer = allow;
    t += 1000;
    await a.authorize(ALICE, checks);
    await flush();
    const calls = remoteCalls;
    expect((await (await replica()).authorize(ALICE, checks)).authorized).toBe(true);
    expect(remoteCalls).toBe(calls);
  });

  it('never logs the store error message (it may quote a secret)', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    try {
      store.mode = 'throw';
      await (await replica()).authorize(ALICE, checks);
      const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
      expect(logged).toContain('shared decision cache store failed: error');
      expect(logged).not.toContain('svc-secret');
    } finally {
      warn.mockRestore();
    }
  });

  it('rejects values that are garbage, moved from another key, or for other checks', async () => {
    const keys = new SharedKeys(scope);
    const entry = { at: t, exp: t + 500, identity: 'alice', permitted: { GetApple: [checks[0].resource] } };
    const text = encodeEntry(entry, checks);
    expect(decodeEntry(text, checks, t, 1000)).toEqual(entry);
    expect(keys.unseal('k1', keys.seal('k1', text))).toBe(text);
    expect(keys.unseal('k2', keys.seal('k1', text))).toBeUndefined();
    expect(keys.unseal('k1', `x${keys.seal('k1', text)}`)).toBeUndefined();
    expect(
      new SharedKeys({ ...scope, secretAccessKey: 'other' }).unseal('k1', keys.seal('k1', text)),
    ).toBeUndefined();
    const other = [{ action: 'EatApple', resource: checks[0].resource }];
    expect(decodeEntry(text, other, t, 1000)).toBe('malformed');
    expect(decodeEntry(text, [...checks, ...checks], t, 1000)).toBe('malformed');
    expect(decodeEntry(text, checks, t, 400)).toBe('malformed');
    expect(decodeEntry(text, checks, t + 500, 1000)).toBe('absent');
    expect(decodeEntry(encodeEntry({ ...entry, permitted: {} }, checks), checks, t, 1000)).toBe('malformed');
    for (const junk of ['', 'null', '[]', '{"v":1}', '{"v":2}', 'garbage'])
      expect(decodeEntry(junk, checks, t, 1000)).toBe('malformed');
  });

  it('a store holding garbage under every key is a miss, counted', async () => {
    const a = await replica();
    await a.authorize(ALICE, checks);
    await flush();
    for await (const [key] of store.keyv.iterator!(undefined)) await store.keyv.set(key as string, 'garbage');
    answer = deny;
    const b = await replica();
    expect((await b.authorize(ALICE, checks)).authorized).toBe(false);
    expect(b.stats().malformed).toBeGreaterThan(0);
  });

  it('invalidating one identity reaches another replica within invalidationCheckMs', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.authorize(ALICE, checks);
    await flush();
    await b.authorize(ALICE, checks);
    expect(remoteCalls).toBe(1);
    answer = deny;
    await a.invalidate('alice');
    expect((await a.authorize(ALICE, checks)).authorized).toBe(false);
    t += 100;
    expect((await b.authorize(ALICE, checks)).authorized).toBe(false);
    // Once the clock-skew allowance has passed, new allows are cached again.
    answer = allow;
    t += CLOCK_SKEW_ALLOWANCE_MS;
    await b.authorize(ALICE, checks);
    const calls = remoteCalls;
    expect((await b.authorize(ALICE, checks)).authorized).toBe(true);
    expect(remoteCalls).toBe(calls);
  });

  it('reports an invalidation the store did not record', async () => {
    const a = await replica();
    store.mode = 'refuse';
    await expect(a.invalidate()).rejects.toThrow(/did not record the invalidation \(refused\)/);
  });
});
